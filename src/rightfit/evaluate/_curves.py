"""Points for the report's charts: ROC, precision-recall, reliability, residuals.

Curves are thinned to a few hundred points so the record stays small; every point is a real
point of the curve.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_curve

MAX_POINTS = 200
MAX_RESIDUALS = 1000


def _thin(*arrays: np.ndarray) -> list[list[float]]:
    n = len(arrays[0])
    keep = np.unique(np.linspace(0, n - 1, min(n, MAX_POINTS)).astype(int)) if n else []
    return [[round(float(a[i]), 6) for i in keep] for a in arrays]


def roc_points(y: np.ndarray, p1: np.ndarray) -> dict:
    fpr, tpr, _ = roc_curve(y, p1)
    x, yv = _thin(fpr, tpr)
    return {"fpr": x, "tpr": yv}


def pr_points(y: np.ndarray, p1: np.ndarray) -> dict:
    precision, recall, _ = precision_recall_curve(y, p1)
    r, p = _thin(recall[::-1], precision[::-1])
    return {"recall": r, "precision": p, "positive_share": float(np.mean(y))}


def reliability(y: np.ndarray, proba: np.ndarray, bins: int = 10) -> dict:
    """Observed frequency against mean predicted probability per bin.

    Binary: the positive class. Multiclass: the confidence of the predicted class against
    how often that prediction is right.
    """
    proba = np.asarray(proba, dtype=float)
    if proba.shape[1] == 2:
        conf, hit = proba[:, 1], (np.asarray(y) == 1).astype(float)
    else:
        conf = proba.max(axis=1)
        hit = (proba.argmax(axis=1) == np.asarray(y)).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    out = {"predicted": [], "observed": [], "count": []}
    for b in range(bins):
        mask = which == b
        if mask.any():
            out["predicted"].append(round(float(conf[mask].mean()), 4))
            out["observed"].append(round(float(hit[mask].mean()), 4))
            out["count"].append(int(mask.sum()))
    out["expected_calibration_error"] = round(
        float(
            sum(
                c * abs(p - o)
                for p, o, c in zip(out["predicted"], out["observed"], out["count"], strict=True)
            )
            / max(len(conf), 1)
        ),
        4,
    )
    return out


def residual_sample(y: np.ndarray, predicted: np.ndarray, random_state: int = 0) -> dict:
    y = np.asarray(y, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    rows = np.arange(len(y))
    if len(rows) > MAX_RESIDUALS:
        rows = np.sort(np.random.default_rng(random_state).choice(rows, MAX_RESIDUALS, False))
    return {
        "actual": [round(float(v), 6) for v in y[rows]],
        "predicted": [round(float(v), 6) for v in predicted[rows]],
        "n_rows": len(y),
    }


def curves(task: str, y: np.ndarray, output: np.ndarray, random_state: int = 0) -> dict:
    """Every chart's points for one model's blind-test output."""
    if task == "regression":
        return {"residuals": residual_sample(y, output, random_state)}
    out = {"reliability": reliability(y, output)}
    if task == "binary" and len(np.unique(y)) == 2:
        out["roc"] = roc_points(y, output[:, 1])
        out["pr"] = pr_points(y, output[:, 1])
    return out
