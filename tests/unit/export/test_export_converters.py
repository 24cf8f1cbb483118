"""ONNX conversion of the pieces rightfit delivers, checked with ONNX Runtime against sklearn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from rightfit.data import ColumnSchema, Schema, prepare_features
from rightfit.models.preprocess import dense_preprocessor, tree_preprocessor

pytest.importorskip("onnxruntime")

SCHEMA = Schema(
    (
        ColumnSchema("x", "numeric", "float64", "numeric"),
        ColumnSchema("z", "numeric", "float64", "numeric"),
        ColumnSchema("city", "categorical", "str", "categorical"),
    ),
    "y",
    "binary",
    (0, 1),
)


def frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[rng.random(n) < 0.1] = np.nan
    city = rng.choice(["a", "b", "c", "rare1", "rare2"], n, p=[0.5, 0.3, 0.16, 0.02, 0.02])
    city = city.astype(object)
    city[rng.random(n) < 0.05] = np.nan
    raw = pd.DataFrame({"x": x, "z": rng.normal(size=n) * 100, "city": city})
    return prepare_features(raw, SCHEMA)  # categories as object labels, as rightfit fits them


def onnx_probabilities(estimator, X: pd.DataFrame) -> np.ndarray:
    import onnxruntime

    from rightfit.export._ensemble import convert_estimator

    model = convert_estimator(estimator, X, "binary")
    session = onnxruntime.InferenceSession(model.SerializeToString())
    feed = {
        "x": X[["x"]].to_numpy(np.float32),
        "z": X[["z"]].to_numpy(np.float32),
        "city": X[["city"]].fillna("").to_numpy(object),
    }
    return session.run(None, feed)[0]


@pytest.fixture(scope="module")
def data():
    train = frame(400, 0)
    y = ((train["z"] > 0) ^ (train["city"] == "b")).astype(int)
    test = frame(300, 1)
    test.loc[:20, "city"] = "never-seen"
    assert test["city"].dtype == object
    return train, y, test


def test_dense_pipeline_with_indicators_clipping_rare_and_unseen_levels(data):
    from sklearn.pipeline import Pipeline

    train, y, test = data
    pipeline = Pipeline([("prep", dense_preprocessor(len(train))), ("model", LogisticRegression())])
    pipeline.fit(train, y)
    onehot = pipeline[0].named_transformers_["categorical"][-1]
    assert onehot.infrequent_categories_[0] is not None  # the rare levels are grouped
    got = onnx_probabilities(pipeline, test)
    np.testing.assert_allclose(got, pipeline.predict_proba(test), atol=1e-5)


def test_forest_sends_missing_values_where_sklearn_does(data):
    from sklearn.pipeline import Pipeline

    train, y, test = data
    pipeline = Pipeline(
        [
            ("prep", tree_preprocessor(len(train))),
            ("model", RandomForestClassifier(n_estimators=20, random_state=0)),
        ]
    )
    pipeline.fit(train, y)
    got = onnx_probabilities(pipeline, test)
    np.testing.assert_allclose(got, pipeline.predict_proba(test), atol=1e-5)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("sigmoid", {"a": 1.4, "b": -0.3}),
        ("isotonic", {"x": [0.1, 0.4, 0.4, 0.8], "y": [0.0, 0.3, 0.35, 1.0]}),
    ],
)
def test_calibration_maps_follow_apply_calibration(data, method, params):
    from sklearn.pipeline import Pipeline

    from rightfit.models._calibrated import CalibratedModel

    train, y, test = data
    inner = Pipeline(
        [
            ("prep", tree_preprocessor(len(train))),
            ("model", RandomForestClassifier(n_estimators=10, random_state=0)),
        ]
    )
    calibrated = CalibratedModel.from_params(inner.fit(train, y), method, params)
    got = onnx_probabilities(calibrated, test)
    np.testing.assert_allclose(got, calibrated.predict_proba(test), atol=1e-5)


def test_an_estimator_onnx_cannot_express_is_refused_with_the_fix():
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import Pipeline

    from rightfit.api import Model
    from rightfit.errors import ConfigError
    from rightfit.export import build_onnx
    from rightfit.models import TabularPredictor

    train = frame(100, 3)
    y = (train["z"] > 0).astype(int)
    dummy = Pipeline([("prep", dense_preprocessor(100)), ("model", DummyClassifier())])
    model = Model(
        TabularPredictor(dummy.fit(train, y), SCHEMA),
        {"task": "binary", "chosen": {"members": [{"family": "dummy"}]}},
    )
    with pytest.raises(ConfigError, match=r"dummy.*--models lightgbm"):
        build_onnx(model)


@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
def test_poisson_boosters_export_their_exp(data, family):
    # Counts: a Poisson objective predicts exp(raw score); ONNX must apply it too.
    import onnxruntime
    from lightgbm import LGBMRegressor
    from sklearn.pipeline import Pipeline
    from xgboost import XGBRegressor

    from rightfit.export._ensemble import convert_estimator

    train, _, test = data
    rng = np.random.default_rng(0)
    counts = rng.poisson(np.exp(0.5 + 0.01 * train["z"].to_numpy())).astype(float)
    booster = (
        LGBMRegressor(objective="poisson", n_estimators=30, verbose=-1)
        if family == "lightgbm"
        else XGBRegressor(objective="count:poisson", n_estimators=30)
    )
    pipeline = Pipeline([("prep", tree_preprocessor(len(train))), ("model", booster)])
    pipeline.fit(train, counts)
    session = onnxruntime.InferenceSession(
        convert_estimator(pipeline, test, "regression").SerializeToString()
    )
    feed = {
        "x": test[["x"]].to_numpy(np.float32),
        "z": test[["z"]].to_numpy(np.float32),
        "city": test[["city"]].fillna("").to_numpy(object),
    }
    got = session.run(None, feed)[0].ravel()
    np.testing.assert_allclose(got, pipeline.predict(test), rtol=1e-5, atol=1e-5)
