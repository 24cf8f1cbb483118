"""Metrics by name: what each one means, which task it fits, and a fast way to compute it.

Conventions shared by the whole package: classification targets are encoded integers ``0..K-1``
and a classifier's output is its probability matrix of shape ``(n, K)`` (binary too: two
columns; a 1-D vector is read as the probability of class 1). Regression output is a float vector.

Every metric is computed as a *weighted* sum over rows so one sort serves many bootstrap
resamples (a resample with replacement is the same as integer row weights): see
:func:`resample_scorer`, which sorts and prepares the rows once for every chunk of resamples.
The results agree with scikit-learn's functions on the same rows, except where scikit-learn
raises or silently returns 0 for an undefined value, where we return ``nan``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rightfit.errors import ConfigError, DataError, did_you_mean

logger = logging.getLogger(__name__)

TASKS = ("binary", "multiclass", "regression")
_CLASSIFICATION = ("binary", "multiclass")
_EPS = 1e-15  # lower clip for probabilities in log_loss, so a confident miss costs ~34.5, not inf


@dataclass(frozen=True)
class MetricInfo:
    """What a metric measures and how to read it.

    Examples
    --------
    >>> METRICS["roc_auc"].greater_is_better
    True
    """

    name: str
    tasks: tuple[str, ...]
    greater_is_better: bool
    needs_proba: bool
    description: str


_B, _M, _R = ("binary",), ("multiclass",), ("regression",)
_HIGH, _LOW, _PROBA, _LABELS = True, False, True, False

METRICS: dict[str, MetricInfo] = {
    info.name: info
    for info in (
        MetricInfo("roc_auc", _B, _HIGH, _PROBA, "area under the ROC curve: ranking quality"),
        MetricInfo("average_precision", _B, _HIGH, _PROBA, "area under precision-recall"),
        MetricInfo("log_loss", _CLASSIFICATION, _LOW, _PROBA, "mean -log prob. of the true class"),
        MetricInfo("accuracy", _CLASSIFICATION, _HIGH, _LABELS, "share of rows predicted right"),
        MetricInfo("balanced_accuracy", _CLASSIFICATION, _HIGH, _LABELS, "mean recall of classes"),
        MetricInfo("f1", _B, _HIGH, _LABELS, "harmonic mean of precision and recall"),
        MetricInfo("precision", _B, _HIGH, _LABELS, "share of predicted positives that are right"),
        MetricInfo("recall", _B, _HIGH, _LABELS, "share of actual positives that are found"),
        MetricInfo("roc_auc_ovr", _M, _HIGH, _PROBA, "mean one-vs-rest ROC AUC of classes"),
        MetricInfo("f1_macro", _M, _HIGH, _LABELS, "unweighted mean of per-class F1"),
        MetricInfo("rmse", _R, _LOW, _LABELS, "root mean squared error, target units"),
        MetricInfo("mae", _R, _LOW, _LABELS, "mean absolute error, target units"),
        MetricInfo("r2", _R, _HIGH, _LABELS, "share of target variance explained"),
        MetricInfo("mape", _R, _LOW, _LABELS, "mean absolute % error (needs no zero target)"),
    )
}

_ALIASES = {
    "auc": "roc_auc",
    "logloss": "log_loss",
    "cross_entropy": "log_loss",
    "pr_auc": "average_precision",
    "ap": "average_precision",
    "acc": "accuracy",
    "f1_score": "f1",
    "macro_f1": "f1_macro",
    "auc_ovr": "roc_auc_ovr",
}
# The natural name a user types for a multiclass task; the metric is the standard multiclass form.
_MULTICLASS_ALIASES = {"roc_auc": "roc_auc_ovr", "f1": "f1_macro"}
_HINTS = {
    "mse": " Use 'rmse': it ranks models the same way and is in the target's units.",
    "neg_mean_squared_error": " Use 'rmse': it ranks models the same way.",
}
_DEFAULTS = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}


def _check_task(task: str) -> str:
    if task not in TASKS:
        raise ConfigError(
            f"Unknown task {task!r}. Metrics are defined for {', '.join(TASKS)}."
            + did_you_mean(str(task), TASKS)
        )
    return task


def default_metric(task: str) -> str:
    """The metric rightfit optimises when the user names none.

    Examples
    --------
    >>> default_metric("binary")
    'roc_auc'
    """
    return _DEFAULTS[_check_task(task)]


def metrics_for(task: str) -> tuple[str, ...]:
    """Canonical names of the metrics defined for ``task``.

    Examples
    --------
    >>> metrics_for("regression")
    ('rmse', 'mae', 'r2', 'mape')
    """
    _check_task(task)
    return tuple(name for name, info in METRICS.items() if task in info.tasks)


def check_metric(name: str, task: str) -> str:
    """Return the canonical name of metric ``name`` for ``task``, or raise a helpful error.

    Names are case-insensitive and accept a few aliases (``"auc"``, ``"logloss"``,
    ``"pr_auc"``). For a multiclass task ``"roc_auc"`` means ``"roc_auc_ovr"`` and ``"f1"``
    means ``"f1_macro"``.

    Raises
    ------
    ConfigError
        Unknown name (with the closest valid one), or a metric not defined for ``task``.

    Examples
    --------
    >>> check_metric("AUC", "binary")
    'roc_auc'
    """
    _check_task(task)
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if task == "multiclass" and key in _MULTICLASS_ALIASES:
        logger.info("metric %r on a multiclass task means %r", name, _MULTICLASS_ALIASES[key])
        key = _MULTICLASS_ALIASES[key]
    valid = metrics_for(task)
    if key in valid:
        return key
    if key in METRICS:
        raise ConfigError(
            f"Metric {name!r} is not defined for task {task}; choose one of "
            f"{', '.join(valid)}." + did_you_mean(key, valid)
        )
    hint = _HINTS.get(key) or did_you_mean(key, [*METRICS, *_ALIASES])
    raise ConfigError(
        f"Unknown metric {name!r}. For task {task}, choose one of {', '.join(valid)}." + hint
    )


def _canonical(name: str) -> str:
    key = _ALIASES.get(name, name)
    if key not in METRICS:
        raise ConfigError(
            f"Unknown metric {name!r}; choose one of {', '.join(METRICS)}."
            + did_you_mean(str(name), METRICS)
        )
    return key


def score(
    name: str,
    y_true: np.ndarray,
    output: np.ndarray,
    classes_present: int | None = None,
    *,
    threshold: float = 0.5,
) -> float:
    """Value of metric ``name`` for ``output`` against ``y_true``; ``nan`` when undefined.

    Parameters
    ----------
    name : str
        Canonical metric name (see :data:`METRICS`) or alias.
    y_true : array of shape (n,)
        Encoded classes ``0..K-1``, or the regression target.
    output : array of shape (n, K) or (n,)
        Class probabilities, or regression predictions.
    classes_present : int, optional
        Number of classes ``K`` the encoded target ranges over; by default the number of
        columns of ``output`` (2 for a 1-D binary score). Classes missing from ``y_true``
        (a small fold) are fine.
    threshold : float, default=0.5
        Binary only: rows with ``proba[:, 1] >= threshold`` are labelled 1 for label metrics.

    Examples
    --------
    >>> score("roc_auc", [0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4])
    1.0
    >>> score("rmse", [1.0, 2.0], [1.0, 4.0])
    1.4142135623730951
    """
    y_true, output = np.asarray(y_true), np.asarray(output)
    weights = np.ones((1, len(y_true)))
    values = score_resamples(
        name, y_true, output, weights, n_classes=classes_present, threshold=threshold
    )
    return float(values[0])


def loss(
    name: str,
    y_true: np.ndarray,
    output: np.ndarray,
    classes_present: int | None = None,
) -> float:
    """Metric ``name`` oriented so that lower is better (``-score`` when greater is better).

    Examples
    --------
    >>> loss("accuracy", [0, 1], [[0.8, 0.2], [0.3, 0.7]])
    -1.0
    """
    value = score(name, y_true, output, classes_present)
    return -value if METRICS[_canonical(name)].greater_is_better else value


def score_resamples(
    name: str,
    y_true: np.ndarray,
    output: np.ndarray,
    weights: np.ndarray,
    *,
    n_classes: int | None = None,
    threshold: float = 0.5,
) -> np.ndarray:
    """One value of metric ``name`` per row of ``weights`` (e.g. bootstrap row counts).

    A bootstrap resample drawn with replacement is the same as weighting each row by the number of
    times it was drawn, so all resamples share one sort of the scores.

    Parameters
    ----------
    weights : array of shape (B, n)
        Non-negative row weights, one row per resample.

    Examples
    --------
    >>> score_resamples("mae", [1.0, 2.0], [2.0, 2.0], [[1, 1], [2, 0]])
    array([0.5, 1. ])
    """
    scorer = resample_scorer(name, y_true, output, n_classes=n_classes, threshold=threshold)
    return scorer(weights)


def resample_scorer(
    name: str,
    y_true: np.ndarray,
    output: np.ndarray,
    *,
    n_classes: int | None = None,
    threshold: float = 0.5,
) -> Callable[[np.ndarray], np.ndarray]:
    """``weights -> score_resamples(name, y_true, output, weights)``, with what depends only on
    the rows done once: the input checks, the per-row terms (log loss, hits, errors) and, for
    ROC AUC and average precision, the sort by score and its ties.

    A bootstrap scores the same rows under hundreds of weightings, a chunk of them at a time:
    sorting per chunk made its cost grow with the square of the rows (with chunks of a million
    cells, 200,000 rows made 5 resamples a chunk and 200 sorts for 1,000: a paired comparison
    took 17 s, now 4.6 s).

    Examples
    --------
    >>> auc = resample_scorer("roc_auc", [0, 1, 1, 0], [0.2, 0.9, 0.3, 0.4])
    >>> auc([[1, 1, 1, 1], [1, 1, 0, 1]])
    array([0.75, 1.  ])
    """
    name = _canonical(name)
    y_true = np.asarray(y_true)
    output = np.asarray(output, dtype=float)
    n = len(y_true)
    if y_true.ndim != 1 or len(output) != n:
        raise DataError(
            f"Metric {name!r} got y_true of shape {y_true.shape} and output of shape "
            f"{output.shape}; they need the same number of rows. Pass the predictions for "
            "exactly the rows of y_true."
        )

    def checked(weights) -> np.ndarray:
        weights = np.atleast_2d(np.asarray(weights, dtype=float))
        if weights.shape[1] != n:
            raise DataError(
                f"Metric {name!r} got y_true of shape {y_true.shape}, output of shape "
                f"{output.shape} and weights of shape {weights.shape}; they need the same "
                "number of rows. Pass the predictions for exactly the rows of y_true."
            )
        return weights

    if "regression" in METRICS[name].tasks:
        values = _regression(name, y_true.astype(float), output)
    else:
        proba = _as_proba(output, n_classes)
        values = _classification(name, _as_labels(y_true, proba.shape[1], name), proba, threshold)
    return lambda weights: values(checked(weights))


# --- classification -----------------------------------------------------------------------------


def _as_proba(output: np.ndarray, n_classes: int | None) -> np.ndarray:
    if output.ndim == 1:
        output = np.column_stack([1.0 - output, output])
    k = output.shape[1] if n_classes is None else int(n_classes)
    if output.ndim != 2 or output.shape[1] != k:
        raise DataError(
            f"Expected class probabilities of shape (n, {k}), got {output.shape}. "
            "Pass predict_proba output with one column per encoded class."
        )
    return output


def _as_labels(y_true: np.ndarray, k: int, name: str) -> np.ndarray:
    y = y_true.astype(np.int64, copy=False)
    if len(y) and (y.min() < 0 or y.max() >= k or not np.array_equal(y, y_true)):
        raise DataError(
            f"Metric {name!r} needs classes encoded as integers 0..{k - 1}, got values from "
            f"{y_true.min()!r} to {y_true.max()!r}. Encode the target with the fitted label "
            "encoder first."
        )
    return y


def _safe_divide(num: np.ndarray, den: np.ndarray, undefined: float = math.nan) -> np.ndarray:
    out = np.full(np.broadcast(num, den).shape, undefined)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _labels(proba: np.ndarray, threshold: float) -> np.ndarray:
    if proba.shape[1] == 2:
        return (proba[:, 1] >= threshold).astype(np.int64)
    return proba.argmax(axis=1)


@dataclass(frozen=True)
class _Ranking:
    """Rows sorted by one score column (ascending for ROC AUC, descending for average
    precision), the start of each run of tied scores, and which rows are positive."""

    positive: np.ndarray
    order: np.ndarray
    starts: np.ndarray


def _ranking(y: np.ndarray, proba: np.ndarray, column: int, descending: bool) -> _Ranking:
    order, starts = _tie_groups(proba[:, column], descending)
    return _Ranking(y == column, order, starts)


def _classification(
    name: str, y: np.ndarray, proba: np.ndarray, threshold: float
) -> Callable[[np.ndarray], np.ndarray]:
    """``weights -> values`` of a classification metric: the per-row terms (and the sorts of
    the ranking metrics) are computed here once, each call only weighs them."""
    if name in ("roc_auc", "average_precision", "roc_auc_ovr"):
        return _ranking_metric(name, y, proba)
    if name == "log_loss":
        row_loss = -np.log(np.clip(proba[np.arange(len(y)), y], _EPS, 1.0))
        return lambda weights: _safe_divide(weights @ row_loss, weights.sum(axis=1))
    predicted = _labels(proba, threshold)
    if name == "accuracy":
        hit = predicted == y
        return lambda weights: _safe_divide(weights @ hit, weights.sum(axis=1))
    if name in ("precision", "recall", "f1"):
        tp_rows = (y == 1) & (predicted == 1)
        fp_rows = (y == 0) & (predicted == 1)
        fn_rows = (y == 1) & (predicted == 0)

        def binary(weights: np.ndarray) -> np.ndarray:
            tp, fp, fn = weights @ tp_rows, weights @ fp_rows, weights @ fn_rows
            if name == "precision":  # nothing predicted positive: 0, as scikit-learn does
                return _safe_divide(tp, tp + fp, undefined=0.0)
            recall = _safe_divide(tp, tp + fn)
            if name == "recall":
                return recall
            return np.where(np.isnan(recall), np.nan, _safe_divide(2 * tp, 2 * tp + fp + fn, 0.0))

        return binary
    if name not in ("balanced_accuracy", "f1_macro"):
        raise AssertionError(f"metric {name!r} has no implementation")  # pragma: no cover
    k = proba.shape[1]
    onehot_true = y[:, None] == np.arange(k)
    onehot_pred = predicted[:, None] == np.arange(k)
    onehot_hit = onehot_true & onehot_pred

    def per_class(weights: np.ndarray) -> np.ndarray:
        true_count = weights @ onehot_true
        hits = weights @ onehot_hit
        if name == "balanced_accuracy":
            recall = _safe_divide(hits, true_count)
            present = true_count > 0
            return _safe_divide(np.where(present, recall, 0.0).sum(axis=1), present.sum(axis=1))
        denominator = true_count + weights @ onehot_pred  # = 2tp + fp + fn
        f1 = _safe_divide(2 * hits, denominator, 0.0)
        present = denominator > 0
        return _safe_divide(np.where(present, f1, 0.0).sum(axis=1), present.sum(axis=1))

    return per_class


def _ranking_metric(name: str, y: np.ndarray, proba: np.ndarray):
    """ROC AUC (also one class against the rest, averaged) and average precision, on rows
    sorted once by score."""
    if name == "average_precision":
        ranked = _ranking(y, proba, 1, descending=True)
        return lambda weights: _average_precision(ranked, weights)
    if name == "roc_auc":
        ranked = _ranking(y, proba, 1, descending=False)
        return lambda weights: _roc_auc(ranked, weights)
    rankings = [_ranking(y, proba, c, descending=False) for c in range(proba.shape[1])]

    def one_vs_rest(weights: np.ndarray) -> np.ndarray:
        per_class = np.stack([_roc_auc(r, weights) for r in rankings], axis=1)
        defined = ~np.isnan(per_class)
        # A class absent from the rows has no ROC curve; average over the classes present.
        total = np.where(defined, per_class, 0.0).sum(axis=1)
        return np.where(
            defined.sum(axis=1) >= 2, total / np.maximum(defined.sum(axis=1), 1), np.nan
        )

    return one_vs_rest


def _tie_groups(scores: np.ndarray, descending: bool) -> tuple[np.ndarray, np.ndarray]:
    """Sort order of ``scores`` and the start position of each run of equal scores."""
    order = np.argsort(-scores if descending else scores, kind="stable")
    sorted_scores = scores[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    return order, starts


def _split_by_class(
    weights: np.ndarray, positive: np.ndarray, order: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positive and negative row weights in score order, summed over tied scores: (B, groups)
    each, built from one reordered copy of ``weights``. Masking ``weights`` per class first
    copied it twice more: with ~8 arrays of a chunk's size alive at once, the review's paired
    comparisons added 60-100 MB to the process at the end of a run."""
    in_order = np.take(weights, order, axis=1)
    mask = positive[order]
    if len(starts) != in_order.shape[1]:  # ties: sum each run, then work at the runs' size
        every = np.add.reduceat(in_order, starts, 1)
        in_order *= mask  # in place: the positives' weights
        pos = np.add.reduceat(in_order, starts, 1)
        every -= pos  # now the negatives'
        return pos, every
    pos = in_order * mask
    in_order -= pos  # now the negatives' weights
    return pos, in_order


def _roc_auc(ranked: _Ranking, weights: np.ndarray) -> np.ndarray:
    pos, neg = _split_by_class(weights, ranked.positive, ranked.order, ranked.starts)
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    # Mann-Whitney: each positive beats the negatives scored lower and half of those tied with
    # it, i.e. pos . (cumsum(neg) - neg / 2); the cumulative sum is taken in place.
    tied = np.einsum("ij,ij->i", pos, neg)
    beaten = np.einsum("ij,ij->i", pos, np.cumsum(neg, axis=1, out=neg))
    return _safe_divide(beaten - 0.5 * tied, n_pos * n_neg)


def _average_precision(ranked: _Ranking, weights: np.ndarray):
    pos, neg = _split_by_class(weights, ranked.positive, ranked.order, ranked.starts)
    found = np.cumsum(pos, axis=1)
    seen = np.cumsum(neg, axis=1, out=neg)  # in place: negatives so far, then all rows so far
    seen += found
    # Precision at each threshold, in place; 0 before the first row (found <= seen there).
    precision = np.divide(found, seen, out=found, where=seen > 0)
    # Each positive adds 1/P recall at the precision of its threshold (its whole tie group).
    return _safe_divide(np.einsum("ij,ij->i", pos, precision), pos.sum(axis=1))


# --- regression ---------------------------------------------------------------------------------


def _regression(
    name: str, y: np.ndarray, prediction: np.ndarray
) -> Callable[[np.ndarray], np.ndarray]:
    """``weights -> values`` of a regression metric, the per-row terms computed once."""
    if prediction.ndim != 1:
        raise DataError(
            f"Metric {name!r} needs one prediction per row, got an array of shape "
            f"{prediction.shape}. Pass predict() output for a regressor."
        )
    error = prediction - y
    if name == "mape" and np.any(y == 0):
        return lambda weights: np.full(len(weights), np.nan)
    if name == "rmse":
        squared = error**2
        return lambda weights: np.sqrt(_safe_divide(weights @ squared, weights.sum(axis=1)))
    if name in ("mae", "mape"):
        absolute = np.abs(error / y if name == "mape" else error)
        return lambda weights: _safe_divide(weights @ absolute, weights.sum(axis=1))
    if name != "r2":
        raise AssertionError(f"metric {name!r} has no implementation")  # pragma: no cover
    centred = y - y.mean()  # centring first keeps the variance sum accurate for large offsets
    centred_squares, squared_error = centred**2, error**2

    def r2(weights: np.ndarray) -> np.ndarray:
        total = weights.sum(axis=1)
        mean = _safe_divide(weights @ centred, total)
        total_sum_squares = weights @ centred_squares - total * mean**2
        residual = weights @ squared_error
        # Relative tolerance: a constant target leaves only rounding noise in the variance.
        constant = total_sum_squares <= 1e-12 * np.maximum(weights @ centred_squares, 1e-300)
        return np.where(
            constant, np.nan, 1.0 - residual / np.where(constant, 1.0, total_sum_squares)
        )

    return r2
