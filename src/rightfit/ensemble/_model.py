"""A fitted weighted average of fitted models."""

from __future__ import annotations

import copy

import joblib
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

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

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())
        state.pop("_shared", None)  # a cache of the members' structure, rebuilt on first use
        return state

    @classmethod
    def from_fitted(cls, estimators, weights, task, n_classes) -> WeightedEnsemble:
        """Wrap members that were already fitted (each with its own fit parameters)."""
        return cls(list(estimators), list(weights), task, n_classes)._set_fitted()

    def _set_fitted(self):
        self.__dict__.pop("_shared", None)
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
        members = self._members()
        # Rebuilt when the members change (set_params, or a member refitted into a new object).
        identity = [(id(m), id(getattr(m, "regressor_", m))) for m in members]
        cached = self.__dict__.get("_shared")
        if cached is None or cached[0] != identity:
            cached = self.__dict__["_shared"] = (identity, _share_preprocessing(members))
        shared = cached[1]
        total, inputs = None, {}
        for (key, preprocessor, rest), weight in zip(shared, self.weights, strict=True):
            if preprocessor is None:
                features = X
            else:
                if key not in inputs:
                    inputs[key] = preprocessor.transform(X)
                features = inputs[key]
            out = weight * predict_output(rest, features, self.task, self.n_classes)
            total = out if total is None else total + out
        return total

    def predict_proba(self, X) -> np.ndarray:
        if self.task == "regression":
            raise AttributeError("predict_proba is not available for regression")
        return self._average(X)

    def predict(self, X) -> np.ndarray:
        out = self._average(X)
        return out if self.task == "regression" else out.argmax(axis=1)


def _share_preprocessing(members: list) -> list[tuple]:
    """Per member, (key, preprocessor, rest): members whose fitted preprocessing is identical
    (the same class and fitted state, e.g. LightGBM and XGBoost both on the tree encoding) get
    the same key, so a batch is encoded once for all of them. ``rest`` predicts from the
    preprocessed features; a member of another shape keeps (None, None, member).
    """
    out = []
    for index, member in enumerate(members):
        inner = getattr(member, "regressor_", None)  # TransformedTargetRegressor (log target)
        pipeline = member if inner is None else inner
        if not isinstance(pipeline, Pipeline) or len(pipeline.steps) < 2:
            out.append((None, None, member))
            continue
        preprocessor = pipeline.steps[0][1]
        try:
            key = joblib.hash(preprocessor)  # hashes the fitted state; never unpickles
        except Exception:  # an object joblib cannot hash: encode for this member alone
            key = f"member {index}"
        rest = pipeline[1:]  # the same fitted steps, after the preprocessing
        if inner is not None:
            rest, wrapper = copy.copy(member), rest
            rest.regressor_ = wrapper  # the wrapper's inverse transform, on the rest only
        out.append((key, preprocessor, rest))
    return out
