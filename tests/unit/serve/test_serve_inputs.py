"""Request values checked against the training schema: names, rows and expected types."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rightfit.data import ColumnSchema, Schema
from rightfit.serve._inputs import InputError, check_columns, columns_from_records, input_columns
from rightfit.serve._v2 import columns_from_v2, requested_outputs

SCHEMA = Schema(
    (
        ColumnSchema("age", "numeric", "float64", "numeric"),
        ColumnSchema("plan", "categorical", "str", "categorical"),
        ColumnSchema("active", "boolean", "str", "boolean"),
        ColumnSchema("since", "datetime", "str", "datetime", ("year",)),
        ColumnSchema("customer_id", "id", "str", "id"),
    ),
    "churn",
    "binary",
    ("no", "yes"),
)
INPUTS = input_columns(SCHEMA)


def test_only_feature_columns_are_inputs_with_protocol_types():
    assert [(c.name, c.datatype) for c in INPUTS] == [
        ("age", "FP64"),
        ("plan", "BYTES"),
        ("active", "BOOL"),
        ("since", "BYTES"),
    ]


def test_records_become_checked_columns_and_unused_fields_are_reported():
    records = [
        {"age": 41, "plan": "basic", "active": True, "since": "2020-01-02", "customer_id": "a"},
        {"age": None, "plan": None, "active": "no", "since": None, "note": 1},
    ]
    columns, n_rows, ignored = columns_from_records(records, INPUTS)
    checked = check_columns(columns, n_rows, INPUTS)
    assert n_rows == 2 and ignored == ["customer_id", "note"]
    assert checked["age"][0] == 41.0 and math.isnan(checked["age"][1])
    assert checked["active"].tolist() == [1.0, 0.0]
    assert checked["plan"].tolist() == ["basic", None]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("age", "forty", "a number"),
        ("age", True, "a number"),
        ("age", [1], "a number"),
        ("age", 10**400, "a number"),
        ("active", "maybe", "a boolean"),
        ("plan", {"a": 1}, "a string"),
        ("since", 2020, "a date/time string"),
    ],
)
def test_a_mistyped_field_is_422_naming_field_row_and_type(field, value, expected):
    record = {"age": 1, "plan": "a", "active": 1, "since": "2020-01-01", field: value}
    columns, n_rows, _ = columns_from_records([record, record], INPUTS)
    with pytest.raises(InputError) as caught:
        check_columns(columns, n_rows, INPUTS)
    error = caught.value
    assert error.status == 422 and error.extra["field"] == field and error.extra["row"] == 0
    assert expected in error.message and repr(field) in error.message


def test_numbers_as_text_and_missing_markers_are_accepted():
    columns = {"age": ["1.5", " 2 ", "", "?", float("nan"), "inf"]}
    checked = check_columns(columns, 6, INPUTS[:1])
    assert checked["age"][:2].tolist() == [1.5, 2.0]
    assert np.isnan(checked["age"][2:]).all()


def test_a_missing_field_names_the_record_and_the_fix():
    with pytest.raises(InputError, match=r"'plan' is missing from record 1.*null") as caught:
        columns_from_records(
            [
                {"age": 1, "plan": "a", "active": 1, "since": None},
                {"age": 1, "active": 1, "since": None},
            ],
            INPUTS,
        )
    assert caught.value.extra["expected"] == "a string (or null)"


@pytest.mark.parametrize("body", [[], "text", [1, 2], {"records": []}])
def test_bodies_that_are_not_records_are_refused(body):
    with pytest.raises(InputError, match=r"(?i)record"):
        columns_from_records(body, INPUTS)


def tensor(name, data, datatype="FP64", shape=None):
    return {"name": name, "datatype": datatype, "shape": shape or [len(data)], "data": data}


def test_v2_column_tensors_and_a_matrix_give_the_same_columns():
    body = {
        "inputs": [
            tensor("age", [41, 35]),
            tensor("plan", ["a", "b"], "BYTES"),
            tensor("active", [True, False], "BOOL"),
            tensor("since", ["2020-01-01", None], "BYTES"),
        ]
    }
    columns, n_rows, ignored = columns_from_v2(body, INPUTS)
    matrix = {
        "inputs": [
            tensor("x", [[41, "a", True, "2020-01-01"], [35, "b", False, None]], "BYTES", [2, 4])
        ]
    }
    same, n, _ = columns_from_v2(matrix, INPUTS)
    assert n_rows == n == 2 and not ignored
    assert {k: list(v) for k, v in columns.items()} == {k: list(v) for k, v in same.items()}


@pytest.mark.parametrize(
    ("inputs", "match"),
    [
        ([tensor("age", [1, 2], shape=[3])], "shape"),
        ([tensor("age", [1], "FP99")], "datatype"),
        ([tensor("since", [1.5], "FP64")], "expects BYTES"),
        ([tensor("age", [1]), tensor("age", [2])], "twice"),
        ([tensor("age", [1]), tensor("plan", ["a", "b"], "BYTES")], "rows"),
        ([tensor("x", [1, 2, 3], shape=[1, 3])], r"\[n, 4\]"),
    ],
)
def test_v2_malformed_tensors_are_explained(inputs, match):
    with pytest.raises(InputError, match=match):
        columns_from_v2({"inputs": inputs}, INPUTS)


def test_v2_unknown_outputs_are_refused():
    assert requested_outputs({}, ["prediction"]) is None
    with pytest.raises(InputError, match="Unknown output"):
        requested_outputs({"outputs": [{"name": "nope"}]}, ["prediction"])
