"""Early stopping for boosted trees inside cross-validation.

A boosting configuration is its learning rate and tree shape; how many rounds it needs follows
from them and from the data. Tuning the round count as one more parameter wastes trials (most
draws stop too early or train thousands of useless rounds), so in cross-validation each fold
trains up to ``MAX_ROUNDS`` and stops when the fold's validation loss has not improved for a
patience that grows as the learning rate shrinks. The trial then records the rounds to refit
with: the mean best round over folds, scaled up for the larger refit sample.

Stopping on the same rows that score the fold makes that score slightly optimistic (one
parameter chosen on them); AutoGluon and xgboost.cv do the same. The blind test, which nothing
touches, is what measures the delivered model.

When a fold reaches its deadline while still improving, the fit stops there and keeps the best
round so far: a model that needs more time than the trial has is still a valid, if shorter, one.
"""

from __future__ import annotations

import math
import time

import numpy as np

MAX_ROUNDS = 5000


def patience(learning_rate: float) -> int:
    """Rounds without improvement before stopping: ~5 / learning rate, between 20 and 200."""
    return int(np.clip(5.0 / max(learning_rate, 1e-4), 20, 200))


def expected_rounds(learning_rate: float) -> int:
    """A-priori rounds an early-stopped fit runs (best round + patience), for cost models and
    for fitting a configuration that never went through cross-validation."""
    return int(min(MAX_ROUNDS, 15.0 / max(learning_rate, 1e-4) + patience(learning_rate)))


def boosting_rounds(params: dict) -> int:
    """Boosting rounds: as given (a refit of a cross-validated trial), else the a-priori count
    an early-stopped fit at this learning rate runs."""
    rounds = params.get("n_estimators")
    return int(rounds) if rounds else expected_rounds(params["learning_rate"])


def refit_rounds(best_rounds: list[int], n_fit_rows: float, n_refit_rows: float) -> int:
    """Rounds for a refit on more rows: the folds' mean best round, scaled by the square root
    of the row ratio (more data supports more rounds before overfitting)."""
    mean = float(np.mean(best_rounds)) if best_rounds else 1.0
    scale = math.sqrt(max(n_refit_rows, 1.0) / max(n_fit_rows, 1.0))
    return max(1, round(mean * max(scale, 1.0)))


class LightGBMDeadline:
    """Stops a LightGBM fit at the deadline, keeping the best validation round so far."""

    order = 40  # after LightGBM's own early-stopping callback (order 30)

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.hit = False
        self._best = (math.inf, 0, None)

    def __call__(self, env) -> None:
        from lightgbm.callback import EarlyStopException

        if env.evaluation_result_list:
            _, _, value, higher = env.evaluation_result_list[0][:4]
            loss = -value if higher else value
            if loss < self._best[0]:
                self._best = (loss, env.iteration, env.evaluation_result_list)
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.hit = True
            _, iteration, scores = self._best
            raise EarlyStopException(iteration, scores or env.evaluation_result_list)


def xgboost_deadline_stop(deadline: float | None):
    """An XGBoost callback ending training at the deadline; XGBoost's own early-stopping
    callback has already recorded the best round, which prediction then uses."""
    from xgboost.callback import TrainingCallback

    class _Stop(TrainingCallback):
        hit = False

        def after_iteration(self, model, epoch, evals_log) -> bool:
            if deadline is not None and time.monotonic() > deadline:
                self.hit = True
                return True
            return False

    return _Stop()
