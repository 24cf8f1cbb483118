"""Boosting rounds found by early stopping in cross-validation, and the holdout fold models."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import rightfit
from rightfit.models import FitContext
from rightfit.models._early_stopping import MAX_ROUNDS, patience, refit_rounds
from rightfit.search import cross_validate


def _data(n=600, task="binary", seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    signal = X["a"] * 2 + np.sin(3 * X["b"]) + rng.normal(scale=0.7, size=n)
    if task == "regression":
        return X, np.exp(1 + 0.5 * signal)
    return X, (signal > 0).astype(np.int64)


def _ctx(task, n, n_classes=2):
    return FitContext(
        task=task,
        n_rows=n,
        n_numeric=2,
        n_categorical=0,
        n_classes=None if task == "regression" else n_classes,
        n_jobs=1,
    )


def _folds(n, k):
    idx = np.arange(n)
    parts = np.array_split(idx, k)
    return tuple((np.setdiff1d(idx, p), p) for p in parts)


LGB = {
    "learning_rate": 0.1,
    "num_leaves": 15,
    "min_child_samples": 10,
    "min_child_weight": 1.0,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "reg_lambda": 1e-3,
    "reg_alpha": 1e-3,
}
XGB = {
    "learning_rate": 0.1,
    "max_depth": 4,
    "min_child_weight": 1.0,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "reg_lambda": 1.0,
    "reg_alpha": 1e-3,
}


@pytest.mark.parametrize(("family", "params"), [("lightgbm", LGB), ("xgboost", XGB)])
def test_folds_stop_early_and_the_trial_learns_its_refit_rounds(family, params):
    X, y = _data()
    res = cross_validate(
        family,
        params,
        X,
        y,
        _folds(len(y), 3),
        _ctx("binary", len(y)),
        "roc_auc",
        time.monotonic() + 60,
    )
    assert res.status == "ok", res.error
    rounds = res.extra["early_stopping"]["best_rounds"]
    assert len(rounds) == 3 and all(1 <= r < MAX_ROUNDS for r in rounds)
    assert res.extra["early_stopping"]["deadline"] is False
    # The rounds to refit with: the mean best round, scaled up for 3/2 more rows.
    assert res.learned["n_estimators"] == refit_rounds(rounds, 400, 600)
    assert res.learned["n_estimators"] > np.mean(rounds)
    assert np.isfinite(res.oof).all()
    assert res.model is None  # k-fold CV keeps no fold model


def test_lightgbm_early_stopping_uses_no_deprecated_argument():
    """LightGBM 4.7 deprecates ``eval_set`` (a FutureWarning on every fold, hidden by the
    search's warning filter, removal to come); older versions know only ``eval_set``."""
    import dataclasses
    import warnings

    import lightgbm

    from rightfit.models.boosting import _early_stop_lightgbm

    X, y = _data()
    ctx = dataclasses.replace(_ctx("binary", len(y)), deadline=time.monotonic() + 60)
    model = lightgbm.LGBMClassifier(n_estimators=200, learning_rate=0.1, verbose=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        rounds, stopped = _early_stop_lightgbm(model, X[:400], y[:400], X[400:], y[400:], ctx, LGB)
    assert 1 <= rounds <= 200 and not stopped


def test_a_given_round_count_is_not_early_stopped():
    X, y = _data()
    res = cross_validate(
        "lightgbm",
        {**LGB, "n_estimators": 7},
        X,
        y,
        _folds(len(y), 2),
        _ctx("binary", len(y)),
        "roc_auc",
        time.monotonic() + 60,
    )
    assert res.status == "ok" and res.learned == {} and "early_stopping" not in res.extra


def test_a_fold_at_its_deadline_keeps_its_best_round_instead_of_failing():
    X, y = _data(n=4000)
    slow = {**LGB, "learning_rate": 0.002, "num_leaves": 64, "min_child_samples": 2}
    assert patience(0.002) == 200
    res = cross_validate(
        "lightgbm",
        slow,
        X,
        y,
        ((np.arange(3000), np.arange(3000, 4000)),),
        _ctx("binary", 3000),
        "roc_auc",
        time.monotonic() + 0.5,
    )
    assert res.status == "ok", res.error
    assert res.extra["early_stopping"]["deadline"] is True
    assert res.learned["n_estimators"] < MAX_ROUNDS


@pytest.mark.parametrize("log_target", [False, True])
def test_a_single_validation_split_keeps_its_fitted_model(log_target):
    X, y = _data(task="regression")
    fold = ((np.arange(450), np.arange(450, 600)),)
    res = cross_validate(
        "xgboost",
        {**XGB, "log_target": log_target},
        X,
        y,
        fold,
        _ctx("regression", 450),
        "rmse",
        time.monotonic() + 60,
    )
    assert res.status == "ok", res.error
    assert res.model is not None
    again = res.model.predict(X.iloc[450:])
    np.testing.assert_allclose(again, res.oof[450:], rtol=1e-6)
    booster = res.model.regressor_ if log_target else res.model
    xgb = booster.steps[-1][1]
    # Fit-time callbacks must not travel into the bundle (skops would refuse them).
    assert xgb.get_params()["callbacks"] is None
    assert xgb.get_params()["early_stopping_rounds"] is None


def test_large_data_scores_the_blind_test_with_the_fold_models(monkeypatch, tmp_path):
    """Above the holdout threshold the blind test is scored without a refit on training rows;
    the bundle saves and reloads (no fit-time callback inside)."""
    import rightfit.pipeline._run as pipeline_run
    import rightfit.split._plan as plan

    monkeypatch.setattr(plan, "HOLDOUT_ABOVE", 300)
    # Which row counts the final models are fitted on: the fold models score the blind test, so
    # no fit on the 720 training rows; only the delivery refit on all 900 may happen. (Counted,
    # not timed: under a loaded CI worker the choice and calibration alone took 1.9 s.)
    refits = []
    fit_members = pipeline_run.fit_members

    def counted(members, weights, X, y, ctx):
        refits.append(len(X))
        return fit_members(members, weights, X, y, ctx)

    monkeypatch.setattr(pipeline_run, "fit_members", counted)
    X, y = _data(n=900)
    frame = X.assign(target=y)
    model = rightfit.fit(frame, "target", time_budget=20, models="lightgbm,xgboost", diagnose=False)
    record = model.record
    assert record["split"]["n_folds"] == 1
    assert set(refits) <= {900}, refits
    boosted = [t for t in record["leaderboard"]["entries"] if t["status"] == "ok"]
    assert boosted and all("n_estimators" in t["params"] for t in boosted)
    model.save(tmp_path / "m")
    again = rightfit.load(tmp_path / "m")
    np.testing.assert_allclose(again.predict_proba(X.head(50)), model.predict_proba(X.head(50)))


def test_with_k_folds_each_fold_gets_its_share_of_a_tight_deadline():
    """A slow booster on 3 folds: each fold stops at its share of the time, so the trial still
    ends with a score over every row instead of timing out after the first fold."""
    X, y = _data(n=4500)
    slow = {**LGB, "learning_rate": 0.002, "num_leaves": 64, "min_child_samples": 2}
    start = time.monotonic()
    res = cross_validate(
        "lightgbm", slow, X, y, _folds(len(y), 3), _ctx("binary", 3000), "roc_auc", start + 1.5
    )
    assert res.status == "ok", res.error
    assert len(res.extra["early_stopping"]["best_rounds"]) == 3
    assert res.extra["early_stopping"]["deadline"] is True
    assert np.isfinite(res.oof).all()
    assert time.monotonic() - start < 4.0
