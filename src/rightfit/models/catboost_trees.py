"""CatBoost: symmetric (oblivious) trees and ordered target statistics for categoricals.

A third boosting library, different where it matters for an ensemble: every level of a tree
splits on one condition (strong regularisation, fast prediction), and categorical columns are
encoded by target statistics computed in a random order, so a level's own row never leaks into
its code. It often wins on small and medium tables with categoricals.

The estimators here take the tree preprocessor's float matrix (numeric columns, then categorical
ordinal codes with NaN for missing/rare, then text components) like LightGBM and XGBoost, and
hand the categorical codes to CatBoost as categories. They keep the fitted model as CatBoost's
own binary format (``model_bytes_``), so a bundle holds bytes and numbers, never a pickle.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from rightfit.models._deadline import TrialTimeout
from rightfit.models._early_stopping import boosting_rounds, patience
from rightfit.models._spec import FitContext, ModelSpec
from rightfit.models.preprocess import tree_preprocessor


class _Deadline:
    """A CatBoost callback: stop at ``deadline``; ``graceful`` keeps the model trained so far
    (early stopping then uses its best round), otherwise the fit raises TrialTimeout."""

    def __init__(self, deadline: float | None, graceful: bool) -> None:
        self.deadline, self.graceful, self.hit = deadline, graceful, False

    def after_iteration(self, info) -> bool:
        if self.deadline is None or time.monotonic() <= self.deadline:
            return True
        self.hit = True
        if not self.graceful:
            raise TrialTimeout(f"stopped at iteration {info.iteration}: trial deadline reached")
        return False


class _CatBoostBase(BaseEstimator):
    """Shared fit/predict of the classifier and the regressor (see the module docstring).

    Parameters
    ----------
    n_estimators : boosting rounds (CatBoost's ``iterations``).
    learning_rate, depth, l2_leaf_reg, random_strength : CatBoost's parameters of those names.
    max_ctr_complexity : int, optional
        How many categorical columns CatBoost may combine into one statistic; None keeps
        CatBoost's default (4). 1 is several times faster when there are many categoricals.
    cat_features : positions of the categorical codes in the input matrix.
    n_jobs : threads for fitting and predicting.
    random_state : seed.
    deadline : float, optional
        ``time.monotonic()`` value after which fitting stops (TrialTimeout).
    """

    def __init__(
        self,
        n_estimators: int = 1000,
        learning_rate: float = 0.08,
        depth: int = 6,
        l2_leaf_reg: float = 3.0,
        random_strength: float = 1.0,
        max_ctr_complexity: int | None = None,
        cat_features: tuple[int, ...] = (),
        n_jobs: int = 1,
        random_state: int = 0,
        deadline: float | None = None,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.random_strength = random_strength
        self.max_ctr_complexity = max_ctr_complexity
        self.cat_features = cat_features
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.deadline = deadline

    # -- what differs between the two ------------------------------------------------------
    def _new_model(self, **params):
        raise NotImplementedError

    def _loss(self, n_classes: int | None) -> str:
        raise NotImplementedError

    # -- data ------------------------------------------------------------------------------
    def _frame(self, X):
        """CatBoost's input: numeric columns as float32, then the categorical codes as text
        ("-1" = missing or rare). ``FeaturesData`` is CatBoost's cheapest input: a one-row
        request costs ~0.25 ms against ~0.6 ms through a DataFrame."""
        from catboost import FeaturesData

        X = np.asarray(X, dtype=np.float64)
        cats = list(self.cat_features)
        numeric = np.delete(X, cats, axis=1) if cats else X
        data = {"num_feature_data": np.ascontiguousarray(numeric, dtype=np.float32)}
        if cats:
            codes = X[:, cats]
            codes = np.where(np.isnan(codes), -1, codes).astype(np.int64)
            data["cat_feature_data"] = _code_text(codes)
        return FeaturesData(**data)

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X, y, eval_set=None, early_stopping_rounds: int | None = None):
        """Fit on the preprocessed matrix; with ``eval_set=[(X_val, y_val)]`` and
        ``early_stopping_rounds``, stop on the validation rows and keep the best round
        (a deadline then ends the fit gracefully; see ``stopped_by_deadline_``)."""
        from catboost import Pool

        y = np.asarray(y)
        n_classes = None
        if isinstance(self, ClassifierMixin):
            self.classes_ = np.unique(y)
            n_classes = len(self.classes_)
        model = self._new_model(
            iterations=int(self.n_estimators),
            learning_rate=float(self.learning_rate),
            depth=int(self.depth),
            l2_leaf_reg=float(self.l2_leaf_reg),
            random_strength=float(self.random_strength),
            **(
                {"max_ctr_complexity": int(self.max_ctr_complexity)}
                if self.max_ctr_complexity is not None
                else {}
            ),
            loss_function=self._loss(n_classes),
            thread_count=max(1, int(self.n_jobs)),
            random_seed=int(self.random_state),
            allow_writing_files=False,  # no catboost_info/ folder in the user's directory
            verbose=False,
        )
        stop = _Deadline(self.deadline, graceful=eval_set is not None)
        fit_args = {"callbacks": [stop]}
        if eval_set is not None:
            X_val, y_val = eval_set[0]
            fit_args.update(
                eval_set=Pool(self._frame(X_val), label=np.asarray(y_val)),
                early_stopping_rounds=early_stopping_rounds,
                use_best_model=True,
            )
        try:
            model.fit(Pool(self._frame(X), label=y), **fit_args)
        except Exception:
            # CatBoost re-raises the callback's TrialTimeout as its own CatBoostError
            if stop.hit and not stop.graceful:
                raise TrialTimeout("stopped at the trial deadline") from None
            raise
        self.stopped_by_deadline_ = stop.hit
        self.best_rounds_ = int(model.tree_count_)
        self.n_features_in_ = np.asarray(X).shape[1]
        self._model = model
        return self

    def _fitted(self):
        model = getattr(self, "_model", None)
        if model is None:
            if not hasattr(self, "model_bytes_"):
                from rightfit.errors import NotFittedError

                raise NotFittedError("This CatBoost model is not fitted yet.")
            model = self._new_model()
            model.load_model(blob=self.model_bytes_)
            self._model = model
        return model

    # A bundle holds the model in CatBoost's own binary format and plain numbers, written when
    # the estimator is saved (or copied); the live CatBoost object is rebuilt on first use.
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        model = state.pop("_model", None)
        if model is not None:
            state["model_bytes_"] = _model_bytes(model)
        return state

    def __setstate__(self, state: dict) -> None:
        # Bundles saved before a parameter existed load with its default, so get_params (and
        # with it set_threads, clone and repr) keeps working on them.
        self.__dict__.update({"max_ctr_complexity": None, **state})


class CatBoostClassifierModel(ClassifierMixin, _CatBoostBase):
    """CatBoost classifier on the tree preprocessor's matrix (see the module docstring)."""

    def _new_model(self, **params):
        from catboost import CatBoostClassifier

        return CatBoostClassifier(**params)

    def _loss(self, n_classes: int | None) -> str:
        return "MultiClass" if (n_classes or 2) > 2 else "Logloss"

    def predict_proba(self, X) -> np.ndarray:
        model = self._fitted()
        proba = model.predict_proba(self._frame(X), thread_count=max(1, int(self.n_jobs)))
        return np.asarray(proba, dtype=np.float64)

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class CatBoostRegressorModel(RegressorMixin, _CatBoostBase):
    """CatBoost regressor on the tree preprocessor's matrix (see the module docstring)."""

    def _new_model(self, **params):
        from catboost import CatBoostRegressor

        return CatBoostRegressor(**params)

    def _loss(self, n_classes: int | None) -> str:
        return "RMSE"

    def predict(self, X) -> np.ndarray:
        model = self._fitted()
        out = model.predict(self._frame(X), thread_count=max(1, int(self.n_jobs)))
        return np.asarray(out, dtype=np.float64)


def _code_text(codes: np.ndarray) -> np.ndarray:
    """``codes.astype(str).astype(object)``, the same ``str`` cells, in a tenth of the time.

    Formatting every cell cost as much as CatBoost's own prediction on a batch (7 ms for
    9,043 rows x 6 columns against 12 ms). Codes are a few small integers: each is formatted
    once and the cells are picked from that table.
    """
    if codes.size < 64:  # a served row: numpy's formatting is quicker than building a table
        return codes.astype(str).astype(object)
    low, high = int(codes.min()), int(codes.max())
    if high - low >= codes.size:  # a table larger than the cells would cost more than it saves
        return codes.astype(str).astype(object)
    table = np.array([str(value) for value in range(low, high + 1)], dtype=object)
    return table[codes - low]


def _model_bytes(model) -> bytes:
    """The fitted model in CatBoost's binary format (its public API writes only to files)."""
    import os
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".cbm")
    os.close(fd)
    try:
        model.save_model(path, format="cbm")
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)


def _build_catboost(params: dict, ctx: FitContext):
    from sklearn.pipeline import Pipeline

    cls = CatBoostRegressorModel if ctx.task == "regression" else CatBoostClassifierModel
    model = cls(
        n_estimators=boosting_rounds(params),
        learning_rate=params["learning_rate"],
        depth=params["depth"],
        l2_leaf_reg=params["l2_leaf_reg"],
        random_strength=params.get("random_strength", 1.0),
        max_ctr_complexity=params.get("max_ctr_complexity"),
        cat_features=tuple(ctx.categorical_indices),
        n_jobs=ctx.n_jobs,
        random_state=ctx.seed,
        deadline=ctx.deadline,
    )
    return Pipeline([("prep", tree_preprocessor(ctx.n_rows)), ("model", model)])


def _sample_catboost(trial, ctx: FitContext) -> dict:
    return {
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.5, log=True),
        "depth": trial.suggest_int("depth", 3, 10),
        "l2_leaf_reg": trial.suggest_float("l2_leaf_reg", 0.5, 30.0, log=True),
        "random_strength": trial.suggest_float("random_strength", 0.1, 10.0, log=True),
        "max_ctr_complexity": trial.suggest_categorical("max_ctr_complexity", [1, 2, 4]),
    }


# From this many categorical columns the default combinations of categoricals dominate the cost:
# on 934 rows x 79 columns (42 categorical), 5-fold CV took 44 s with CatBoost's default of up
# to 4 columns per combination and 10 s with single columns (log RMSE 25.5k vs 26.1k), so the
# portfolio's configurations fit the budget instead of being cut short by it.
MANY_CATEGORICALS = 10
# Cost per categorical column by max_ctr_complexity, fitted to the same runs (2 columns: 33 s).
_CTR_COST = {1: 0.01, 2: 0.045, 4: 0.07}


def _portfolio_catboost(ctx: FitContext) -> list[dict]:
    ctr = {"max_ctr_complexity": 1} if ctx.n_categorical >= MANY_CATEGORICALS else {}
    return [
        # CatBoost's defaults (depth 6, L2 3) at a learning rate early stopping can use.
        {"learning_rate": 0.08, "depth": 6, "l2_leaf_reg": 3.0, "random_strength": 1.0, **ctr},
        # Shallower, more regularised: small or noisy data.
        {"learning_rate": 0.05, "depth": 4, "l2_leaf_reg": 10.0, "random_strength": 1.0, **ctr},
    ]


def _cost_catboost(params: dict, ctx: FitContext) -> float:
    # Measured on 2 cores, depth 6, 100 rounds: adult 26k rows x 13 columns (8 categorical)
    # 0.73 s; credit default 19k x 23 (none) 0.52 s; diabetes 81k x 49 (36 categorical,
    # 3 classes) 27.7 s. Categorical columns cost extra (CatBoost builds their statistics).
    per_categorical = _CTR_COST.get(params.get("max_ctr_complexity") or 4, _CTR_COST[4])
    return 0.3 + (
        5e-8
        * boosting_rounds(params)
        * ctx.n_outputs
        * ctx.n_rows
        * max(ctx.n_features, 1) ** 0.5
        * 2 ** (params["depth"] - 6)
        * (1 + per_categorical * ctx.n_categorical)
    )


def _early_stop_catboost(
    model, X_fit, y_fit, X_val, y_val, ctx: FitContext, params: dict
) -> tuple[int, bool]:
    """Fit a prepared CatBoost model with early stopping on (X_val, y_val)."""
    model.set_params(deadline=ctx.deadline)
    model.fit(
        X_fit,
        y_fit,
        eval_set=[(X_val, y_val)],
        early_stopping_rounds=patience(model.learning_rate),
    )
    # The deadline belongs to this fit; the fitted model must not carry it into refits.
    model.set_params(deadline=None)
    return model.best_rounds_, model.stopped_by_deadline_


CATBOOST = ModelSpec(
    name="catboost",
    tasks=("binary", "multiclass", "regression"),
    summary="CatBoost gradient-boosted symmetric trees with ordered target statistics for "
    "categoricals",
    build=_build_catboost,
    sample=_sample_catboost,
    portfolio=_portfolio_catboost,
    cost=_cost_catboost,
    priority=2,
    complexity_param="depth",
    early_stopping=_early_stop_catboost,
)
