"""Cross-validate one configuration, fold by fold, within a deadline."""

from __future__ import annotations

import logging
import math
import time
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from rightfit import metrics
from rightfit.models import FitContext, TrialTimeout, build_estimator, get_spec, predict_output

logger = logging.getLogger(__name__)


@dataclass
class CVResult:
    status: str  # "ok", "failed", "timed_out"
    oof: np.ndarray | None
    fold_scores: list[float]
    loss: float
    seconds: float
    error: str = ""


def cross_validate(
    family: str,
    params: dict,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: tuple,
    context: FitContext,
    metric: str,
    deadline: float,
    fold_estimate: float = 0.0,
) -> CVResult:
    """Fit ``family`` with ``params`` on each fold and score it on the held-out part.

    Returns out-of-fold outputs for every training row (used for ensembling and diagnosis).
    Stops as ``timed_out`` when a fold would end past ``deadline``; partial results are discarded,
    never reported as a score.
    """
    spec = get_spec(family)
    start = time.monotonic()
    n_classes = context.n_classes
    shape = (len(y), n_classes) if context.task != "regression" else (len(y),)
    oof = np.full(shape, np.nan)
    fold_scores: list[float] = []
    for i, (fit_idx, val_idx) in enumerate(folds):
        now = time.monotonic()
        # Before any fold has run, trust the scheduler's estimate; after, what was measured.
        per_fold = (now - start) / i if i > 0 else fold_estimate
        if per_fold > 0 and now + per_fold > deadline:
            return CVResult(
                "timed_out",
                None,
                fold_scores,
                math.inf,
                now - start,
                f"stopped after {i} of {len(folds)} folds: budget reached",
            )
        ctx = replace(context, n_rows=len(fit_idx), deadline=deadline)
        try:
            estimator = build_estimator(family, params, ctx)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator.fit(X.iloc[fit_idx], y[fit_idx], **spec.fit_params(ctx))
                out = predict_output(estimator, X.iloc[val_idx], context.task, n_classes)
        except TrialTimeout as exc:
            return CVResult(
                "timed_out", None, fold_scores, math.inf, time.monotonic() - start, str(exc)
            )
        except Exception as exc:
            logger.debug("%s failed on fold %d", family, i, exc_info=True)
            return CVResult(
                "failed",
                None,
                fold_scores,
                math.inf,
                time.monotonic() - start,
                f"{type(exc).__name__}: {exc}"[:500],
            )
        oof[val_idx] = out
        fold_scores.append(metrics.score(metric, y[val_idx], out))
    covered = np.concatenate([v for _, v in folds])
    loss = metrics.loss(metric, y[covered], oof[covered])
    if not math.isfinite(loss):
        return CVResult(
            "failed",
            None,
            fold_scores,
            math.inf,
            time.monotonic() - start,
            f"{metric} is undefined on these predictions",
        )
    return CVResult("ok", oof, fold_scores, loss, time.monotonic() - start)
