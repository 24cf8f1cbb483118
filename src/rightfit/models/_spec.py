"""What the rest of rightfit knows about a model family: a ModelSpec."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


def column_counts(X) -> tuple[int, int]:
    """(numeric, categorical) column counts of a prepared frame; numeric columns come first
    after preprocessing, so these also locate the categorical codes. Free-text columns
    (pandas ``str`` dtype, see :func:`text_column_count`) are neither: their features come last."""
    n_numeric = int(sum(pd.api.types.is_numeric_dtype(t) for t in X.dtypes))
    return n_numeric, X.shape[1] - n_numeric - text_column_count(X)


def text_column_count(X) -> int:
    """Free-text columns of a prepared frame (pandas ``str`` dtype; labels are ``object``)."""
    return int(sum(isinstance(t, pd.StringDtype) for t in X.dtypes))


@dataclass(frozen=True)
class FitContext:
    """Facts about the training data a family needs to build its estimator."""

    task: str
    n_rows: int
    n_numeric: int
    n_categorical: int
    n_classes: int | None = None
    seed: int = 0
    n_jobs: int = 2
    deadline: float | None = None  # time.monotonic() value after which a fit should stop
    log_target: bool = False  # regression target positive and skewed: also try log(y)
    poisson_target: bool = False  # skewed, non-negative, with zeros: boosting tries Poisson
    # The metric scores the probabilities themselves (log loss): a confident wrong answer costs
    # without bound, so families that make confident leaves start from larger ones.
    probability_metric: bool = False

    @property
    def n_features(self) -> int:
        return self.n_numeric + self.n_categorical

    @property
    def n_outputs(self) -> int:
        """Models fitted per boosting round: one per class for multiclass, else one."""
        return self.n_classes if self.task == "multiclass" and self.n_classes else 1

    @property
    def categorical_indices(self) -> list[int]:
        """Positions of the categorical columns after preprocessing (numeric columns first)."""
        return list(range(self.n_numeric, self.n_numeric + self.n_categorical))


@dataclass(frozen=True)
class ModelSpec:
    """A model family: how to build it, what to tune, and what it costs.

    ``build(params, context)`` returns an unfitted scikit-learn estimator that takes the frame made
    by ``rightfit.data.prepare_features`` (float columns and object categoricals) and encoded
    targets (0..K-1 for classes). ``sample(trial, context)`` draws parameters from an Optuna trial.
    ``portfolio(context)`` lists strong configurations to try before any search.
    """

    name: str
    tasks: tuple[str, ...]
    summary: str
    build: Callable[[dict[str, Any], FitContext], Any]
    sample: Callable[[Any, FitContext], dict[str, Any]]
    portfolio: Callable[[FitContext], list[dict[str, Any]]]
    fit_params: Callable[[FitContext], dict[str, Any]] = field(default=lambda ctx: {})
    # Rough seconds to fit and predict one fold with these params on this machine class
    # (2 cores); the search rescales it by what it measures. Used to skip what cannot finish.
    cost: Callable[[dict[str, Any], FitContext], float] = field(
        default=lambda params, ctx: 2e-7 * ctx.n_rows * max(ctx.n_features, 1)
    )
    priority: int = 5  # order of the first trials: the most likely winner first
    max_rows: int | None = None  # above this the family is too slow to be worth trying
    outlier_sensitive: bool = False
    interpretable: bool = False
    complexity_param: str | None = None  # the parameter that most controls over/underfit
    # Only useful when the table has a free-text column (the planner skips it otherwise).
    needs_text: bool = False
    # Uses TensorFlow/Keras: seconds of import and graph building before the first epoch.
    neural: bool = False
    # Boosting whose rounds are found by early stopping in cross-validation:
    # ``early_stopping(model, X_fit, y_fit, X_val, y_val, context) -> (best rounds, deadline
    # hit)`` fits the pipeline's last step on prepared matrices (see models/_early_stopping.py).
    early_stopping: Callable[..., tuple[int, bool]] | None = None
    # One row takes ~0.5 ms or more to predict (forests walk hundreds of trees, k-NN scans its
    # rows, kernels sum support vectors): such a member must earn its place in an ensemble.
    slow_predict: bool = False
    # Adjusts the fit parameters for one configuration: ``(fit_params, params) -> fit_params``
    # (LightGBM: categoricals as native splits or as ordinal codes, a searched choice).
    fit_params_for: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None

    def fit_kwargs(self, ctx: FitContext, params: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for ``fit`` of this family's estimator built from ``params``."""
        kwargs = self.fit_params(ctx)
        return self.fit_params_for(kwargs, params) if self.fit_params_for else kwargs
