"""A fitted weighted average of fitted models."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from rightfit.errors import NotFittedError
from rightfit.models import predict_output


class WeightedEnsemble(BaseEstimator):
    """Average the outputs of already-fitted models with fixed weights.

    Parameters
    ----------
    estimators : list of fitted estimators (each maps prepared features to outputs).
    weights : list of float, summing to 1.
    task : "binary", "multiclass" or "regression".
    n_classes : number of encoded classes (classification).
    """

    def __init__(self, estimators=None, weights=None, task="binary", n_classes=None):
        self.estimators = estimators
        self.weights = weights
        self.task = task
        self.n_classes = n_classes

    def fit(self, X, y):
        """Fit every member on (X, y); the weights stay as given."""
        for estimator in self._members():
            estimator.fit(X, y)
        self._set_fitted()
        return self

    @classmethod
    def from_fitted(cls, estimators, weights, task, n_classes) -> WeightedEnsemble:
        """Wrap members that were already fitted (each with its own fit parameters)."""
        return cls(list(estimators), list(weights), task, n_classes)._set_fitted()

    def _set_fitted(self):
        self.classes_ = np.arange(self.n_classes) if self.task != "regression" else None
        self.is_fitted_ = True
        return self

    def _members(self):
        if not self.estimators:
            raise NotFittedError("WeightedEnsemble has no member estimators.")
        return self.estimators

    def members_and_weights(self) -> list[tuple[object, float]]:
        """(fitted member, weight) pairs in averaging order; read by the prediction fast path
        (``rightfit.models._fast``), which averages the members the same way."""
        if not getattr(self, "is_fitted_", False):
            raise NotFittedError("This WeightedEnsemble is not fitted yet; call fit first.")
        return list(zip(self._members(), self.weights, strict=True))

    def _average(self, X) -> np.ndarray:
        if not getattr(self, "is_fitted_", False):
            raise NotFittedError("This WeightedEnsemble is not fitted yet; call fit first.")
        total = None
        for estimator, weight in zip(self._members(), self.weights, strict=True):
            out = weight * predict_output(estimator, X, self.task, self.n_classes)
            total = out if total is None else total + out
        return total

    def predict_proba(self, X) -> np.ndarray:
        if self.task == "regression":
            raise AttributeError("predict_proba is not available for regression")
        return self._average(X)

    def predict(self, X) -> np.ndarray:
        out = self._average(X)
        return out if self.task == "regression" else out.argmax(axis=1)
