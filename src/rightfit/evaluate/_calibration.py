"""Choose a probability calibration on out-of-fold predictions, by cross-validated log loss."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from rightfit.metrics import score
from rightfit.models._calibrated import _logit, apply_calibration

# Calibrate only when it lowers cross-validated log loss by this share (and absolute amount):
# a calibration map that barely helps is one more thing that can drift.
MIN_RELATIVE_GAIN = 0.01
MIN_ABSOLUTE_GAIN = 0.002
MAX_ISOTONIC_KNOTS = 200


@dataclass(frozen=True)
class CalibrationChoice:
    """The chosen calibration (``method`` "none" when none helps) and the evidence."""

    method: str
    params: dict = field(default_factory=dict)
    log_loss: dict = field(default_factory=dict)  # cross-validated, per method tried
    reason: str = ""

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "params": self.params,
            "cv_log_loss": self.log_loss,
            "reason": self.reason,
        }


def _fit(method: str, y: np.ndarray, proba: np.ndarray) -> dict:
    if method == "sigmoid":
        lr = LogisticRegression(C=1e6).fit(_logit(proba[:, 1]).reshape(-1, 1), y)
        return {"a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(proba[:, 1], y)
        x, q = iso.X_thresholds_, iso.y_thresholds_
        if len(x) > MAX_ISOTONIC_KNOTS:
            keep = np.unique(np.linspace(0, len(x) - 1, MAX_ISOTONIC_KNOTS).astype(int))
            x, q = x[keep], q[keep]
        return {"x": [float(v) for v in x], "y": [float(v) for v in q]}
    logp = np.log(np.clip(proba, 1e-12, 1.0))

    def loss(t: float) -> float:
        z = logp / t
        z -= z.max(axis=1, keepdims=True)
        return float(-np.mean(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))))

    best = minimize_scalar(loss, bounds=(0.05, 20.0), method="bounded")
    return {"temperature": float(best.x)}


def choose_calibration(
    y: np.ndarray, proba: np.ndarray, task: str, random_state: int = 0
) -> CalibrationChoice:
    """Compare no calibration, Platt and isotonic (binary) or temperature (multiclass).

    Each map is fitted on 4/5 of the out-of-fold rows and scored on the rest, so the comparison
    is itself out of sample; the winner is refitted on every row.
    """
    y = np.asarray(y, dtype=np.int64)
    proba = np.asarray(proba, dtype=float)
    methods = ["sigmoid", "isotonic"] if task == "binary" else ["temperature"]
    if len(y) < 100 or len(np.unique(y)) < 2:
        return CalibrationChoice("none", reason=f"only {len(y)} out-of-fold rows; left as is")
    k = proba.shape[1]
    folds = KFold(5, shuffle=True, random_state=random_state).split(y)
    losses: dict[str, list[float]] = {m: [] for m in ["none", *methods]}
    for fit_rows, val_rows in folds:
        losses["none"].append(score("log_loss", y[val_rows], proba[val_rows], k))
        for method in methods:
            params = _fit(method, y[fit_rows], proba[fit_rows])
            calibrated = apply_calibration(proba[val_rows], method, params)
            losses[method].append(score("log_loss", y[val_rows], calibrated, k))
    mean = {m: float(np.mean(v)) for m, v in losses.items()}
    best = min(methods, key=mean.get)
    gain = mean["none"] - mean[best]
    if gain < MIN_ABSOLUTE_GAIN or gain < MIN_RELATIVE_GAIN * mean["none"]:
        return CalibrationChoice(
            "none",
            log_loss=mean,
            reason=(
                f"probabilities already calibrated: the best map ({best}) would change "
                f"cross-validated log loss from {mean['none']:.4f} to {mean[best]:.4f}"
            ),
        )
    label = {"sigmoid": "Platt scaling", "isotonic": "isotonic regression"}.get(best, best)
    return CalibrationChoice(
        best,
        _fit(best, y, proba),
        mean,
        reason=(
            f"{label} lowers cross-validated log loss from {mean['none']:.4f} to "
            f"{mean[best]:.4f} on the out-of-fold predictions"
        ),
    )
