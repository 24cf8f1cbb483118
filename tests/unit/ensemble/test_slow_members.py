"""Slow-to-predict ensemble members (forests, k-NN, SVM, neural) must earn their place."""

from __future__ import annotations

import numpy as np

from rightfit.pipeline._final import _drop_costly_members
from rightfit.search import Trial


class _Search:
    def __init__(self, oof):
        self.oof = oof


def _trial(number, family):
    return Trial(number=number, family=family, params={}, status="ok", loss=0.1)


def _members(forest_noise: float):
    rng = np.random.default_rng(0)
    y = rng.normal(size=400)
    boosted = y + rng.normal(scale=0.5, size=400)
    forest = y + rng.normal(scale=forest_noise, size=400)
    oof = {0: boosted, 1: forest}
    return [_trial(0, "lightgbm"), _trial(1, "extra_trees")], [0.5, 0.5], _Search(oof), y


def test_a_forest_that_barely_helps_is_dropped():
    # An almost identical second opinion: averaging changes the loss by far less than 0.2 %.
    members, weights, search, y = _members(forest_noise=0.5)
    search.oof[1] = search.oof[0] + 1e-4
    kept, _ = _drop_costly_members(members, weights, search, y, "rmse", np.arange(400), False)
    assert [t.family for t in kept] == ["lightgbm"]


def test_a_forest_that_clearly_helps_stays():
    # An independent error of the same size: averaging the two cuts RMSE by about 30 %.
    members, weights, search, y = _members(forest_noise=0.5)
    kept, _ = _drop_costly_members(members, weights, search, y, "rmse", np.arange(400), False)
    assert [t.family for t in kept] == ["lightgbm", "extra_trees"]
