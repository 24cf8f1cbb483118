"""When the chosen ensemble's refits do not all fit in the time left, the final choice drops
the member that costs least per second it frees, and it does not undo, over milliseconds, the
plan the search kept its reserve for."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from rightfit import metrics
from rightfit.budget import Budget
from rightfit.pipeline._final import choose_final
from rightfit.search import SearchResult, Trial
from rightfit.search._leaderboard import Leaderboard

N = 600


def _search(fit_seconds: dict[str, float]):
    """Three regressors with independent errors of about the same size: each one helps the
    average, so ensemble selection takes all three."""
    rng = np.random.default_rng(0)
    y = rng.normal(size=N)
    oof, trials = {}, []
    for number, (family, seconds) in enumerate(fit_seconds.items()):
        oof[number] = y + rng.normal(scale=0.5 + 0.02 * number, size=N)
        loss = metrics.loss("rmse", y, oof[number])
        trials.append(Trial(number, family, {}, "ok", score=loss, loss=loss, fit_seconds=seconds))
    board = Leaderboard("rmse", False, tuple(trials))
    search = SearchResult(board, oof, "time budget reached", 1.0)
    folds = tuple((np.setdiff1d(np.arange(N), v), v) for v in np.array_split(np.arange(N), 5))
    return search, y, SimpleNamespace(folds=folds)


def _choose(search, y, split, seconds_left: float):
    budget = Budget(seconds_left)
    members, _, info = choose_final(
        search, y, "rmse", split, budget, [N], N * 4 // 5, overhead=lambda *_: 0.0
    )
    return [t.family for t in members], info


def test_the_member_that_frees_the_time_is_dropped_not_the_lightest():
    # linear costs nothing to refit; catboost's refit alone is ~3 s of the ~3.5 s needed.
    search, y, split = _search({"lightgbm": 2.0, "linear": 0.05, "catboost": 12.0})
    everything, full = _choose(search, y, split, 60.0)
    assert sorted(everything) == ["catboost", "lightgbm", "linear"]
    families, trimmed = _choose(search, y, split, 2.0)
    assert sorted(families) == ["lightgbm", "linear"]
    # the trimmed ensemble's CV score is re-measured, not the full one's
    assert trimmed["cv_score"] > full["cv_score"]


def test_a_plan_that_fits_to_the_millisecond_is_kept():
    search, y, split = _search({"lightgbm": 2.0, "linear": 0.05, "catboost": 12.0})
    rows_ratio = N / (N * 4 // 5)
    per_fold = (2.0 + 0.05 + 12.0) / 5 * rows_ratio * 1.15  # REFIT_SAFETY
    # 0.2 s short of the estimate: within the tolerance the reserve's own margins allow
    families, _ = _choose(search, y, split, per_fold - 0.2)
    assert len(families) == 3
    # far short: trimmed
    families, _ = _choose(search, y, split, per_fold - 2.0)
    assert len(families) < 3


def test_the_diagnosis_counts_with_its_guaranteed_share_not_a_member():
    """A 9 s review share would leave no room for CatBoost's refit; the diagnosis is guaranteed
    only half of it (it ends at its deadline with what it fitted), so the member stays."""
    from rightfit.pipeline._review import REVIEW_GUARANTEED_SHARE
    from rightfit.pipeline._run import choice_overhead

    search, y, split = _search({"lightgbm": 2.0, "linear": 0.05, "catboost": 12.0})
    rows_ratio = N / (N * 4 // 5)
    refits = (2.0 + 0.05 + 12.0) / 5 * rows_ratio * 1.15  # REFIT_SAFETY
    review_share, finish = 9.0, 1.0
    overhead = choice_overhead(lambda: finish, lambda chosen: 0.0, lambda *_: review_share)
    left = refits + finish + REVIEW_GUARANTEED_SHARE * review_share + 0.1
    assert left < refits + finish + review_share - 2.0  # the whole share would not fit
    members, _, _ = choose_final(
        search, y, "rmse", split, Budget(left), [N], N * 4 // 5, overhead=overhead
    )
    assert sorted(t.family for t in members) == ["catboost", "lightgbm", "linear"]
