"""The time kept for the review follows what the chosen model measured, within a band of the
budget: small data does not leave 15 % of the budget idle, slow models keep their diagnosis."""

from __future__ import annotations

import pytest

from rightfit.pipeline._review import (
    REVIEW_END_MARGIN,
    diagnosis_deadline,
    importance_seconds,
    review_seconds,
)
from rightfit.search import Trial


def _trial(seconds: float, per_row: float = 1e-6) -> Trial:
    return Trial(
        number=0,
        family="lightgbm",
        params={},
        status="ok",
        loss=0.1,
        fit_seconds=seconds,
        extra={"predict_seconds_per_row": per_row},
    )


def test_before_any_trial_the_budget_share_is_kept():
    assert review_seconds(60) == pytest.approx(9.0)
    assert review_seconds(3) == pytest.approx(1.0)  # at least a second
    assert review_seconds(3600) == pytest.approx(120.0)  # at most two minutes


def test_a_fast_model_keeps_the_floor_share_only():
    assert review_seconds(60, _trial(0.1)) == pytest.approx(4.8)  # 8 % of 60 s


def test_a_slow_model_keeps_up_to_the_full_share():
    assert review_seconds(60, _trial(20.0)) == pytest.approx(9.0)


def test_in_between_the_expected_cost_is_kept():
    # 2.5 s fixed, five CV rounds of diagnosis, and the importance estimate
    assert review_seconds(60, _trial(1.0), 0.5) == pytest.approx(2.5 + 5.0 + 0.5)


def test_importance_cost_grows_with_columns_and_the_members_prediction_cost():
    cheap = importance_seconds([_trial(1, 1e-6)], n_columns=10, n_test_rows=5000)
    wide = importance_seconds([_trial(1, 1e-6)], n_columns=100, n_test_rows=5000)
    slow = importance_seconds([_trial(1, 1e-6), _trial(1, 1e-4)], n_columns=10, n_test_rows=5000)
    assert 0 < cheap < wide and cheap < slow
    # at most 1,000 rows are shuffled, however large the blind test
    assert importance_seconds([_trial(1)], 10, 5000) == importance_seconds([_trial(1)], 10, 1000)


def test_the_diagnosis_leaves_the_time_of_a_refit_on_all_rows_that_fits():
    # 40 s left: 6 s to finish, a 20 s refit on all rows, so the diagnosis ends 26 s + the
    # margin before the deadline, although it could have used more.
    end = diagnosis_deadline(now=0.0, deadline=40.0, finish=6.0, refit_all=20.0, review_left=9.0)
    assert end == pytest.approx(40.0 - 6.0 - 20.0 - REVIEW_END_MARGIN)


def test_a_refit_on_all_rows_that_cannot_fit_leaves_its_time_to_the_diagnosis():
    # Diamonds at 60 s: 14 s left, a 14 s refit on all rows and 5.6 s to finish. The refit is
    # skipped at the end whatever the diagnosis does; the diagnosis used to get only half its
    # share (4.5 s) and fitted no learning-curve point.
    end = diagnosis_deadline(now=0.0, deadline=14.0, finish=5.6, refit_all=14.1, review_left=9.0)
    assert end == pytest.approx(14.0 - 5.6 - REVIEW_END_MARGIN)


def test_without_a_refit_on_all_rows_the_diagnosis_gets_the_spare_time_up_to_two_minutes():
    assert diagnosis_deadline(0.0, 30.0, 5.0, 0.0, 9.0) == pytest.approx(30.0 - 5.0 - 1.5)
    assert diagnosis_deadline(0.0, 1000.0, 5.0, 0.0, 9.0) == pytest.approx(120.0)


def test_half_its_share_while_the_budget_lasts_but_never_past_the_finish():
    # 10 s left, 6 s to finish, a 3 s refit that fits: half of the 9 s share (4.5 s) would run
    # into the refit's time, and the refit wins; nothing runs into the finish.
    assert diagnosis_deadline(0.0, 10.0, 6.0, 3.0, 9.0) == pytest.approx(0.0)
    assert diagnosis_deadline(0.0, 10.0, 6.0, 0.0, 20.0) == pytest.approx(4.0)


def test_once_the_blind_test_is_scored_the_finish_no_longer_grows_with_rows():
    """At 400,000 rows and 60 s the whole finish kept 12.8 s (8 s of it for the rows) while the
    bundle and report took 1.7 s after the diagnosis, which had been left no time for a point."""
    from rightfit.pipeline._final import finish_seconds

    before = finish_seconds(400_000, 60)
    after = finish_seconds(400_000, 60, blind_test_done=True)
    assert before - after > 7.0
    assert 1.7 * 2 < after < 6.0  # still twice what the bundle and report took
    # small data: nearly the same either way; TensorFlow adds its exit
    assert finish_seconds(1_000, 60) - finish_seconds(1_000, 60, True) < 0.05
    assert finish_seconds(1_000, 60, True, tensorflow=True) > finish_seconds(1_000, 60, True) + 1
