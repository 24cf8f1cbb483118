"""The fit diagnosis takes its learning curve's full-size point from the search: the first
fold's model, scored on its own validation rows and on a sample of its fitting rows, so an
expensive model (CatBoost on diamonds: 6 s a fit) still gets a verdict."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from rightfit.diagnose import diagnose
from rightfit.diagnose._curves import CurveRunner, learning_curve
from rightfit.metrics import score
from rightfit.models import FitContext, get_spec
from rightfit.search._cv import FIRST_FOLD_TRAIN_ROWS, cross_validate
from rightfit.split import make_split


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = (X["a"] - X["b"] ** 2 + rng.normal(scale=0.5, size=n) > 0).astype(int).to_numpy()
    return X, y


def _ctx(n):
    return FitContext(task="binary", n_rows=n, n_numeric=2, n_categorical=0, n_classes=2)


def _lightgbm(n):
    return get_spec("lightgbm").portfolio(_ctx(n))[0]


@pytest.mark.parametrize("family", ["linear", "lightgbm"])
def test_cross_validation_scores_the_first_folds_model_on_its_fitting_rows(family):
    X, y = _data()
    folds = make_split(pd.Series(y), "binary", test_size=0).folds
    params = {"C": 1.0} if family == "linear" else _lightgbm(len(y))
    result = cross_validate(family, params, X, y, folds, _ctx(len(y)), "log_loss", math.inf)
    first = result.extra["first_fold"]
    assert first["validation"] == result.fold_scores[0]
    assert first["n_fit_rows"] == len(folds[0][0])
    assert first["train_rows_scored"] == FIRST_FOLD_TRAIN_ROWS
    assert 0 < first["seconds"] < result.seconds
    # a flexible model fits its own rows better than new ones; a linear one about as well
    gap = first["validation"] - first["train"]
    assert gap > 0.02 if family == "lightgbm" else abs(gap) < 0.05


class _CountingRunner(CurveRunner):
    def __init__(self, *args):
        super().__init__(*args)
        self.sizes = []

    def point(self, rows, params, deadline):
        self.sizes.append(len(rows))
        return super().point(rows, params, deadline)


def test_the_learning_curve_uses_the_searchs_full_size_point_and_fits_only_the_smaller_ones():
    X, y = _data()
    folds = make_split(pd.Series(y), "binary", test_size=0).folds
    result = cross_validate("linear", {"C": 1.0}, X, y, folds, _ctx(len(y)), "log_loss", math.inf)
    runner = _CountingRunner("linear", {"C": 1.0}, X, y, folds[0], "binary", "log_loss", 2, 0, 1)
    full = len(folds[0][0])
    curve = learning_curve(runner, 0.01, math.inf, 0, full_point=result.extra["first_fold"])
    assert full not in runner.sizes and len(runner.sizes) == 3
    assert curve.values[-1] == full
    assert curve.validation[-1] == result.fold_scores[0]
    assert any("search's own model" in note for note in curve.notes)
    # without it, the full size is fitted again, and agrees with the search's own score
    plain = _CountingRunner("linear", {"C": 1.0}, X, y, folds[0], "binary", "log_loss", 2, 0, 1)
    refit = learning_curve(plain, 0.01, math.inf, 0)
    assert full in plain.sizes
    assert refit.validation[-1] == pytest.approx(result.fold_scores[0], rel=1e-6)


def test_a_point_for_another_fold_size_is_not_used():
    X, y = _data()
    folds = make_split(pd.Series(y), "binary", test_size=0).folds
    runner = _CountingRunner("linear", {"C": 1.0}, X, y, folds[0], "binary", "log_loss", 2, 0, 1)
    stale = {
        "train": 0.1,
        "validation": 0.2,
        "seconds": 0.01,
        "n_fit_rows": 7,
        "train_rows_scored": 7,
    }
    learning_curve(runner, 0.01, math.inf, 0, full_point=stale)
    assert len(folds[0][0]) in runner.sizes


def test_a_diagnosis_with_no_time_for_a_fit_still_reaches_a_verdict_from_the_search():
    X, y = _data()
    folds = make_split(pd.Series(y), "binary", test_size=0).folds
    params = _lightgbm(len(y))
    result = cross_validate("lightgbm", params, X, y, folds, _ctx(len(y)), "log_loss", math.inf)
    baseline = score("log_loss", y[folds[0][1]], np.tile([0.5, 0.5], (len(folds[0][1]), 1)))
    common = dict(
        task="binary",
        metric="log_loss",
        n_classes=2,
        baseline_score=baseline,
        # a fold fit measured as far too slow for the time given: nothing can be refitted
        fold_seconds=1000.0,
    )
    without = diagnose(
        "lightgbm", params, X, y, folds[0], deadline=time.monotonic() + 1.0, **common
    )
    assert without.verdict == "unknown"
    with_point = diagnose(
        "lightgbm",
        params,
        X,
        y,
        folds[0],
        deadline=time.monotonic() + 1.0,
        first_fold=result.extra["first_fold"],
        **common,
    )
    assert with_point.verdict != "unknown"
    # the full size is the search's point; the smaller ones were then timed from it and fitted
    curve = with_point.learning_curve
    assert curve["values"][-1] == len(folds[0][0])
    assert curve["validation"][-1] == result.fold_scores[0]
