"""Fit regression models on log(target) when the target is positive and right-skewed.

Prices, amounts and counts usually have errors that grow with their size; fitting on the log
scale and transforming back often lowers RMSE on the original scale too (house prices are the
classic case). Whether it helps is decided by cross-validation: ``log_target`` is one more
parameter of every regression family's search space.
"""

from __future__ import annotations

import numpy as np
from sklearn.compose import TransformedTargetRegressor

from rightfit.models._spec import FitContext
from rightfit.models.registry import get_spec

SKEW_THRESHOLD = 0.75


def log_target_helps(y: np.ndarray) -> bool:
    """A positive target whose skewness exceeds 0.75: worth trying on the log scale."""
    y = np.asarray(y, dtype=float)
    return len(y) >= 3 and bool(np.all(np.isfinite(y)) and y.min() > 0) and _skewed(y)


def poisson_helps(y: np.ndarray) -> bool:
    """A skewed target of non-negative values with zeros (counts, amounts that are often nil):
    worth a Poisson objective, whose log link fits multiplicative effects and whose loss is
    minimised, like the squared error, by the mean. The log target cannot take the zeros."""
    y = np.asarray(y, dtype=float)
    return len(y) >= 3 and bool(np.all(np.isfinite(y)) and y.min() == 0) and _skewed(y)


def _skewed(y: np.ndarray) -> bool:
    centred = y - y.mean()
    std = centred.std()
    return bool(std > 0 and (centred**3).mean() / std**3 > SKEW_THRESHOLD)


def build_estimator(family: str, params: dict, ctx: FitContext):
    """The family's estimator for ``params``, wrapped to model log(y) when ``log_target`` is set.

    Fit parameters (``model__...``) pass through the wrapper unchanged.
    """
    params = dict(params)
    log_target = bool(params.pop("log_target", False))
    estimator = get_spec(family).build(params, ctx)
    if log_target and ctx.task == "regression":
        return TransformedTargetRegressor(
            regressor=estimator, func=np.log, inverse_func=np.exp, check_inverse=False
        )
    return estimator
