"""Cross-validate one configuration, fold by fold, within a deadline."""

from __future__ import annotations

import logging
import math
import time
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from rightfit import metrics
from rightfit.models import FitContext, TrialTimeout, build_estimator, get_spec, predict_output
from rightfit.models._early_stopping import MAX_ROUNDS, refit_rounds

logger = logging.getLogger(__name__)

# The first fold's model also scores this many of its own fitting rows: with its validation
# score, the full-size point of the fit diagnosis's learning curve, which then costs no refit
# (CatBoost's on diamonds needed 6 s, and without it no verdict). Only when that takes at most
# FIRST_FOLD_SHARE of the fold's time, or 50 ms (k-NN and SVM predict about as
# slowly as they fit: they would pay a fifth more per trial).
FIRST_FOLD_TRAIN_ROWS = 2_000
FIRST_FOLD_SHARE = 0.1
FIRST_FOLD_MIN_SECONDS = 0.05


@dataclass
class CVResult:
    status: str  # "ok", "failed", "timed_out"
    oof: np.ndarray | None
    fold_scores: list[float]
    loss: float
    seconds: float
    error: str = ""
    # Parameters the folds learned (boosting rounds found by early stopping), for the refits.
    learned: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    # With one validation split, the model fitted on its fitting rows: it can score the blind
    # test without a refit (large data, where a refit costs as much as a trial).
    model: object = None


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

    Folds repeated with new shuffles (small data) follow one another: the loss is the mean of
    the repeats' losses, and the out-of-fold outputs are the first repeat's, so that they stay
    what one model's would be (calibration and ensemble weights are fitted on them; an average
    over repeats would be smoother than any single refit).
    """
    spec = get_spec(family)
    start = time.monotonic()
    n_classes = context.n_classes
    shape = (len(y), n_classes) if context.task != "regression" else (len(y),)
    oof = np.full(shape, np.nan)
    fold_scores: list[float] = []
    predict_seconds, predicted_rows = 0.0, 0
    early = spec.early_stopping is not None and not params.get("n_estimators")
    best_rounds: list[int] = []
    stopped_by_deadline = False
    repeat_of = _repeat_numbers(folds, len(y))
    repeat_out = oof
    repeat_losses: list[float] = []
    first_fold: dict = {}
    for i, (fit_idx, val_idx) in enumerate(folds):
        if i and repeat_of[i] != repeat_of[i - 1]:
            repeat_losses.append(_repeat_loss(metric, y, repeat_out, folds, repeat_of, i - 1))
            repeat_out = np.full(shape, np.nan)
        now = time.monotonic()
        # Before any fold has run, trust the scheduler's estimate; after, what was measured.
        per_fold = (now - start) / i if i > 0 else fold_estimate
        if per_fold > 0 and now + per_fold > deadline and not early:
            return CVResult(
                "timed_out",
                None,
                fold_scores,
                math.inf,
                now - start,
                f"stopped after {i} of {len(folds)} folds: budget reached",
            )
        fold_deadline = deadline
        if early and math.isfinite(deadline):
            # Each fold gets its share of the trial's time: a fold that reaches it keeps its best
            # round, and the next folds still run, so the trial ends with a score.
            fold_deadline = min(deadline, now + (deadline - now) / (len(folds) - i))
        ctx = replace(context, n_rows=len(fit_idx), deadline=fold_deadline)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if early:
                    estimator, out, rounds, hit, seconds = _fit_early_stopped(
                        spec, params, ctx, X.iloc[fit_idx], y[fit_idx], X.iloc[val_idx], y[val_idx]
                    )
                    best_rounds.append(rounds)
                    stopped_by_deadline |= hit
                else:
                    estimator = build_estimator(family, params, ctx)
                    estimator.fit(X.iloc[fit_idx], y[fit_idx], **spec.fit_kwargs(ctx, params))
                    started = time.monotonic()
                    out = predict_output(estimator, X.iloc[val_idx], context.task, n_classes)
                    seconds = time.monotonic() - started
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
        repeat_out[val_idx] = out
        predict_seconds += seconds
        predicted_rows += len(val_idx)
        fold_scores.append(metrics.score(metric, y[val_idx], out))
        if i == 0:
            first_fold = _first_fold_point(
                estimator,
                X,
                y,
                fit_idx,
                fold_scores[0],
                now,
                seconds / len(val_idx),
                context,
                metric,
            )
    repeat_losses.append(_repeat_loss(metric, y, repeat_out, folds, repeat_of, len(folds) - 1))
    loss = float(np.mean(repeat_losses))
    if not math.isfinite(loss):
        return CVResult(
            "failed",
            None,
            fold_scores,
            math.inf,
            time.monotonic() - start,
            f"{metric} is undefined on these predictions",
        )
    learned = {}
    # What scoring new rows costs (the blind test, batch predictions): the search keeps time for
    # the blind test of the chosen models.
    extra = {"predict_seconds_per_row": predict_seconds / max(predicted_rows, 1)}
    if first_fold:
        extra["first_fold"] = first_fold
    if early:
        n_fit = float(np.mean([len(f) for f, _ in folds]))
        learned = {"n_estimators": refit_rounds(best_rounds, n_fit, len(y))}
        extra["early_stopping"] = {"best_rounds": best_rounds, "deadline": stopped_by_deadline}
    model = estimator if len(folds) == 1 else None
    return CVResult(
        "ok", oof, fold_scores, loss, time.monotonic() - start, "", learned, extra, model
    )


def _first_fold_point(
    estimator, X, y, fit_idx, validation: float, started: float, per_row: float, context, metric
) -> dict:
    """Training and validation score of the first fold's model, and its seconds (fit and
    scoring): empty when no model is at hand or scoring its fitting rows would cost too much."""
    fold_seconds = time.monotonic() - started
    n = min(len(fit_idx), FIRST_FOLD_TRAIN_ROWS)
    allowed = max(FIRST_FOLD_SHARE * fold_seconds, FIRST_FOLD_MIN_SECONDS)
    if estimator is None or per_row * n > allowed:
        return {}
    # a fixed sample, whatever the trial: rows in file order may drift with time
    rows = np.sort(np.random.default_rng(0).choice(fit_idx, n, replace=False))
    try:
        out = predict_output(estimator, X.iloc[rows], context.task, context.n_classes)
        train = metrics.score(metric, y[rows], out)
    except Exception:  # a diagnosis aid, never a reason to fail the trial
        logger.debug("could not score the first fold's fitting rows", exc_info=True)
        return {}
    if not math.isfinite(train):
        return {}
    return {
        "train": float(train),
        "validation": float(validation),
        "seconds": round(fold_seconds, 4),
        "n_fit_rows": len(fit_idx),
        "train_rows_scored": n,
    }


def _repeat_numbers(folds: tuple, n: int) -> list[int]:
    """The repeat each fold belongs to: a new repeat starts at the first fold whose validation
    rows were already validated in the current one."""
    seen = np.zeros(n, dtype=bool)
    numbers, current = [], 0
    for _, val_idx in folds:
        if seen[val_idx].any():
            current += 1
            seen[:] = False
        seen[val_idx] = True
        numbers.append(current)
    return numbers


def _repeat_loss(metric: str, y: np.ndarray, out: np.ndarray, folds, repeat_of, last: int):
    """The loss of one repeat's out-of-fold outputs, over the rows its folds validated."""
    rows = np.concatenate(
        [v for (_, v), r in zip(folds, repeat_of, strict=True) if r == repeat_of[last]]
    )
    return metrics.loss(metric, y[rows], out[rows])


def _fit_early_stopped(spec, params: dict, ctx: FitContext, X_fit, y_fit, X_val, y_val):
    """One fold of an early-stopped boosting family, stopped on the fold's validation rows, up
    to MAX_ROUNDS: (fitted estimator or None, validation output, best rounds, whether the
    deadline ended it, seconds the prediction took)."""
    params = dict(params)
    log_target = bool(params.pop("log_target", False)) and ctx.task == "regression"
    estimator = spec.build({**params, "n_estimators": MAX_ROUNDS}, replace(ctx, deadline=None))
    prep, model = estimator.steps[0][1], estimator.steps[-1][1]
    y_fit_raw = y_fit
    if log_target:
        y_fit, y_val = np.log(y_fit), np.log(y_val)
    A = prep.fit_transform(X_fit, y_fit)
    B = prep.transform(X_val)
    watch = np.ones(len(y_val), dtype=bool)
    if ctx.task != "regression":
        # A class absent from the fitting rows cannot be scored by the booster's own loss;
        # those validation rows still count in the fold's score, just not for stopping.
        watch = np.isin(y_val, np.unique(y_fit))
    rounds, hit = spec.early_stopping(model, A, y_fit, B[watch], y_val[watch], ctx, params)
    started = time.monotonic()
    out = predict_output(model, B, ctx.task, ctx.n_classes)
    seconds = time.monotonic() - started
    if log_target:
        out = np.exp(out)
        estimator = _on_log_scale(estimator, y_fit_raw, X_val, out)
    return estimator, out, rounds, hit, seconds


def _on_log_scale(pipeline, y_fit, X_val, expected):
    """Wrap a pipeline fitted on log(y) as the fitted TransformedTargetRegressor that
    ``build_estimator`` would have made, or None if the wrapper does not reproduce ``expected``."""
    from sklearn.compose import TransformedTargetRegressor

    wrapper = TransformedTargetRegressor(
        regressor=pipeline, func=np.log, inverse_func=np.exp, check_inverse=False
    )
    try:
        wrapper._training_dim = 1
        wrapper._fit_transformer(np.asarray(y_fit, dtype=float).reshape(-1, 1))
        wrapper.regressor_ = pipeline
        check = np.asarray(wrapper.predict(X_val.iloc[:50]), dtype=float)
    except Exception:  # sklearn internals moved: refit instead of guessing
        logger.debug("could not wrap a log-target fold model", exc_info=True)
        return None
    return wrapper if np.allclose(check, expected[:50], rtol=1e-6, atol=0) else None
