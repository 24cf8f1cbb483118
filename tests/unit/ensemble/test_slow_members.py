"""Ensemble members must earn their place: slow-to-predict ones (forests, k-NN, SVM, neural)
by 0.2 % of the out-of-fold loss, the others by 0.05 %."""

from __future__ import annotations

import numpy as np

from rightfit.pipeline._final import _drop_idle_members
from rightfit.search import Trial


def _trial(number, family):
    return Trial(number=number, family=family, params={}, status="ok", loss=0.1)


def _members(forest_noise: float):
    rng = np.random.default_rng(0)
    y = rng.normal(size=400)
    boosted = y + rng.normal(scale=0.5, size=400)
    forest = y + rng.normal(scale=forest_noise, size=400)
    oof = {0: boosted, 1: forest}
    return [_trial(0, "lightgbm"), _trial(1, "extra_trees")], [0.5, 0.5], oof, y


def test_a_forest_that_barely_helps_is_dropped():
    # An almost identical second opinion: averaging changes the loss by far less than 0.2 %.
    members, weights, oof, y = _members(forest_noise=0.5)
    oof[1] = oof[0] + 1e-4
    kept, _ = _drop_idle_members(members, weights, oof, y, "rmse", np.arange(400), False)
    assert [t.family for t in kept] == ["lightgbm"]


def test_a_forest_that_clearly_helps_stays():
    # An independent error of the same size: averaging the two cuts RMSE by about 30 %.
    members, weights, oof, y = _members(forest_noise=0.5)
    kept, _ = _drop_idle_members(members, weights, oof, y, "rmse", np.arange(400), False)
    assert [t.family for t in kept] == ["lightgbm", "extra_trees"]


def test_a_booster_that_barely_helps_is_dropped_too():
    members, _, oof, y = _members(forest_noise=0.5)
    members[1] = _trial(1, "xgboost")
    oof[1] = oof[0] + 1e-4
    kept, kept_weights = _drop_idle_members(
        members, [0.8, 0.2], oof, y, "rmse", np.arange(400), False
    )
    # two near-copies: one of them goes (either is as good alone)
    assert len(kept) == 1 and len(kept_weights) == 1


def test_a_booster_that_clearly_helps_stays():
    members, weights, oof, y = _members(forest_noise=0.5)
    members[1] = _trial(1, "xgboost")
    kept, _ = _drop_idle_members(members, weights, oof, y, "rmse", np.arange(400), False)
    assert [t.family for t in kept] == ["lightgbm", "xgboost"]


def test_of_two_idle_members_the_slow_one_goes_first():
    rng = np.random.default_rng(0)
    y = rng.normal(size=400)
    base = y + rng.normal(scale=0.5, size=400)
    oof = {0: base, 1: base + 1e-4, 2: base - 1e-4}
    members = [_trial(0, "lightgbm"), _trial(1, "xgboost"), _trial(2, "random_forest")]
    kept, _ = _drop_idle_members(members, [0.4, 0.3, 0.3], oof, y, "rmse", np.arange(400), False)
    assert len(kept) == 1 and kept[0].family != "random_forest"
