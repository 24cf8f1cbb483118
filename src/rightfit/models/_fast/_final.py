"""Call a fitted final estimator on a small float matrix without scikit-learn's per-call checks.

Each function returns what the estimator's own ``predict_proba`` (classifiers, columns in
``classes_`` order) or ``predict`` (regressors) returns. Boosters are called directly on one
thread; linear models are a dot product; forests walk all their trees at once. Other families
(k-NN, SVM) keep their own method, which still skips the ColumnTransformer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.extmath import softmax

from rightfit.models._fast._columns import NotCompilable

Final = Callable[[np.ndarray], np.ndarray]


def compile_final(estimator, classifier: bool) -> Final:
    """The fastest exact prediction function for a fitted final estimator."""
    module = type(estimator).__module__
    if module.startswith("lightgbm."):
        return _lightgbm(estimator, classifier)
    if module.startswith("xgboost."):
        return _xgboost(estimator, classifier)
    if isinstance(estimator, LogisticRegression) and classifier:
        return _logistic(estimator)
    if isinstance(estimator, Ridge) and not classifier:
        return _ridge(estimator)
    if isinstance(estimator, (RandomForestClassifier, ExtraTreesClassifier)) and classifier:
        return _forest(estimator, classifier=True)
    if isinstance(estimator, (RandomForestRegressor, ExtraTreesRegressor)) and not classifier:
        return _forest(estimator, classifier=False)
    return estimator.predict_proba if classifier else estimator.predict


def _lightgbm(estimator, classifier: bool) -> Final:
    booster = estimator.booster_
    if classifier and callable(getattr(estimator, "objective", None)):
        raise NotCompilable("LightGBM with a custom objective")
    binary = classifier and getattr(estimator, "n_classes_", 2) <= 2

    def predict(X: np.ndarray) -> np.ndarray:
        # num_threads=1: a thread pool costs more than it saves on a few rows
        result = booster.predict(X, num_threads=1)
        if binary:
            return np.vstack((1.0 - result, result)).transpose()
        return result

    return predict


def _xgboost(estimator, classifier: bool) -> Final:
    booster = estimator.get_booster()
    get_range = getattr(estimator, "_get_iteration_range", None)
    if get_range is None or not getattr(estimator, "_can_use_inplace_predict", lambda: False)():
        raise NotCompilable("XGBoost model without in-place prediction")
    iteration_range = get_range(None)
    missing = estimator.missing
    binary = classifier and getattr(estimator, "n_classes_", 2) <= 2
    if classifier and estimator.objective == "multi:softmax":
        raise NotCompilable("XGBoost multi:softmax gives no probabilities")

    def inplace(X: np.ndarray) -> np.ndarray:
        return booster.inplace_predict(
            X, iteration_range=iteration_range, predict_type="value", missing=missing
        )

    raw = _direct_xgboost(booster, iteration_range, missing, inplace) or inplace

    def predict(X: np.ndarray) -> np.ndarray:
        result = raw(X)
        if binary and result.ndim == 1:
            return np.vstack((1.0 - result, result)).transpose()
        return result

    return predict


def _direct_xgboost(booster, iteration_range, missing, inplace: Final) -> Final | None:
    """XGBoost's own C prediction on a dense matrix, without ``inplace_predict``'s Python layer.

    Of the ~0.22 ms a one-row ``inplace_predict`` takes, about 0.1 ms is Python: dispatch on
    the input's type, feature checks and the JSON configuration, rebuilt on every call. This
    calls the same C function (``XGBoosterPredictFromDense``) with the configuration built once,
    so the outputs are the same bit for bit; it is used only when a probe agrees exactly, and
    None (keep ``inplace_predict``) where this xgboost's internals differ."""
    try:
        import ctypes
        import json

        from xgboost.core import _LIB, _check_call, c_bst_ulong, make_jcargs

        config = make_jcargs(
            type=0,  # values, as predict_type="value"
            training=False,
            iteration_begin=int(iteration_range[0]),
            iteration_end=int(iteration_range[1]),
            missing=missing,
            strict_shape=False,
            cache_id=0,
        )
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    no_margin = ctypes.c_void_p()

    def predict(X: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or not X.shape[0]:
            return inplace(X)
        interface = json.dumps(
            {
                "data": (X.ctypes.data, True),
                "shape": X.shape,
                "strides": None,
                "typestr": "<f8",
                "version": 3,
            }
        ).encode()
        shape = ctypes.POINTER(c_bst_ulong)()
        dims = c_bst_ulong()
        values = ctypes.POINTER(ctypes.c_float)()
        _check_call(
            _LIB.XGBoosterPredictFromDense(
                booster.handle,  # read through the booster, which this closure keeps alive
                interface,
                config,
                no_margin,
                ctypes.byref(shape),
                ctypes.byref(dims),
                ctypes.byref(values),
            )
        )
        out_shape = tuple(int(shape[i]) for i in range(dims.value))
        # The values live in the booster's per-thread buffer until its next call: copy them.
        return np.ctypeslib.as_array(values, (int(np.prod(out_shape)),)).reshape(out_shape).copy()

    probe = np.array([[0.0] * booster.num_features(), [np.nan] * booster.num_features()])
    try:
        same = np.array_equal(predict(probe), inplace(probe), equal_nan=True)
    except Exception:  # any failure of the private route means: use the public one
        return None
    return predict if same else None


def _logistic(estimator: LogisticRegression) -> Final:
    coef_t = estimator.coef_.T
    intercept = estimator.intercept_
    binary = len(estimator.classes_) <= 2

    def predict(X: np.ndarray) -> np.ndarray:
        decision = X @ coef_t + intercept
        if binary:
            positive = 1.0 / (1.0 + np.exp(-decision.ravel()))
            return np.stack([1 - positive, positive], axis=1)
        return softmax(decision, copy=False)

    return predict


def _ridge(estimator: Ridge) -> Final:
    coef_t = estimator.coef_.T
    intercept = estimator.intercept_

    def predict(X: np.ndarray) -> np.ndarray:
        return X @ coef_t + intercept

    return predict


def _forest(forest, classifier: bool) -> Final:
    """All trees walked together: one numpy step per tree level instead of one Python call
    (with input checks) per tree. scikit-learn compares float32 inputs with float64
    thresholds and sends NaN where ``missing_go_to_left`` says; so does this."""
    trees = [e.tree_ for e in forest.estimators_]
    if getattr(forest, "n_outputs_", 1) != 1:
        raise NotCompilable("multi-output forest")
    offsets = np.cumsum([0] + [t.node_count for t in trees[:-1]])
    left = np.concatenate([t.children_left + o for t, o in zip(trees, offsets, strict=True)])
    right = np.concatenate([t.children_right + o for t, o in zip(trees, offsets, strict=True)])
    leaf = np.concatenate([t.children_left == -1 for t in trees])
    left[leaf] = right[leaf] = np.flatnonzero(leaf)  # a leaf points to itself
    feature = np.concatenate([t.feature for t in trees]).clip(min=0)
    threshold = np.concatenate([t.threshold for t in trees])
    go_left_if_missing = np.concatenate(
        [getattr(t, "missing_go_to_left", np.zeros(t.node_count, np.uint8)) for t in trees]
    ).astype(bool)
    if classifier:
        values = np.concatenate([t.value[:, 0, :] for t in trees])
    else:
        values = np.concatenate([t.value[:, 0, 0] for t in trees])
    roots = offsets.astype(np.intp)
    depth = max(t.max_depth for t in trees)
    n_trees = len(trees)

    def predict(X: np.ndarray) -> np.ndarray:
        X32 = np.asarray(X, dtype=np.float32).astype(np.float64)
        rows = np.arange(len(X32))[:, None]
        node = np.broadcast_to(roots, (len(X32), n_trees)).copy()
        for level in range(depth):
            if level % 8 == 7 and leaf[node].all():  # most trees are shallower than the deepest
                break
            x = X32[rows, feature[node]]
            go_left = np.where(np.isnan(x), go_left_if_missing[node], x <= threshold[node])
            node = np.where(go_left, left[node], right[node])
        # a different summation order than scikit-learn's: equal to ~1e-15, not bit for bit
        return values[node].sum(axis=1) / n_trees

    return predict
