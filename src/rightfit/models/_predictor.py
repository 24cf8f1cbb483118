"""The delivered model: raw rows in, labels or probabilities out, exactly as in training."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rightfit.data import Schema, prepare_features
from rightfit.errors import DataError, NotFittedError
from rightfit.models._output import predict_output


class TabularPredictor:
    """Applies the training schema, then the fitted estimator, and maps classes back to labels.

    Parameters
    ----------
    estimator : fitted estimator taking prepared features (see ``rightfit.data.prepare_features``).
    schema : the training :class:`~rightfit.data.Schema`.
    """

    def __init__(self, estimator, schema: Schema):
        self.estimator = estimator
        self.schema = schema

    @property
    def task(self) -> str:
        return self.schema.task

    @property
    def classes_(self) -> np.ndarray:
        if self.schema.classes is None:
            raise AttributeError("a regression model has no classes_")
        return np.asarray(self.schema.classes, dtype=object)

    def _features(self, X) -> pd.DataFrame:
        if self.estimator is None:
            raise NotFittedError("This model has no fitted estimator.")
        if not isinstance(X, pd.DataFrame):
            raise DataError(
                f"predict expects a pandas DataFrame with the training columns, got "
                f"{type(X).__name__}. Wrap your rows in pd.DataFrame(...)."
            )
        return prepare_features(X, self.schema)

    def output(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities (n, K) for classification, predictions (n,) for regression."""
        n_classes = None if self.task == "regression" else len(self.schema.classes)
        return predict_output(self.estimator, self._features(X), self.task, n_classes)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        if self.task == "regression":
            raise AttributeError("predict_proba is only defined for classification models")
        return self.output(X)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        out = self.output(X)
        if self.task == "regression":
            return out
        return self.classes_[out.argmax(axis=1)]

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """``prediction`` plus one ``proba_<label>`` column per class, rows in input order."""
        out = self.output(X)
        if self.task == "regression":
            return pd.DataFrame({"prediction": out})
        frame = pd.DataFrame({"prediction": self.classes_[out.argmax(axis=1)]})
        for j, label in enumerate(self.schema.classes):
            frame[f"proba_{label}"] = out[:, j]
        return frame
