"""The Python API as a user calls it: fit a DataFrame, predict, save, load, sklearn estimators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import rightfit
from rightfit.errors import NotFittedError, SchemaMismatchError
from tests._data import make_table

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model():
    return rightfit.fit(
        make_table(300, "multiclass", seed=5), target="churn", time_budget=12, verbose=0
    )


def test_fit_on_a_dataframe_predicts_labels_and_probabilities(model):
    new = make_table(20, "multiclass", seed=6).drop(columns="churn")
    labels = model.predict(new)
    proba = model.predict_proba(new)
    assert set(labels) <= {"low", "mid", "high"}
    assert proba.shape == (20, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model.classes_) == sorted(["low", "mid", "high"])
    assert list(labels) == list(model.classes_[proba.argmax(axis=1)])


def test_leaderboard_is_a_frame_of_trials(model):
    board = model.leaderboard()
    assert {"family", "cv_log_loss", "fit_seconds", "params", "status"} <= set(board.columns)
    ok = board[board["status"] == "ok"]
    assert ok["cv_log_loss"].is_monotonic_increasing


def test_save_and_load_round_trip_predicts_identically(model, tmp_path):
    path = model.save(tmp_path / "bundle")
    again = rightfit.load(path)
    new = make_table(50, "multiclass", seed=7).drop(columns="churn")
    np.testing.assert_array_equal(model.predict_proba(new), again.predict_proba(new))
    assert again.record["leaderboard"] == model.record["leaderboard"]


def test_predict_checks_the_schema(model):
    new = make_table(5, "multiclass", seed=8).drop(columns=["churn", "income"])
    with pytest.raises(SchemaMismatchError, match="income"):
        model.predict(new)
    extra = make_table(5, "multiclass", seed=8).drop(columns="churn").assign(surprise=1)
    with pytest.warns(UserWarning, match="surprise"):
        model.predict(extra)
    castable = make_table(5, "multiclass", seed=8).drop(columns="churn")
    castable["age"] = castable["age"].astype(str)
    np.testing.assert_allclose(
        model.predict_proba(castable),
        model.predict_proba(make_table(5, "multiclass", seed=8).drop(columns="churn")),
    )


def test_regression_with_test_size_zero_says_there_is_no_blind_test():
    m = rightfit.fit(
        make_table(200, "regression"),
        target="churn",
        time_budget=5,
        test_size=0,
        models=["linear", "lightgbm"],
        verbose=0,
    )
    assert m.record["evaluation"] is None
    assert "no blind test" in m.record["split"]["description"]
    assert m.predict(make_table(3, "regression").drop(columns="churn")).dtype == float


def test_auto_classifier_is_a_scikit_learn_estimator():
    X = make_table(200, "binary", seed=2)
    y = (X.pop("churn") == "yes").astype(int)
    clf = rightfit.AutoClassifier(time_budget=6, models=["linear", "lightgbm"])
    assert clone(clf).get_params() == clf.get_params()
    with pytest.raises(NotFittedError, match="not fitted"):
        clf.predict(X)
    clf.fit(X, y)
    assert list(clf.classes_) == [0, 1]
    assert set(clf.predict(X)) <= {0, 1}
    assert clf.predict_proba(X).shape == (200, 2)
    assert 0.5 < clf.score(X, y) <= 1.0
    assert len(clf.leaderboard_) >= 1 and clf.record_["task"] == "binary"
    pipe = make_pipeline(FunctionTransformer(lambda d: d), clone(clf).set_params(time_budget=5))
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (200,)


def test_auto_regressor_in_cross_val_score_with_numpy_input():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = X[:, 0] * 2 + rng.normal(scale=0.1, size=150)
    reg = rightfit.AutoRegressor(time_budget=6, models=["linear"], test_size=0)
    scores = cross_val_score(reg, X, y, cv=2)
    assert (scores > 0.9).all()
    assert isinstance(pd.DataFrame(X), pd.DataFrame)
