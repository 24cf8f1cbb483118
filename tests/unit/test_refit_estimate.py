"""The refit of an early-stopped booster trains its best round (scaled for more rows), not the
fold's patience rounds: the time kept for it follows."""

from __future__ import annotations

import pytest

from rightfit.pipeline._final import REFIT_SAFETY, refit_seconds, rounds_share
from rightfit.search import Trial


def _trial(best_rounds=None, deadline=False, rate=0.1, family="lightgbm") -> Trial:
    extra = {}
    if best_rounds is not None:
        extra["early_stopping"] = {"best_rounds": best_rounds, "deadline": deadline}
    return Trial(
        number=0,
        family=family,
        params={"learning_rate": rate},
        status="ok",
        loss=0.1,
        fit_seconds=10.0,
        extra=extra,
    )


def test_a_converged_booster_refits_its_best_rounds_only():
    # best 150 rounds + patience 50 trained per fold; the refit on 1.25x the rows trains
    # 150 x sqrt(1.25) = 168 rounds
    share = rounds_share(_trial([140, 160]), 1.25)
    assert share == pytest.approx(150 * 1.25**0.5 / 200)
    assert refit_seconds(_trial([140, 160]), 5, 800, 1000) == pytest.approx(
        2.0 * 1.25 * share * REFIT_SAFETY
    )


def test_a_booster_stopped_by_its_deadline_counts_every_round():
    assert rounds_share(_trial([150, 150], deadline=True), 1.25) == 1.0


def test_other_families_and_few_rounds_keep_a_floor():
    assert rounds_share(_trial(None, family="random_forest"), 1.25) == 1.0
    # 5 best rounds + 20 patience: the preprocessing does not shrink with rounds
    assert rounds_share(_trial([5, 5], rate=0.5), 1.0) == 0.5
