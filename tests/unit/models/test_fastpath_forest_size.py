"""Forests stay small on large data: a floor on leaf size keeps bundles and latency bounded."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import optuna
import pandas as pd
import pytest

from rightfit.models import FitContext, forests, get_spec
from rightfit.models.forests import MAX_LEAVES, MIN_TREES, N_TREES, min_leaf, n_trees

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _ctx(n_rows: int, task: str = "binary") -> FitContext:
    return FitContext(task=task, n_rows=n_rows, n_numeric=6, n_categorical=0, n_classes=2, n_jobs=1)


@pytest.mark.parametrize("family", ["random_forest", "extra_trees"])
def test_small_data_keeps_fully_grown_trees(family):
    assert min_leaf(family, _ctx(900)) == 1
    assert get_spec(family).portfolio(_ctx(900))[0]["min_samples_leaf"] == 1


@pytest.mark.parametrize("family", ["random_forest", "extra_trees"])
@pytest.mark.parametrize("task", ["binary", "regression"])
def test_large_data_leaves_hold_enough_rows_in_portfolio_and_search(family, task):
    ctx = _ctx(40_000, task)
    floor = min_leaf(family, ctx)
    assert floor == -(-40_000 // MAX_LEAVES[family]) > 1
    spec = get_spec(family)
    assert all(p["min_samples_leaf"] >= floor for p in spec.portfolio(ctx))
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        assert spec.sample(study.ask(), ctx)["min_samples_leaf"] >= floor


def test_random_forest_rows_per_tree_are_capped():
    assert min_leaf("random_forest", _ctx(400_000)) == 50_000 // MAX_LEAVES["random_forest"]


def test_a_forest_on_noisy_large_data_stays_under_its_leaf_cap():
    rng = np.random.default_rng(0)
    n = 12_000
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{i}" for i in range(6)])
    y = (X["x0"] + rng.normal(scale=2.0, size=n) > 0).astype(int).to_numpy()  # noisy: deep trees
    ctx = _ctx(n)
    spec = get_spec("random_forest")
    model = spec.build({**spec.portfolio(ctx)[0], "n_estimators": 4}, ctx).fit(X, y)
    leaves = [(tree.tree_.node_count + 1) // 2 for tree in model[-1].estimators_]
    assert max(leaves) <= MAX_LEAVES["random_forest"]


def test_chunked_fits_with_balanced_weights_do_not_warn():
    import time
    import warnings

    from rightfit.models._timed_forests import TimedRandomForestClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0.8).astype(int)
    model = TimedRandomForestClassifier(
        n_estimators=20, class_weight="balanced_subsample", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, y, deadline=time.monotonic() + 60)
    assert len(model.estimators_) == 20


def _log_loss_ctx(n_rows: int) -> FitContext:
    return FitContext(
        task="multiclass", n_rows=n_rows, n_numeric=6, n_categorical=0, n_classes=4, n_jobs=1,
        probability_metric=True,
    )  # fmt: skip


@pytest.mark.parametrize("family", ["random_forest", "extra_trees"])
def test_under_log_loss_no_leaf_holds_a_single_row(family):
    ctx = _log_loss_ctx(900)
    spec = get_spec(family)
    assert [p["min_samples_leaf"] for p in spec.portfolio(ctx)] == [3, 10]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    assert min(spec.sample(study.ask(), ctx)["min_samples_leaf"] for _ in range(30)) >= 2


def test_under_log_loss_the_first_extra_trees_beat_fully_grown_ones():
    # Noisy classes over survey-like columns of few values: rows that look alike disagree, and
    # one-row leaves give the true class ~0 whenever the trees agree wrongly.
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(0)
    n = 1_500
    X = pd.DataFrame(rng.integers(0, 5, size=(n, 6)), columns=[f"x{i}" for i in range(6)])
    y = np.digitize(X["x0"] + X["x1"] + rng.normal(scale=1.5, size=n), [2.5, 4, 5.5])
    fit, val = np.arange(1_000), np.arange(1_000, n)
    ctx = _log_loss_ctx(1_000)
    spec = get_spec("extra_trees")
    losses = {}
    for leaf in (1, spec.portfolio(ctx)[0]["min_samples_leaf"]):
        params = {**spec.portfolio(ctx)[0], "min_samples_leaf": leaf}
        model = spec.build(params, ctx).fit(X.iloc[fit], y[fit])
        losses[leaf] = log_loss(y[val], model.predict_proba(X.iloc[val]), labels=[0, 1, 2, 3])
    assert losses[3] < 0.8 * losses[1], losses


def _forest_bytes(model) -> int:
    return sum(t.tree_.value.nbytes + t.tree_.node_count * 64 for t in model[-1].estimators_)


@pytest.mark.parametrize("family", ["random_forest", "extra_trees"])
@pytest.mark.parametrize("task", ["binary", "regression"])
@pytest.mark.parametrize("rows", [300, 9_000, 40_000, 400_000])
def test_the_memory_cap_leaves_binary_and_regression_forests_as_they_were(family, task, rows):
    ctx = FitContext(task=task, n_rows=rows, n_numeric=30, n_categorical=0, n_classes=2)
    cells = rows * 30
    assert min_leaf(family, ctx) == max(
        1, -(-min(rows, 50_000 if family == "random_forest" else rows) // MAX_LEAVES[family])
    )
    for leaf in (min_leaf(family, ctx), 30):
        assert n_trees(ctx, family, leaf) == int(min(200, max(100, 200e6 / cells)))


def test_many_classes_get_fewer_trees_before_larger_leaves():
    ctx = FitContext(task="multiclass", n_rows=16_000, n_numeric=40, n_categorical=0, n_classes=26)
    assert n_trees(ctx, "extra_trees", 4) < N_TREES  # 16k rows / 4 = 4,000 leaves of 26 values
    assert min_leaf("extra_trees", ctx) == min_leaf(
        "extra_trees", replace(ctx, task="binary", n_classes=2)
    )
    many = replace(ctx, n_classes=150)
    assert n_trees(many, "extra_trees", min_leaf("extra_trees", many)) >= MIN_TREES
    assert min_leaf("extra_trees", many) > min_leaf("extra_trees", ctx)


@pytest.mark.parametrize("family", ["random_forest", "extra_trees"])
def test_a_many_class_forest_holds_at_most_its_memory_cap(family, monkeypatch):
    # Shrunk so that the cap binds on a small table: 20 classes store 20 values in every node.
    monkeypatch.setattr(forests, "FOREST_MAX_MB", 2.0)
    rng = np.random.default_rng(0)
    n = 3_000
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{i}" for i in range(6)])
    y = np.digitize(X["x0"] + rng.normal(scale=1.0, size=n), np.linspace(-2, 2, 19))
    ctx = FitContext(
        task="multiclass", n_rows=n, n_numeric=6, n_categorical=0, n_classes=20, n_jobs=1,
        probability_metric=True,
    )  # fmt: skip
    spec = get_spec(family)
    model = spec.build(spec.portfolio(ctx)[0], ctx).fit(X, y)
    assert len(model[-1].estimators_) >= MIN_TREES
    assert _forest_bytes(model) <= 2.0 * 2**20
    # The same forest with every tree it used to get holds several times more.
    model = spec.build(
        {**spec.portfolio(ctx)[0], "n_estimators": N_TREES, "min_samples_leaf": 3}, ctx
    )
    assert _forest_bytes(model.fit(X, y)) > 2 * 2.0 * 2**20
