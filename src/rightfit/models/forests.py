"""Random forests and extra trees: robust, little tuning, hard to overfit badly."""

from __future__ import annotations

from sklearn.pipeline import Pipeline

from rightfit.models._spec import FitContext, ModelSpec
from rightfit.models._timed_forests import (
    TimedExtraTreesClassifier,
    TimedExtraTreesRegressor,
    TimedRandomForestClassifier,
    TimedRandomForestRegressor,
)
from rightfit.models.preprocess import tree_preprocessor

N_TREES = 300


def n_trees(ctx: FitContext) -> int:
    """300 trees on small data; fewer (down to 100) as rows x columns grow, to stay affordable."""
    cells = ctx.n_rows * max(ctx.n_features, 1)
    return int(min(N_TREES, max(100, N_TREES * 1e6 / max(cells, 1))))


def _cost(params: dict, ctx: FitContext) -> float:
    share = params.get("max_features", "sqrt")
    m = ctx.n_features**0.5 if share == "sqrt" else ctx.n_features * float(share)
    leaf = params.get("min_samples_leaf", 1)
    rows = min(ctx.n_rows, 50_000)
    # Measured: ~36 ms per tree on 43k rows x 46 columns (sqrt -> 7 tried per split), 2 cores.
    return 0.1 + n_trees(ctx) * rows * max(m, 1) * 1.2e-7 / (1 + 0.3 * (leaf - 1) ** 0.5)


MAX_FEATURES = ["sqrt", 0.33, 0.5, 0.75, 1.0]


def _builder(classifier, regressor, bootstrap: bool):
    def _build(params: dict, ctx: FitContext) -> Pipeline:
        cls = regressor if ctx.task == "regression" else classifier
        extra = {} if ctx.task == "regression" else {"class_weight": params.get("class_weight")}
        model = cls(
            n_estimators=params.get("n_estimators", n_trees(ctx)),
            max_features=params["max_features"],
            min_samples_leaf=params["min_samples_leaf"],
            # Cap rows per tree on large data: most of the accuracy for a fraction of the time.
            max_samples=min(1.0, 50_000 / max(ctx.n_rows, 1)) if bootstrap else None,
            n_jobs=ctx.n_jobs,
            random_state=ctx.seed,
            **extra,
        )
        return Pipeline([("prep", tree_preprocessor(ctx.n_rows)), ("model", model)])

    return _build


def _sample(trial, ctx: FitContext) -> dict:
    params = {
        "max_features": trial.suggest_categorical("max_features", MAX_FEATURES),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 32, log=True),
    }
    if ctx.task != "regression":
        params["class_weight"] = trial.suggest_categorical(
            "class_weight", [None, "balanced_subsample"]
        )
    return params


def _portfolio(ctx: FitContext) -> list[dict]:
    # Fully grown trees on large data are slow and take gigabytes (a leaf per few rows, each
    # holding a value per class); larger leaves cost little accuracy there.
    leaf = 1 if ctx.n_rows < 10_000 else (2 if ctx.n_rows < 40_000 else 4)
    if ctx.task == "regression":
        return [
            {"max_features": 0.5, "min_samples_leaf": leaf},
            {"max_features": 1.0, "min_samples_leaf": leaf + 2},
        ]
    return [
        {"max_features": "sqrt", "min_samples_leaf": leaf, "class_weight": None},
        {"max_features": 0.5, "min_samples_leaf": leaf + 2, "class_weight": None},
    ]


def _fit_params(ctx: FitContext) -> dict:
    return {"model__deadline": ctx.deadline} if ctx.deadline is not None else {}


RANDOM_FOREST = ModelSpec(
    name="random_forest",
    tasks=("binary", "multiclass", "regression"),
    summary=f"random forest of {N_TREES} trees on ordinal-coded features",
    build=_builder(TimedRandomForestClassifier, TimedRandomForestRegressor, bootstrap=True),
    fit_params=_fit_params,
    sample=_sample,
    portfolio=_portfolio,
    cost=_cost,
    priority=4,
    complexity_param="min_samples_leaf",
)

EXTRA_TREES = ModelSpec(
    name="extra_trees",
    tasks=("binary", "multiclass", "regression"),
    summary=f"extremely randomised trees ({N_TREES}) on ordinal-coded features",
    build=_builder(TimedExtraTreesClassifier, TimedExtraTreesRegressor, bootstrap=False),
    fit_params=_fit_params,
    sample=_sample,
    portfolio=_portfolio,
    cost=lambda params, ctx: 0.6 * _cost(params, ctx),
    priority=3,
    complexity_param="min_samples_leaf",
)
