"""Blind-test evaluation: every metric for the task, with bootstrap CIs and a trivial baseline."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rightfit.errors import ConfigError, DataError, did_you_mean
from rightfit.evaluate._bootstrap import percentile_interval, resample_weights
from rightfit.metrics import METRICS, check_metric, resample_scorer, score

logger = logging.getLogger(__name__)

REPORTED_METRICS: dict[str, tuple[str, ...]] = {
    "binary": (
        "accuracy",
        "balanced_accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "average_precision",
        "log_loss",
    ),
    "multiclass": ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc_ovr", "log_loss"),
    "regression": ("rmse", "mae", "r2", "mape"),
}
_LEVEL = 0.95


def _nan_to_none(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _none_to_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _plain(value):
    """A JSON-friendly Python scalar for a class label (numpy scalars become Python ones)."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class MetricValue:
    """One metric on the evaluated rows: value, 95% bootstrap interval and the baseline's value.

    ``low``/``high``/``value`` are ``nan`` when undefined; ``note`` then says why.

    Examples
    --------
    >>> MetricValue("r2", 0.8, 0.7, 0.9, 0.0, True).value
    0.8
    """

    name: str
    value: float
    low: float
    high: float
    baseline: float
    greater_is_better: bool
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "value": _nan_to_none(self.value),
            "low": _nan_to_none(self.low),
            "high": _nan_to_none(self.high),
            "baseline": _nan_to_none(self.baseline),
            "greater_is_better": self.greater_is_better,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: dict) -> MetricValue:
        return cls(
            name=d["name"],
            value=_none_to_nan(d["value"]),
            low=_none_to_nan(d["low"]),
            high=_none_to_nan(d["high"]),
            baseline=_none_to_nan(d["baseline"]),
            greater_is_better=bool(d["greater_is_better"]),
            note=d.get("note", ""),
        )

    def summary_line(self) -> str:
        """``"roc_auc 0.846 [0.826, 0.866]  (baseline 0.500)"``, or the reason it is undefined."""
        if math.isnan(self.value):
            return f"{self.name} {self.note or 'undefined'}"
        interval = (
            f" [{_format(self.low)}, {_format(self.high)}]" if not math.isnan(self.low) else ""
        )
        return f"{self.name} {_format(self.value)}{interval}  (baseline {_format(self.baseline)})"


def _format(value: float) -> str:
    if math.isnan(value):
        return "nan"
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.1f}"


@dataclass(frozen=True)
class Evaluation:
    """Metrics of a fitted model on rows it never saw, next to a trivial baseline.

    Examples
    --------
    >>> import numpy as np
    >>> ev = evaluate("regression", np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.5]),
    ...               np.full(3, 2.0), n_resamples=20)
    >>> ev.metric("mae").value
    0.16666666666666666
    """

    task: str
    n_rows: int
    source: str
    metrics: tuple[MetricValue, ...]
    classes: tuple | None
    confusion_matrix: tuple[tuple[int, ...], ...] | None
    threshold: float | None
    baseline: str
    notes: tuple[str, ...] = field(default=())

    def metric(self, name: str) -> MetricValue:
        """The :class:`MetricValue` called ``name`` (aliases such as ``"auc"`` accepted)."""
        names = [m.name for m in self.metrics]
        try:
            canonical = check_metric(name, self.task)
        except ConfigError:
            canonical = name
        for value in self.metrics:
            if value.name == canonical:
                return value
        raise ConfigError(
            f"This evaluation has no metric {name!r}; it has {', '.join(names)}."
            + did_you_mean(str(name), names)
        )

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "n_rows": self.n_rows,
            "source": self.source,
            "metrics": [m.to_dict() for m in self.metrics],
            "classes": None if self.classes is None else [_plain(c) for c in self.classes],
            "confusion_matrix": (
                None if self.confusion_matrix is None else [list(r) for r in self.confusion_matrix]
            ),
            "threshold": self.threshold,
            "baseline": self.baseline,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Evaluation:
        matrix = d.get("confusion_matrix")
        classes = d.get("classes")
        return cls(
            task=d["task"],
            n_rows=int(d["n_rows"]),
            source=d["source"],
            metrics=tuple(MetricValue.from_dict(m) for m in d["metrics"]),
            classes=None if classes is None else tuple(classes),
            confusion_matrix=None if matrix is None else tuple(tuple(r) for r in matrix),
            threshold=d.get("threshold"),
            baseline=d.get("baseline", ""),
            notes=tuple(d.get("notes", ())),
        )

    def summary_lines(self) -> list[str]:
        """Lines for the terminal: where the numbers come from, one line per metric, the baseline.

        Examples
        --------
        >>> import numpy as np
        >>> ev = evaluate("regression", np.array([1.0, 2.0]), np.array([1.0, 2.5]),
        ...               np.full(2, 1.5), n_resamples=10)
        >>> ev.summary_lines()[2]
        'mae 0.250 [0.000, 0.500]  (baseline 0.500)'
        """
        lines = [f"Evaluated on {self.source}"]
        if self.threshold is not None and self.task == "binary":
            lines.append(f"decision threshold {self.threshold:g}")
        lines += [m.summary_line() for m in self.metrics]
        lines.append(f"baseline: {self.baseline}")
        lines += list(self.notes)
        return lines


def baseline_output(
    task: str, y_train: np.ndarray, n_rows: int, n_classes: int | None = None
) -> np.ndarray:
    """What a model that ignores the features would output: training priors or training mean.

    Parameters
    ----------
    y_train : array of shape (n_train,)
        Encoded training classes ``0..K-1``, or the training target for regression.
    n_classes : int, optional
        ``K``; by default ``max(y_train) + 1`` (pass it when a class may be missing).

    Returns
    -------
    ndarray of shape (n_rows, K) or (n_rows,)

    Examples
    --------
    >>> baseline_output("binary", [0, 0, 0, 1], 2)
    array([[0.75, 0.25],
           [0.75, 0.25]])
    """
    y_train = np.asarray(y_train)
    if len(y_train) == 0:
        raise DataError("The training target is empty; a baseline needs at least one row.")
    if task == "regression":
        return np.full(n_rows, float(np.mean(y_train)))
    if task not in REPORTED_METRICS:
        raise ConfigError(
            f"Unknown task {task!r}; choose one of {', '.join(REPORTED_METRICS)}."
            + did_you_mean(str(task), REPORTED_METRICS)
        )
    y = y_train.astype(np.int64)
    k = int(y.max()) + 1 if n_classes is None else int(n_classes)
    priors = np.bincount(y, minlength=k)[:k] / len(y)
    return np.tile(priors, (n_rows, 1))


def _describe_baseline(task: str, baseline: np.ndarray, classes: Sequence) -> str:
    if task == "regression":
        return f"mean of training target ({float(baseline[0]):.4g})"
    priors = baseline[0]
    top = int(np.argmax(priors))
    return f"majority class ({_plain(classes[top])!r}, {priors[top]:.1%}) with training priors"


def _undefined_reason(name: str, y_true: np.ndarray) -> str:
    """Plain-words reason why metric ``name`` is ``nan`` on ``y_true``, or ``""``."""
    y = np.asarray(y_true)
    if name == "mape" and np.any(y == 0):
        return "undefined: target has zeros"
    if name == "r2" and len(np.unique(y)) < 2:
        return "undefined: target is constant"
    needs_two_classes = ("roc_auc", "roc_auc_ovr", "average_precision", "recall", "f1")
    if name in needs_two_classes and len(np.unique(y)) < 2:
        return "undefined: only one class in the evaluated rows"
    if len(y) == 0:
        return "undefined: no rows"
    return ""


def _confusion(y: np.ndarray, predicted: np.ndarray, k: int) -> tuple[tuple[int, ...], ...]:
    counts = np.bincount(y * k + predicted, minlength=k * k).reshape(k, k)
    return tuple(tuple(int(c) for c in row) for row in counts)


def evaluate(
    task: str,
    y_true: np.ndarray,
    output: np.ndarray,
    baseline: np.ndarray,
    *,
    classes: Sequence | None = None,
    source: str = "blind test",
    baseline_text: str = "",
    n_resamples: int = 200,
    random_state: int = 0,
    threshold: float = 0.5,
) -> Evaluation:
    """Every metric for ``task`` on the evaluated rows, with 95% bootstrap intervals.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression"}
    y_true : array of shape (n,)
        Encoded classes ``0..K-1`` or the regression target.
    output : array of shape (n, K) or (n,)
        The model's class probabilities, or its predictions.
    baseline : array like ``output``
        A trivial model's output on the same rows, usually :func:`baseline_output`.
    classes : sequence, optional
        Original class labels, position = encoded value; used in the report and confusion matrix.
    source : str, default="blind test"
        Where the rows come from. The default expands to "blind test: N rows never used for
        fitting or model selection".
    baseline_text : str, optional
        How the baseline was made; described from ``baseline`` when empty.
    n_resamples : int, default=200
        Bootstrap resamples for the intervals (0 for none).
    threshold : float, default=0.5
        Binary only: decision threshold on ``proba[:, 1]`` for the label metrics.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1, 1, 0])
    >>> proba = np.array([[0.8, 0.2], [0.1, 0.9], [0.4, 0.6], [0.6, 0.4]])
    >>> ev = evaluate("binary", y, proba, baseline_output("binary", y, 4), n_resamples=50)
    >>> ev.metric("roc_auc").value, ev.confusion_matrix
    (1.0, ((2, 0), (0, 2)))
    """
    if task not in REPORTED_METRICS:
        raise ConfigError(
            f"Unknown task {task!r}; choose one of {', '.join(REPORTED_METRICS)}."
            + did_you_mean(str(task), REPORTED_METRICS)
        )
    y_true, output, baseline = np.asarray(y_true), np.asarray(output), np.asarray(baseline)
    n = len(y_true)
    if n == 0:
        raise DataError("Nothing to evaluate: y_true has no rows. Keep a non-empty blind test.")
    if len(output) != n or len(baseline) != n:
        raise DataError(
            f"evaluate() got {n} targets, {len(output)} model outputs and {len(baseline)} "
            "baseline outputs; pass one output per evaluated row."
        )
    if n_resamples < 0:
        raise ConfigError(f"n_resamples must be 0 or more, got {n_resamples!r}.")
    classification = task != "regression"
    if classification and output.ndim == 1:
        output = np.column_stack([1 - output, output])
    if classification and baseline.ndim == 1:
        baseline = np.column_stack([1 - baseline, baseline])
    k = output.shape[1] if classification else None
    if classification:
        classes = tuple(range(k)) if classes is None else tuple(classes)
        if len(classes) != k:
            raise DataError(
                f"Got {len(classes)} class labels but probabilities for {k} classes; pass the "
                "labels of the fitted label encoder in encoded order."
            )
    else:
        classes = None

    names = REPORTED_METRICS[task]
    point = {name: score(name, y_true, output, k, threshold=threshold) for name in names}
    # The baseline decides by its most probable class: at a tuned threshold the priors would
    # turn into "everyone positive", which is not the trivial model the text describes.
    base = {name: score(name, y_true, baseline, k) for name in names}
    samples: dict[str, list[np.ndarray]] = {name: [] for name in names}
    scorers = {
        name: resample_scorer(name, y_true, output, n_classes=k, threshold=threshold)
        for name in names
        if not math.isnan(point[name])
    }
    rng = np.random.default_rng(random_state)
    for weights in resample_weights(n, n_resamples, rng) if n_resamples else ():
        for name, scorer in scorers.items():
            samples[name].append(scorer(weights))

    metric_values = []
    for name in names:
        low, high = math.nan, math.nan
        if samples[name]:
            low, high = percentile_interval(np.concatenate(samples[name]), _LEVEL)
        note = _undefined_reason(name, y_true) if math.isnan(point[name]) else ""
        if note:
            logger.info("metric %s is %s", name, note)
        metric_values.append(
            MetricValue(
                name, point[name], low, high, base[name], METRICS[name].greater_is_better, note
            )
        )

    matrix = None
    if classification:
        if k == 2:
            predicted = (output[:, 1] >= threshold).astype(np.int64)
        else:
            predicted = output.argmax(axis=1)
        matrix = _confusion(y_true.astype(np.int64), predicted, k)
    if source == "blind test":
        source = f"blind test: {n:,} rows never used for fitting or model selection"
    return Evaluation(
        task=task,
        n_rows=n,
        source=source,
        metrics=tuple(metric_values),
        classes=classes,
        confusion_matrix=matrix,
        threshold=float(threshold) if task == "binary" else None,
        baseline=baseline_text or _describe_baseline(task, baseline, classes or ()),
    )
