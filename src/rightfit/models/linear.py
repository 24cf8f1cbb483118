"""Regularised linear models: the interpretable baseline every plan keeps."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from rightfit.models._spec import FitContext, ModelSpec
from rightfit.models.preprocess import dense_preprocessor


def _build(params: dict, ctx: FitContext) -> Pipeline:
    if ctx.task == "regression":
        model = Ridge(alpha=params["alpha"])
    else:
        model = LogisticRegression(
            C=params["C"], class_weight=params.get("class_weight"), max_iter=2000, tol=1e-4
        )
    return Pipeline([("prep", dense_preprocessor(ctx.n_rows)), ("model", model)])


def _sample(trial, ctx: FitContext) -> dict:
    if ctx.task == "regression":
        return {"alpha": trial.suggest_float("alpha", 1e-3, 1e3, log=True)}
    return {
        "C": trial.suggest_float("C", 1e-4, 1e2, log=True),
        "class_weight": trial.suggest_categorical("class_weight", [None, "balanced"]),
    }


def _portfolio(ctx: FitContext) -> list[dict]:
    if ctx.task == "regression":
        return [{"alpha": 1.0}, {"alpha": 30.0}]
    return [{"C": 1.0, "class_weight": None}, {"C": 0.05, "class_weight": None}]


LINEAR = ModelSpec(
    name="linear",
    tasks=("binary", "multiclass", "regression"),
    summary="L2-regularised logistic regression / ridge regression on scaled, one-hot features",
    build=_build,
    sample=_sample,
    portfolio=_portfolio,
    cost_rank=1,
    outlier_sensitive=True,
    interpretable=True,
    complexity_param="C",
)
