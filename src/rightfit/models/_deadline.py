"""Stop an iterative fit that runs past its deadline, so one trial cannot eat the budget."""

from __future__ import annotations

import time


class TrialTimeout(Exception):
    """Raised inside a fit when its deadline has passed; the trial is recorded as timed out."""


def lightgbm_deadline(deadline: float):
    """A LightGBM callback that raises :class:`TrialTimeout` after ``deadline``."""

    def _callback(env) -> None:
        if time.monotonic() > deadline:
            raise TrialTimeout(f"stopped at iteration {env.iteration}: trial deadline reached")

    _callback.order = 5
    return _callback


def xgboost_deadline(deadline: float):
    """An XGBoost TrainingCallback that raises :class:`TrialTimeout` after ``deadline``."""
    from xgboost.callback import TrainingCallback

    class _Deadline(TrainingCallback):
        def after_iteration(self, model, epoch, evals_log) -> bool:
            if time.monotonic() > deadline:
                raise TrialTimeout(f"stopped at iteration {epoch}: trial deadline reached")
            return False

    return _Deadline()
