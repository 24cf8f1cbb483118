"""Decision thresholds for binary models: a recall or precision target, a cost, or best F1,
chosen on out-of-fold predictions so the blind test can check the choice."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rightfit.errors import ConfigError

_TARGET = re.compile(r"^\s*(recall|precision)\s*>=?\s*([0-9.]+)\s*$", re.IGNORECASE)
_COST = re.compile(r"^\s*(fp|fn)\s*=\s*([0-9.]+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Objective:
    """What the threshold should achieve."""

    kind: str  # "default", "recall", "precision", "cost", "f1"
    target: float | None = None
    fp_cost: float = 1.0
    fn_cost: float = 1.0

    @property
    def text(self) -> str:
        if self.kind in ("recall", "precision"):
            return f"{self.kind}>={self.target:g}"
        if self.kind == "cost":
            return f"cost fp={self.fp_cost:g},fn={self.fn_cost:g}"
        if self.kind == "f1":
            return "f1"
        return "default: the more probable class (threshold 0.5)"


def parse_objective(optimize_for: str | None = None, cost: str | None = None) -> Objective:
    """``"recall>=0.9"``, ``"precision>=0.95"`` or ``"f1"``; or ``cost="fp=1,fn=20"``.

    Examples
    --------
    >>> parse_objective("recall>=0.9").target
    0.9
    >>> parse_objective(cost="fp=1,fn=20").fn_cost
    20.0
    """
    if optimize_for and cost:
        raise ConfigError("Give --optimize-for or --cost, not both.")
    if cost:
        costs = {}
        for part in cost.split(","):
            match = _COST.match(part)
            if not match:
                raise ConfigError(
                    f"--cost {cost!r} is not understood; write it like fp=1,fn=20 (the cost of a "
                    "false positive and of a false negative)."
                )
            key = match.group(1).lower()
            if key in costs:
                raise ConfigError(f"--cost gives {key}= twice; write it once, e.g. fp=1,fn=20.")
            costs[key] = float(match.group(2))
        if set(costs) != {"fp", "fn"} or min(costs.values()) < 0 or max(costs.values()) == 0:
            raise ConfigError("--cost needs both fp= and fn=, non-negative, e.g. fp=1,fn=20.")
        return Objective("cost", fp_cost=costs["fp"], fn_cost=costs["fn"])
    if not optimize_for:
        return Objective("default")
    if optimize_for.strip().lower() == "f1":
        return Objective("f1")
    match = _TARGET.match(optimize_for)
    if not match or not 0 < float(match.group(2)) <= 1:
        raise ConfigError(
            f"--optimize-for {optimize_for!r} is not understood; write recall>=0.9, "
            "precision>=0.95 or f1."
        )
    return Objective(match.group(1).lower(), target=float(match.group(2)))


@dataclass(frozen=True)
class ThresholdChoice:
    value: float
    objective: Objective
    achieved: dict  # precision, recall, fp, fn... on the rows the choice was made on
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "objective": self.objective.text,
            "chosen_on": "out-of-fold predictions of the training rows",
            "achieved_out_of_fold": self.achieved,
            "note": self.note,
        }


def _counts(y: np.ndarray, p: np.ndarray):
    """Candidate thresholds (descending) with TP and FP counts of ``p >= threshold``."""
    order = np.argsort(-p, kind="stable")
    p_sorted, y_sorted = p[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(p_sorted)), len(p_sorted) - 1]  # end of each tie group
    tp = np.cumsum(y_sorted)[last]
    fp = (last + 1) - tp
    return p_sorted[last], tp.astype(float), fp.astype(float)


def confusion_at(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    y = np.asarray(y, dtype=np.int64)
    predicted = np.asarray(p) >= threshold
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    tn = int(np.sum(~predicted & (y == 0)))
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
    }


def choose_threshold(y: np.ndarray, p: np.ndarray, objective: Objective) -> ThresholdChoice:
    """The threshold on P(positive) that best meets ``objective`` on rows ``y``, ``p``."""
    y = np.asarray(y, dtype=np.int64)
    p = np.asarray(p, dtype=float)
    if objective.kind == "default":
        return ThresholdChoice(0.5, objective, confusion_at(y, p, 0.5))
    thresholds, tp, fp = _counts(y, p)
    positives = max(float(y.sum()), 1.0)
    recall = tp / positives
    precision = tp / np.maximum(tp + fp, 1.0)
    note = ""
    if objective.kind == "recall":
        ok = np.flatnonzero(recall >= objective.target)
        i = int(ok[0])  # highest threshold reaching the recall: the fewest false positives
    elif objective.kind == "precision":
        ok = np.flatnonzero(precision >= objective.target)
        if len(ok):
            i = int(ok[-1])  # lowest threshold keeping the precision: the most recall
        else:
            i = int(np.argmax(precision))
            note = (
                f"precision {objective.target:g} is not reached out of fold (best "
                f"{precision[i]:.3f}); the threshold with the highest precision is used"
            )
    elif objective.kind == "cost":
        fn = positives - tp
        total = objective.fp_cost * fp + objective.fn_cost * fn
        i = int(np.argmin(total))
        if objective.fn_cost * positives < total[i]:
            # Flagging nobody is cheaper than any threshold: say so rather than pretend.
            never = float(np.nextafter(thresholds[0], np.inf))
            return ThresholdChoice(
                never,
                objective,
                confusion_at(y, p, never),
                "at these costs predicting no positives at all is cheapest",
            )
    else:
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        i = int(np.argmax(f1))
    return ThresholdChoice(float(thresholds[i]), objective, confusion_at(y, p, thresholds[i]), note)
