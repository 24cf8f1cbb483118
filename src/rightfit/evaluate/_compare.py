"""Paired comparisons: is model A really better than model B on the same rows?

Both models are scored on the same bootstrap resamples of the rows, so the spread of the
difference reflects only which rows happened to be drawn, not two independent noises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rightfit.evaluate._bootstrap import resample_weights
from rightfit.metrics import METRICS, resample_scorer, score

LEVEL = 0.95


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    metric: str
    rows: str
    score_a: float
    score_b: float
    diff: float  # a - b, in the metric's own direction (positive = A better)
    low: float
    high: float
    p_value: float
    significant: bool
    verdict: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def paired_comparison(
    y: np.ndarray,
    out_a: np.ndarray,
    out_b: np.ndarray,
    metric: str,
    *,
    a: str,
    b: str,
    rows: str,
    n_classes: int | None = None,
    threshold: float = 0.5,
    n_resamples: int = 1000,
    random_state: int = 0,
) -> Comparison:
    """Bootstrap the difference ``metric(A) - metric(B)`` (sign: positive means A is better).

    The p-value is two-sided: twice the share of resamples on the losing side of zero.
    """
    y = np.asarray(y)
    sign = 1.0 if METRICS[metric].greater_is_better else -1.0
    score_a = score(metric, y, out_a, n_classes, threshold=threshold)
    score_b = score(metric, y, out_b, n_classes, threshold=threshold)
    rng = np.random.default_rng(random_state)
    scorer_a = resample_scorer(metric, y, out_a, n_classes=n_classes, threshold=threshold)
    scorer_b = resample_scorer(metric, y, out_b, n_classes=n_classes, threshold=threshold)
    diffs = []
    for weights in resample_weights(len(y), n_resamples, rng):
        diffs.append(sign * (scorer_a(weights) - scorer_b(weights)))
    d = np.concatenate(diffs)
    d = d[~np.isnan(d)]
    diff = sign * (score_a - score_b)
    if len(d) == 0:
        low = high = p_value = float("nan")
    else:
        tail = 100 * (1 - LEVEL) / 2
        low, high = (float(v) for v in np.percentile(d, [tail, 100 - tail]))
        p_value = float(min(1.0, 2 * min(np.mean(d <= 0), np.mean(d >= 0))))
    significant = bool(p_value < 1 - LEVEL)
    if significant and diff > 0:
        verdict = f"{a} is significantly better than {b} (p={p_value:.3f})"
    elif significant:
        verdict = f"{a} is significantly worse than {b} (p={p_value:.3f})"
    else:
        verdict = f"{a} is not significantly better than {b} (p={p_value:.3f})"
    return Comparison(
        a, b, metric, rows, score_a, score_b, diff, low, high, p_value, significant, verdict
    )
