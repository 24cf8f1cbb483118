"""Caruana et al. (2004) ensemble selection: add, with replacement, the member whose addition
most improves the metric on out-of-fold predictions.

The weights are chosen on the same out-of-fold rows they are scored on, so the ensemble's CV score
is slightly optimistic; it is only chosen when it beats the best single model by a margin, and the
blind test then measures it without that bias.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from rightfit import metrics

logger = logging.getLogger(__name__)

MIN_RELATIVE_GAIN = 0.0005


@dataclass(frozen=True)
class EnsembleChoice:
    members: tuple[int, ...]  # trial numbers
    weights: tuple[float, ...]
    loss: float
    best_single_loss: float

    @property
    def improves(self) -> bool:
        gain = self.best_single_loss - self.loss
        return len(self.members) > 1 and gain > MIN_RELATIVE_GAIN * max(
            abs(self.best_single_loss), 1e-9
        )

    def to_dict(self) -> dict:
        return {
            "members": list(self.members),
            "weights": [round(w, 4) for w in self.weights],
            "cv_loss": self.loss,
            "best_single_cv_loss": self.best_single_loss,
        }


def select_ensemble(
    oof: dict[int, np.ndarray],
    y: np.ndarray,
    metric: str,
    rows: np.ndarray,
    rounds: int = 30,
    max_members: int = 5,
) -> EnsembleChoice | None:
    """Choose weights for the candidate trials' out-of-fold outputs.

    Parameters
    ----------
    oof : {trial number: out-of-fold output}
    rows : positions covered by validation folds (all rows for K-fold; not for time splits).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1, 0, 1])
    >>> oof = {0: np.array([[.6, .4], [.4, .6], [.4, .6], [.6, .4]]),
    ...        1: np.array([[.9, .1], [.1, .9], [.6, .4], [.6, .4]])}
    >>> select_ensemble(oof, y, "log_loss", np.arange(4)).members
    (1,)
    """
    if not oof:
        return None
    keys = list(oof)
    outputs = {k: oof[k][rows] for k in keys}
    target = y[rows]
    single = {k: metrics.loss(metric, target, outputs[k]) for k in keys}
    finite = {k: v for k, v in single.items() if math.isfinite(v)}
    if not finite:
        return None
    best_key = min(finite, key=finite.get)
    counts = {best_key: 1}
    total = outputs[best_key].copy()
    current = finite[best_key]
    for _ in range(rounds - 1):
        n = sum(counts.values())
        best_step, best_loss = None, current
        for k in finite:
            if k not in counts and len(counts) >= max_members:
                continue
            candidate = (total + outputs[k]) / (n + 1)
            value = metrics.loss(metric, target, candidate)
            if value < best_loss - 1e-12:
                best_step, best_loss = k, value
        if best_step is None:
            break
        counts[best_step] = counts.get(best_step, 0) + 1
        total = total + outputs[best_step]
        current = best_loss
    n = sum(counts.values())
    members = tuple(counts)
    weights = tuple(counts[k] / n for k in members)
    return EnsembleChoice(members, weights, current, finite[best_key])
