"""The CatBoost family: categorical codes reach CatBoost as categories, early stopping and its
deadline work like the other boosters, and a bundle holds CatBoost's own bytes, not a pickle."""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import pytest

import rightfit
from rightfit.models import FitContext
from rightfit.models._early_stopping import MAX_ROUNDS
from rightfit.models.catboost_trees import CatBoostClassifierModel, CatBoostRegressorModel
from rightfit.search import cross_validate

pytest.importorskip("catboost")

PARAMS = {"learning_rate": 0.1, "depth": 4, "l2_leaf_reg": 3.0, "random_strength": 1.0}


def _table(n=800, seed=0):
    """A label that depends on a category's identity (not its code order) and a number."""
    rng = np.random.default_rng(seed)
    city = rng.choice([f"c{i}" for i in range(12)], size=n)
    effect = {f"c{i}": (1.5 if i % 3 == 0 else -0.7) for i in range(12)}
    x = rng.normal(size=n)
    logit = np.array([effect[c] for c in city]) + x
    y = (logit + rng.logistic(size=n) * 0.5 > 0).astype(int)
    return pd.DataFrame({"city": city, "x": x}), y


def _ctx(task, n, n_categorical=1, n_classes=2):
    return FitContext(
        task=task,
        n_rows=n,
        n_numeric=1,
        n_categorical=n_categorical,
        n_classes=None if task == "regression" else n_classes,
        n_jobs=1,
    )


def test_categories_are_learned_as_categories_and_probabilities_are_valid():
    X, y = _table()
    codes = pd.factorize(X["city"])[0].astype(float)
    matrix = np.column_stack([X["x"], codes])
    model = CatBoostClassifierModel(n_estimators=200, cat_features=(1,), n_jobs=1)
    model.fit(matrix[:600], y[:600])
    proba = model.predict_proba(matrix[600:])
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(y[600:], proba[:, 1]) > 0.8
    # a missing or unseen category (NaN code) is a level of its own, not an error
    row = np.array([[0.3, np.nan]])
    assert np.isfinite(model.predict_proba(row)).all()


def test_early_stopping_in_cross_validation_learns_the_refit_rounds():
    X, y = _table()
    folds = tuple(
        (np.setdiff1d(np.arange(len(y)), part), part)
        for part in np.array_split(np.arange(len(y)), 3)
    )
    res = cross_validate(
        "catboost", PARAMS, X, y, folds, _ctx("binary", 533), "roc_auc", time.monotonic() + 60
    )
    assert res.status == "ok", res.error
    rounds = res.extra["early_stopping"]["best_rounds"]
    assert len(rounds) == 3 and all(1 <= r < MAX_ROUNDS for r in rounds)
    assert res.extra["early_stopping"]["deadline"] is False
    assert res.learned["n_estimators"] >= np.mean(rounds)


def test_a_fold_at_its_deadline_keeps_its_best_round_instead_of_failing():
    X, y = _table(n=3000)
    slow = {**PARAMS, "learning_rate": 0.01, "depth": 8}
    res = cross_validate(
        "catboost",
        slow,
        X,
        y,
        ((np.arange(2400), np.arange(2400, 3000)),),
        _ctx("binary", 2400),
        "roc_auc",
        time.monotonic() + 0.5,
    )
    assert res.status == "ok", res.error
    assert res.extra["early_stopping"]["deadline"] is True
    assert res.learned["n_estimators"] < MAX_ROUNDS
    # the kept fold model carries no deadline into later use
    assert res.model.steps[-1][1].deadline is None


def test_regression_and_the_state_a_bundle_stores(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    y = X[:, 0] * 3 + np.sin(X[:, 1]) + rng.normal(scale=0.1, size=400)
    model = CatBoostRegressorModel(n_estimators=150, learning_rate=0.1, n_jobs=1).fit(X, y)
    state = model.__getstate__()
    assert isinstance(state["model_bytes_"], bytes) and "_model" not in state
    copy = CatBoostRegressorModel.__new__(CatBoostRegressorModel)
    copy.__setstate__(state)
    np.testing.assert_allclose(copy.predict(X[:20]), model.predict(X[:20]))


def _catboost_models(estimator) -> list:
    """Every CatBoost estimator inside a pipeline, ensemble or calibrated model."""
    if hasattr(estimator, "model_bytes_"):
        return [estimator]
    inner = []
    for name in ("steps", "estimators"):
        for part in getattr(estimator, name, None) or []:
            inner += _catboost_models(part[-1] if isinstance(part, tuple) else part)
    wrapped = getattr(estimator, "estimator", None)
    return inner + (_catboost_models(wrapped) if wrapped is not None else [])


def test_fit_writes_no_catboost_info_folder_and_the_bundle_round_trips(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    X, y = _table(n=600)
    frame = X.assign(label=np.where(y == 1, "yes", "no"))
    model = rightfit.fit(frame, target="label", models="catboost", time_budget=30)
    assert {m["family"] for m in model.record["chosen"]["members"]} == {"catboost"}
    assert not (tmp_path / "catboost_info").exists()
    assert not any(name.startswith("catboost") for name in os.listdir(tmp_path))
    out = tmp_path / "bundle"
    model.save(out)
    again = rightfit.load(out)  # the trust check refuses any pickle-only type
    # load warms the model up: CatBoost's bytes are already a live model before the first call
    # (the delivered estimator may be one pipeline, an ensemble of them, or a calibrated one)
    boosters = _catboost_models(again.predictor.estimator)
    assert boosters and all(b._model is not None for b in boosters)
    np.testing.assert_allclose(
        again.predict_proba(frame.head(50)), model.predict_proba(frame.head(50)), rtol=1e-9
    )


def test_many_categoricals_start_with_single_column_statistics_and_cost_less():
    from rightfit.models import get_spec
    from rightfit.models.catboost_trees import MANY_CATEGORICALS

    spec = get_spec("catboost")
    few, many = (_ctx("binary", 5000, n_categorical=n) for n in (2, MANY_CATEGORICALS + 30))
    assert all("max_ctr_complexity" not in p for p in spec.portfolio(few))  # CatBoost's default
    first = spec.portfolio(many)[0]
    assert first["max_ctr_complexity"] == 1
    assert spec.cost(first, many) < spec.cost({**first, "max_ctr_complexity": 4}, many) / 2

    # the setting reaches CatBoost, and survives the bundle's state
    X, y = _table(300)
    matrix = np.column_stack([X["x"], pd.factorize(X["city"])[0].astype(float)])
    model = CatBoostClassifierModel(n_estimators=20, cat_features=(1,), max_ctr_complexity=1)
    model.fit(matrix, y)
    assert model._model.get_params()["max_ctr_complexity"] == 1
    assert CatBoostClassifierModel().get_params()["max_ctr_complexity"] is None


def test_a_bundle_saved_before_max_ctr_complexity_existed_still_predicts_in_batches():
    from rightfit.models import set_threads

    X, y = _table(200)
    matrix = np.column_stack([X["x"], pd.factorize(X["city"])[0].astype(float)])
    model = CatBoostClassifierModel(n_estimators=10, cat_features=(1,)).fit(matrix, y)
    state = model.__getstate__()
    del state["max_ctr_complexity"]  # what a bundle written by rightfit before it holds
    old = CatBoostClassifierModel.__new__(CatBoostClassifierModel)
    old.__setstate__(state)
    set_threads(old, 2)  # reads get_params: raised AttributeError on such bundles
    assert old.get_params()["max_ctr_complexity"] is None
    np.testing.assert_allclose(old.predict_proba(matrix), model.predict_proba(matrix))


def test_a_fit_without_early_stopping_that_reaches_its_deadline_raises_trial_timeout():
    """A fixed-rounds fit (a refit, a point of the fit diagnosis) past its deadline is a
    TrialTimeout like the other families', not CatBoost's own error around it."""
    from rightfit.models import TrialTimeout

    X, y = _table(n=3000)
    matrix = np.column_stack([X["x"], pd.factorize(X["city"])[0].astype(float)])
    model = CatBoostClassifierModel(
        **{**PARAMS, "learning_rate": 0.01, "depth": 8},
        n_estimators=5000,
        cat_features=(1,),
        n_jobs=1,
        deadline=time.monotonic() + 0.3,
    )
    with pytest.raises(TrialTimeout):
        model.fit(matrix, y)


def test_category_codes_reach_catboost_as_the_same_text_as_numpy_formats_them():
    # CatBoost hashes the text of each categorical cell: a table of formatted codes must give
    # exactly numpy's own formatting, for dense codes, missing (-1), sparse and empty inputs.
    from rightfit.models.catboost_trees import _code_text

    rng = np.random.default_rng(0)
    cases = [
        rng.integers(-1, 40, size=(500, 3)),
        np.array([[-1, 0, 7]]),  # a served row: numpy formats it
        np.tile([[-1, 5_000_000], [3, 2]], (40, 1)),  # too sparse for a table
        np.zeros((0, 2), dtype=np.int64),
    ]
    for codes in cases:
        expected = codes.astype(str).astype(object)
        got = _code_text(codes)
        assert got.shape == expected.shape and got.dtype == object
        assert all(type(cell) is str for cell in got.ravel())
        assert got.tolist() == expected.tolist()
