"""With folds repeated under new shuffles, a trial's loss is the mean of the repeats' losses and
its out-of-fold outputs are the first repeat's: one model's outputs, not an average over three,
which would be smoother than the refit that calibration and ensemble weights are used on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rightfit import metrics
from rightfit.models import FitContext
from rightfit.search._cv import cross_validate
from rightfit.split import make_split


def _data(n=300):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = (X["a"] + rng.normal(scale=1.0, size=n) > 0).astype(int).to_numpy()
    return X, y


def _cv(X, y, folds):
    ctx = FitContext(task="binary", n_rows=len(y), n_numeric=2, n_categorical=0, n_classes=2)
    return cross_validate("linear", {"C": 1.0}, X, y, folds, ctx, "log_loss", np.inf)


def test_the_loss_is_the_mean_over_repeats_and_the_outputs_are_the_first_repeats():
    X, y = _data()
    plan = make_split(pd.Series(y), "binary", test_size=0, n_repeats=3)
    assert len(plan.folds) == 15
    repeated = _cv(X, y, plan.folds)
    firsts = [_cv(X, y, plan.folds[r * 5 : (r + 1) * 5]) for r in range(3)]
    assert repeated.status == "ok" and len(repeated.fold_scores) == 15
    assert repeated.loss == pytest.approx(np.mean([f.loss for f in firsts]))
    np.testing.assert_allclose(repeated.oof, firsts[0].oof)
    # the repeats disagree, so the mean is not just the first repeat's loss
    assert len({round(f.loss, 6) for f in firsts}) == 3
    assert metrics.loss("log_loss", y, repeated.oof) == pytest.approx(firsts[0].loss)


def test_a_single_partition_is_scored_as_before():
    X, y = _data()
    plan = make_split(pd.Series(y), "binary", test_size=0, n_repeats=1)
    result = _cv(X, y, plan.folds)
    assert result.loss == pytest.approx(metrics.loss("log_loss", y, result.oof))
