from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rightfit.data import Schema, infer_schema, prepare_features, read_target
from rightfit.errors import SchemaMismatchError, TargetError


@pytest.fixture()
def training():
    n = 120
    frame = pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(n)],
            "amount": [f" {i}.5 " for i in range(n)],
            "member": ["yes", "no", "YES", "No"] * (n // 4),
            "color": ["red", "blue", "?", None] * (n // 4),
            "day": pd.date_range("2022-01-01", periods=n, freq="D").astype(str),
            "y": [0, 1] * (n // 2),
        }
    )
    return frame, infer_schema(frame, "y")


def test_output_types_and_order(training):
    frame, schema = training
    features = prepare_features(frame, schema)
    assert list(features.columns) == [
        "amount",
        "member",
        "color",
        "day__year",
        "day__month",
        "day__day",
        "day__dayofweek",
        "day__epoch_days",
    ]
    assert features["amount"].dtype == "float64" and features["amount"].iloc[1] == 1.5
    assert features["member"].tolist()[:4] == [1.0, 0.0, 1.0, 0.0]
    assert features["color"].dtype == object
    assert features["color"].iloc[0] == "red" and type(features["color"].iloc[0]) is str
    assert np.isnan(features["color"].iloc[2]) and np.isnan(features["color"].iloc[3])
    assert features["day__year"].iloc[0] == 2022.0 and features["day__epoch_days"].iloc[0] == 18993
    assert isinstance(features.index, pd.RangeIndex)


def test_one_row_matches_training(training):
    frame, schema = training
    full = prepare_features(frame, schema)
    row = frame.iloc[[7]].drop(columns=["y"])
    one = prepare_features(row, schema)
    pd.testing.assert_frame_equal(one, full.iloc[[7]].reset_index(drop=True))


def test_castable_columns_are_cast(training):
    _, schema = training
    row = pd.DataFrame(
        {"amount": [3], "member": [True], "color": [5], "day": ["2022-02-03"], "id": ["x"]}
    )
    features = prepare_features(row, schema)
    assert features["amount"].tolist() == [3.0]
    assert features["member"].tolist() == [1.0]
    assert features["color"].tolist() == ["5"]
    assert features["day__month"].tolist() == [2.0]


def test_missing_columns_listed_with_unexpected_separately(training):
    frame, schema = training
    renamed = frame.rename(columns={"color": "colour"}).drop(columns=["amount"])
    with pytest.raises(SchemaMismatchError) as error:
        prepare_features(renamed, schema)
    message = str(error.value)
    assert "missing 2 column(s) the model needs: 'amount', 'color'" in message
    assert "Unexpected columns: 'colour'" in message
    assert "Pass the same columns as in training" in message


def test_extra_columns_warn_but_target_and_known_columns_do_not(training):
    frame, schema = training
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare_features(frame, schema)  # target and id are known: no warning
    with pytest.warns(UserWarning, match=r"not trained on: 'extra'"):
        prepare_features(frame.assign(extra=1), schema)


def test_infinity_and_bad_numbers_become_missing(training):
    frame, schema = training
    row = frame.iloc[[0]].assign(amount=["inf"])
    assert np.isnan(prepare_features(row, schema)["amount"].iloc[0])


def test_read_target_casts_to_the_classes():
    schema = Schema((), "y", "binary", (0, 1))
    y = read_target(pd.DataFrame({"y": ["1", "0", " 1"]}, index=[5, 6, 7]), schema)
    assert y.tolist() == [1, 0, 1] and y.dtype == "int64" and list(y.index) == [0, 1, 2]
    labels = read_target(pd.DataFrame({"y": ["a", None]}), Schema((), "y", "binary", ("a", "b")))
    assert labels.iloc[0] == "a" and pd.isna(labels.iloc[1])


def test_read_target_regression_and_errors():
    schema = Schema((), "price", "regression", None)
    assert read_target(pd.DataFrame({"price": ["1.5", "x"]}), schema).iloc[0] == 1.5
    with pytest.raises(TargetError, match=r"no numeric values.*Choose a numeric target"):
        read_target(pd.DataFrame({"price": ["a", "b"]}), schema)
    with pytest.raises(TargetError, match=r"Did you mean 'prices'"):
        read_target(pd.DataFrame({"prices": [1.0]}), schema)
