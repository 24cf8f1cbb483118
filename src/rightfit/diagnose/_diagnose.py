"""Diagnose one configuration: learning curve, validation curve, verdict, within a deadline."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from rightfit.diagnose._curves import (
    CurveRunner,
    complexity_param,
    learning_curve,
    validation_curve,
)
from rightfit.diagnose._verdict import Diagnosis, judge
from rightfit.models import FitContext, column_counts, get_spec

# When no other family was tried (e.g. --models linear), a flexible reference model fitted on the
# same split tells whether more signal was there to learn: the evidence an underfit verdict needs.
REFERENCE_FAMILY = "lightgbm"


def _reference_score(X, y, fold, task, metric, n_classes, deadline, seed, n_jobs, notes):
    spec = get_spec(REFERENCE_FAMILY)
    if task not in spec.tasks:
        return None
    n_numeric, n_categorical = column_counts(X)
    ctx = FitContext(task, len(fold[0]), n_numeric, n_categorical, n_classes, seed, n_jobs)
    params = spec.portfolio(ctx)[0]
    if time.monotonic() + 1.5 * spec.cost(params, ctx) > deadline:
        return None
    runner = CurveRunner(
        REFERENCE_FAMILY, params, X, y, fold, task, metric, n_classes, seed, n_jobs
    )
    try:
        _, validation, _ = runner.point(fold[0], params, deadline)
    except Exception:
        return None
    notes.append(
        f"reference: {REFERENCE_FAMILY} with default settings scores {validation:.4f} on the same "
        "validation rows"
    )
    return validation


def diagnose(
    family: str,
    params: dict,
    X: pd.DataFrame,
    y: np.ndarray,
    fold: tuple[np.ndarray, np.ndarray],
    *,
    task: str,
    metric: str,
    n_classes: int | None,
    baseline_score: float,
    fold_seconds: float,
    deadline: float,
    role: str = "chosen",
    best_other_validation: float | None = None,
    own_cv_score: float | None = None,
    seed: int = 0,
    n_jobs: int = 1,
    first_fold: dict | None = None,
) -> Diagnosis:
    """Curves and a verdict for ``family`` with ``params`` on one training fold.

    Parameters
    ----------
    fold : (fit rows, validation rows) positions into ``X``; training rows only.
    baseline_score : the trivial model's score on the same kind of rows (priors or mean).
    fold_seconds : measured seconds of one fold fit in the search (for time planning).
    deadline : ``time.monotonic()`` value by which the diagnosis must be done.
    best_other_validation : the best validation score another family reached (evidence that
        more is learnable).
    first_fold : the search's scores of its model of ``fold`` (``search._cv``), used as the
        learning curve's full-size point instead of a refit.
    """
    params = {k: v for k, v in params.items()}
    runner = CurveRunner(family, params, X, y, fold, task, metric, n_classes, seed, n_jobs)
    notes = [
        f"curves fitted on one split of the training rows ({len(fold[0]):,} fit / "
        f"{len(fold[1]):,} validation); the blind test is not used"
    ]
    reference = best_other_validation is None and family != REFERENCE_FAMILY
    if reference:
        # The reference is scored on the same fold as the curves: compare fold with fold. It
        # goes first: one default fit, and the only evidence of signal left to learn when no
        # other family ran. After the learning curve it had ~1 s, and a loaded machine (three
        # CPU burners) timed it out in one run of three: "good fit" instead of "underfit".
        best_other_validation = _reference_score(
            X, y, fold, task, metric, n_classes, deadline, seed, n_jobs, notes
        )
    # The learning curve comes next (its smallest points are cheap); the validation curve gets
    # whatever is left.
    share = (deadline - time.monotonic()) * 0.6
    learning = learning_curve(
        runner, fold_seconds, time.monotonic() + share, seed, full_point=first_fold
    )
    name = complexity_param(family, params)
    validation = None
    if name is not None:
        validation = validation_curve(runner, name, fold_seconds, deadline, seed)
    else:
        notes.append(f"{family} has no single complexity parameter; no validation curve")
    return judge(
        family,
        role,
        metric,
        baseline_score,
        learning,
        validation,
        best_other_validation,
        notes,
        own_cv_score=None if reference else own_cv_score,
    )
