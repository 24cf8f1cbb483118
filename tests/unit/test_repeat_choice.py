"""Small data gets its CV folds drawn three times only while the budget affords the repeats:
every family's first default, repeated, must take at most 40 % of the budget (a priori). And 5
folds become 3 when one round of the lead family's first default would take more than its share,
and 3 folds one validation split when only that leaves room for a boosted-tree family."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from rightfit.advise import first_round_seconds
from rightfit.budget import Budget
from rightfit.models import get_spec
from rightfit.pipeline._prepare import FEWER_FOLDS, FOLDS_MAX_SHARE, HOLDOUT_MIN_ROWS, prepare
from rightfit.progress import SilentProgress


def _frame(rows: int, columns: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        rng.normal(size=(rows, columns)), columns=[f"x{i}" for i in range(columns)]
    )
    frame["y"] = (frame["x0"] + rng.normal(size=rows) > 0).astype(int)
    return frame


def _split(frame: pd.DataFrame, seconds: float):
    return prepare(frame, "y", budget=Budget(seconds), progress=SilentProgress()).split


def test_small_narrow_data_repeats_its_folds_when_the_budget_affords_it():
    split = _split(_frame(400, 6), 60)
    assert (split.folds_per_repeat, split.n_repeats) == (5, 3)
    assert "repeated 3 times" in split.description


def test_a_short_budget_keeps_one_partition_with_the_same_blind_test():
    frame = _frame(400, 6)
    short, long = _split(frame, 5), _split(frame, 60)
    assert (len(short.folds), short.n_repeats) == (5, 1)
    assert "drawn once, not 3 times" in short.description
    assert "drawn once" not in long.description
    assert short.test_fingerprint() == long.test_fingerprint()
    for (_, val_a), (_, val_b) in zip(short.folds, long.folds[:5], strict=True):
        assert np.array_equal(val_a, val_b)


def test_large_data_is_never_repeated():
    assert _split(_frame(2000, 6), 600).n_repeats == 1


def _many_classes(rows: int, classes: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(rows, 8)), columns=[f"x{i}" for i in range(8)])
    frame["y"] = [f"c{v}" for v in rng.integers(0, classes, size=rows)]
    return frame


def test_a_lead_family_too_slow_for_five_folds_gets_three_with_the_same_blind_test():
    frame = _many_classes(3000, 26)
    roomy = prepare(frame, "y", budget=Budget(3600), progress=SilentProgress())
    lead = first_round_seconds(roomy.plan.names[0], roomy.plan.facts)
    assert roomy.split.folds_per_repeat == 5
    # A budget where one 5-fold round of the lead family takes twice the allowed share.
    tight_budget = lead / (2 * FOLDS_MAX_SHARE)
    tight = prepare(frame, "y", budget=Budget(tight_budget), progress=SilentProgress())
    assert tight.split.folds_per_repeat == FEWER_FOLDS
    assert "3-fold CV" in tight.split.description
    assert f"3 folds, not 5: one 5-fold round of {roomy.plan.names[0]}" in tight.split.description
    assert tight.split.test_fingerprint() == roomy.split.test_fingerprint()
    # The plan's estimates are for the folds the search will run.
    assert tight.plan.facts.n_folds == FEWER_FOLDS
    assert first_round_seconds(tight.plan.names[0], tight.plan.facts) < lead


def test_boosters_too_slow_for_three_folds_get_one_validation_split():
    frame = _many_classes(13_000, 40)  # 10,400 training rows
    roomy = prepare(frame, "y", budget=Budget(3600), progress=SilentProgress())
    boosters = [n for n in roomy.plan.names if get_spec(n).early_stopping is not None]
    three = min(first_round_seconds(n, replace(roomy.plan.facts, n_folds=3)) for n in boosters)
    one = min(first_round_seconds(n, replace(roomy.plan.facts, n_folds=1)) for n in boosters)
    # Every booster's 3-fold round takes more than half of this budget, one split's less.
    budget = 2 * math.sqrt(three * one)
    tight = prepare(frame, "y", budget=Budget(budget), progress=SilentProgress())
    assert len(tight.split.folds) == 1
    assert "one validation split, not 3 folds" in tight.split.description
    assert any(get_spec(n).early_stopping is not None for n in tight.plan.names)
    assert tight.split.test_fingerprint() == roomy.split.test_fingerprint()
    # Below HOLDOUT_MIN_ROWS the folds stay: a fifth of the rows would be a noisy judge.
    small = _many_classes(HOLDOUT_MIN_ROWS, 40)
    assert (
        len(prepare(small, "y", budget=Budget(budget), progress=SilentProgress()).split.folds) > 1
    )
