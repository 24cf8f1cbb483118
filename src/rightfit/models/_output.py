"""One output convention for every fitted model: a full (n, K) probability matrix for classes,
a float vector for regression."""

from __future__ import annotations

import numpy as np


def predict_output(estimator, X, task: str, n_classes: int | None) -> np.ndarray:
    """Predict with ``estimator``; for classifiers, always return all ``n_classes`` columns.

    A fold that saw only some classes yields probabilities for those; the others get 0.
    """
    if task == "regression":
        return np.asarray(estimator.predict(X), dtype=float).ravel()
    proba = np.asarray(estimator.predict_proba(X), dtype=float)
    classes = np.asarray(getattr(estimator, "classes_", np.arange(proba.shape[1])))
    if n_classes is None or (
        proba.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes))
    ):
        return proba
    full = np.zeros((proba.shape[0], n_classes))
    full[:, classes.astype(int)] = proba
    return full
