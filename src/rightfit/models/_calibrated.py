"""Probability calibration applied after a fitted classifier (Platt, isotonic or temperature).

The maths lives here, below ``evaluate`` and ``pipeline``, so the delivered model and the
analysis that chose the calibration apply exactly the same function.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

_EPS = 1e-12


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def apply_calibration(proba: np.ndarray, method: str, params: dict) -> np.ndarray:
    """Calibrated (n, K) probabilities from raw ones.

    ``sigmoid`` and ``isotonic`` map the positive-class probability of a binary model;
    ``temperature`` divides the log-probabilities of a multiclass model by ``T``.
    """
    proba = np.asarray(proba, dtype=float)
    if method == "none":
        return proba
    if method == "temperature":
        logits = np.log(np.clip(proba, _EPS, 1.0)) / float(params["temperature"])
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)
    p1 = proba[:, 1]
    if method == "sigmoid":
        z = float(params["a"]) * _logit(p1) + float(params["b"])
        q = 1.0 / (1.0 + np.exp(-z))
    elif method == "isotonic":
        q = np.interp(p1, np.asarray(params["x"], float), np.asarray(params["y"], float))
    else:
        raise ValueError(f"unknown calibration method {method!r}")
    return np.column_stack([1.0 - q, q])


class CalibratedModel(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose probabilities pass through a fitted calibration map.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba``.
    method : {"sigmoid", "isotonic", "temperature"}
    a, b : Platt scaling coefficients on the logit of the positive-class probability.
    x, y : isotonic map knots (positive-class probability in, calibrated probability out).
    temperature : multiclass temperature.
    """

    def __init__(
        self, estimator=None, method="sigmoid", a=1.0, b=0.0, x=None, y=None, temperature=1.0
    ):
        self.estimator = estimator
        self.method = method
        self.a = a
        self.b = b
        self.x = x
        self.y = y
        self.temperature = temperature

    @classmethod
    def from_params(cls, estimator, method: str, params: dict) -> CalibratedModel:
        model = cls(estimator, method, **params)
        model.classes_ = getattr(estimator, "classes_", None)
        model.is_fitted_ = True
        return model

    @property
    def params_(self) -> dict:
        if self.method == "sigmoid":
            return {"a": self.a, "b": self.b}
        if self.method == "isotonic":
            return {"x": self.x, "y": self.y}
        return {"temperature": self.temperature}

    def fit(self, X, y, **fit_params):
        """Refit the inner classifier; the calibration map, chosen out of fold, is kept."""
        self.estimator.fit(X, y, **fit_params)
        self.classes_ = getattr(self.estimator, "classes_", None)
        self.is_fitted_ = True
        return self

    def predict_proba(self, X) -> np.ndarray:
        return apply_calibration(self.estimator.predict_proba(X), self.method, self.params_)

    def predict(self, X) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)
