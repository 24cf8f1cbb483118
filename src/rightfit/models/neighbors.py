"""Kernel SVM and k-nearest neighbours: strong on small, dense, numeric data only."""

from __future__ import annotations

from sklearn.calibration import CalibratedClassifierCV
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC, SVR

from rightfit.models._spec import FitContext, ModelSpec
from rightfit.models.preprocess import dense_preprocessor

KNN_MAX_ROWS = 20_000
SVM_MAX_ROWS = 5_000


def _build_knn(params: dict, ctx: FitContext) -> Pipeline:
    cls = KNeighborsRegressor if ctx.task == "regression" else KNeighborsClassifier
    # Each fold's fit set is smaller than the data; never ask for more neighbours than rows.
    k = max(1, min(params["n_neighbors"], int(ctx.n_rows * 0.6)))
    model = cls(n_neighbors=k, weights=params["weights"], p=params["p"], n_jobs=ctx.n_jobs)
    return Pipeline([("prep", dense_preprocessor(ctx.n_rows)), ("model", model)])


def _sample_knn(trial, ctx: FitContext) -> dict:
    return {
        "n_neighbors": trial.suggest_int("n_neighbors", 3, 100, log=True),
        "weights": trial.suggest_categorical("weights", ["uniform", "distance"]),
        "p": trial.suggest_categorical("p", [1, 2]),
    }


def _build_svm(params: dict, ctx: FitContext) -> Pipeline:
    if ctx.task == "regression":
        model = SVR(C=params["C"], gamma=params["gamma"], cache_size=500)
    else:
        # Platt scaling on 3 internal folds gives probabilities (SVC(probability=True) is
        # deprecated since scikit-learn 1.9 and did the same with 5 folds).
        model = CalibratedClassifierCV(
            SVC(C=params["C"], gamma=params["gamma"], cache_size=500, random_state=ctx.seed),
            method="sigmoid",
            cv=3,
            ensemble=False,
        )
    return Pipeline([("prep", dense_preprocessor(ctx.n_rows)), ("model", model)])


def _sample_svm(trial, ctx: FitContext) -> dict:
    return {
        "C": trial.suggest_float("C", 1e-2, 1e3, log=True),
        "gamma": trial.suggest_float("gamma", 1e-4, 1.0, log=True),
    }


KNN = ModelSpec(
    name="knn",
    tasks=("binary", "multiclass", "regression"),
    summary="k-nearest neighbours on scaled, one-hot features",
    build=_build_knn,
    sample=_sample_knn,
    portfolio=lambda ctx: [{"n_neighbors": 15, "weights": "distance", "p": 2}],
    cost=lambda params, ctx: 0.05 + 2e-9 * ctx.n_rows**2 * 0.25 * max(ctx.n_features, 1),
    priority=5,
    max_rows=KNN_MAX_ROWS,
    outlier_sensitive=True,
    complexity_param="n_neighbors",
    slow_predict=True,
)

SVM = ModelSpec(
    name="svm",
    tasks=("binary", "multiclass", "regression"),
    summary="RBF-kernel support vector machine on scaled, one-hot features",
    build=_build_svm,
    sample=_sample_svm,
    portfolio=lambda ctx: [{"C": 1.0, "gamma": 1.0 / max(ctx.n_features, 1)}],
    cost=lambda params, ctx: 0.1 + 3e-8 * ctx.n_rows**2 * max(ctx.n_features, 1) ** 0.5,
    priority=6,
    max_rows=SVM_MAX_ROWS,
    outlier_sensitive=True,
    complexity_param="C",
    slow_predict=True,
)
