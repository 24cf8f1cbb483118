"""Which columns the model relies on: permutation importance on the blind test (any model) and
SHAP values for boosted trees (their exact TreeSHAP, via LightGBM's and XGBoost's own
``pred_contrib``)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from rightfit.metrics import METRICS, score

MAX_ROWS = 2000
PROBE_ROWS = 20
PERMUTATION_ROWS = 1000


def permutation_importance(
    predict: Callable[[pd.DataFrame], np.ndarray],
    X: pd.DataFrame,
    y: np.ndarray,
    metric: str,
    *,
    n_classes: int | None = None,
    n_repeats: int = 2,
    deadline: float | None = None,
    random_state: int = 0,
) -> dict:
    """Drop in ``metric`` when one column's values are shuffled (others untouched).

    Columns are measured one at a time until ``deadline`` (``time.monotonic()``); those left
    are reported as not measured rather than guessed.
    """
    rng = np.random.default_rng(random_state)
    rows = np.arange(len(X))
    if len(rows) > PERMUTATION_ROWS:
        rows = np.sort(rng.choice(rows, PERMUTATION_ROWS, replace=False))
    X = X.iloc[rows].reset_index(drop=True)
    y = np.asarray(y)[rows]
    sign = 1.0 if METRICS[metric].greater_is_better else -1.0
    base = score(metric, y, predict(X), n_classes)
    results, skipped = [], []
    for column in X.columns:
        if deadline is not None and time.monotonic() > deadline:
            skipped.append(column)
            continue
        drops = []
        shuffled = X.copy()
        for _ in range(n_repeats):
            shuffled[column] = X[column].to_numpy()[rng.permutation(len(X))]
            drops.append(sign * (base - score(metric, y, predict(shuffled), n_classes)))
        results.append(
            {
                "column": str(column),
                "importance": float(np.mean(drops)),
                "std": float(np.std(drops)),
            }
        )
    results.sort(key=lambda r: -r["importance"])
    return {
        "method": f"permutation: loss of quality ({'drop' if sign > 0 else 'rise'} in "
        f"{metric}) when a column is shuffled, mean of "
        f"{n_repeats} shuffles on {len(X):,} blind-test rows",
        "metric": metric,
        "baseline_score": float(base),
        "columns": results,
        "not_measured": [str(c) for c in skipped],
    }


def _unwrap(estimator):
    """The innermost (preprocessing, booster) of a pipeline, through rightfit's wrappers."""
    for attr in ("estimator", "regressor_", "regressor"):
        inner = getattr(estimator, attr, None)
        if inner is not None and not isinstance(inner, str):
            return _unwrap(inner)
    steps = getattr(estimator, "steps", None)
    if steps and len(steps) == 2:
        return steps[0][1], steps[1][1]
    return None


def tree_shap(estimator, X: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray] | None:
    """SHAP contributions per column (rows x columns) of a LightGBM or XGBoost pipeline.

    Returns ``(contributions, base_values)`` on the model's raw scale (log-odds of the positive
    class for binary classifiers; for multiclass, the raw score of each row's predicted class),
    or None when the model is not a supported tree booster. The preprocessing of boosted trees
    keeps one column per input column, so each contribution belongs to exactly one input column.
    """
    parts = _unwrap(estimator)
    if parts is None:
        return None
    prep, model = parts
    name = type(model).__module__
    Z = prep.transform(X)
    if name.startswith("lightgbm"):
        raw = model.booster_.predict(Z, pred_contrib=True)
    elif name.startswith("xgboost"):
        import xgboost as xgb

        raw = model.get_booster().predict(
            xgb.DMatrix(Z, enable_categorical=True), pred_contribs=True
        )
    else:
        return None
    raw = np.asarray(raw)
    n_cols = Z.shape[1]
    if raw.ndim == 2 and raw.shape[1] > n_cols + 1:  # lightgbm multiclass: blocks side by side
        raw = raw.reshape(len(raw), -1, n_cols + 1)
    if raw.ndim == 3:
        # Multiclass (rows, classes, cols+1): explain each row's predicted class, the class
        # whose raw score (contributions + base) is highest.
        predicted = raw.sum(axis=2).argmax(axis=1)
        raw = raw[np.arange(len(raw)), predicted, :]
    if raw.shape[1] != n_cols + 1 or n_cols != X.shape[1]:
        return None
    names = _output_columns(prep, X)
    return pd.DataFrame(raw[:, :-1], columns=names), raw[:, -1]


def _output_columns(prep, X: pd.DataFrame) -> list[str]:
    try:
        out = [str(n).split("__", 1)[-1] for n in prep.get_feature_names_out()]
    except Exception:
        out = []
    return (
        out
        if len(out) == X.shape[1] and set(out) == set(map(str, X.columns))
        else list(map(str, X.columns))
    )


def shap_summary(
    estimator, X: pd.DataFrame, random_state: int = 0, deadline: float | None = None
) -> dict | None:
    """Mean |SHAP| per column on up to 2,000 rows, largest first.

    TreeSHAP costs grow with trees x leaves x depth² per row (and per class): a 10-class,
    400-tree model took 40 s on 2,000 rows. A probe on 20 rows sets how many rows fit before
    ``deadline``.
    """
    rng = np.random.default_rng(random_state)
    order = rng.permutation(len(X))
    probe = order[:PROBE_ROWS]
    try:
        start = time.monotonic()
        result = tree_shap(estimator, X.iloc[np.sort(probe)].reset_index(drop=True))
        per_row = (time.monotonic() - start) / max(len(probe), 1)
    except Exception:  # an unusual model layout: importance by permutation still stands
        return None
    if result is None:
        return None
    n = min(MAX_ROWS, len(X))
    if deadline is not None:
        n = min(n, max(len(probe), int(0.8 * (deadline - time.monotonic()) / max(per_row, 1e-6))))
    rows = np.sort(order[:n])
    if n > len(probe):
        try:
            result = tree_shap(estimator, X.iloc[rows].reset_index(drop=True))
        except Exception:
            return None
    else:
        rows = np.sort(probe)
    contributions, _ = result
    mean_abs = contributions.abs().mean().sort_values(ascending=False)
    return {
        "method": f"mean |SHAP value| (TreeSHAP, model's raw output scale; multiclass: each row's "
        f"predicted class) on {len(rows):,} blind-test rows",
        "columns": [{"column": c, "mean_abs_shap": float(v)} for c, v in mean_abs.items()],
    }
