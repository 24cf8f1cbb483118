"""scikit-learn estimators around the whole workflow: ``AutoClassifier`` and ``AutoRegressor``.

They work with ``clone``, ``get_params``/``set_params``, ``Pipeline`` and ``cross_val_score``.
Inside ``fit`` they run the same profile → clean → split → search → blind test as ``rightfit fit``;
the record is kept on ``record_`` and the trials on ``leaderboard_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from rightfit.errors import NotFittedError, TargetError

_TARGET = "__rightfit_target__"


def _as_frame(X, columns=None) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(f"Expected a 2-D array or DataFrame, got shape {array.shape}.")
    names = columns if columns is not None else [f"x{i}" for i in range(array.shape[1])]
    return pd.DataFrame(array, columns=names)


class _AutoEstimator(BaseEstimator):
    _task_kind = "classification"

    def __init__(
        self,
        time_budget: float = 60.0,
        metric: str | None = None,
        models: str | list[str] | None = None,
        test_size: float = 0.2,
        refit_all: bool = True,
        random_state: int = 0,
        n_jobs: int | None = None,
        verbose: int = 0,
    ):
        self.time_budget = time_budget
        self.metric = metric
        self.models = models
        self.test_size = test_size
        self.refit_all = refit_all
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _task_for(self, y: pd.Series) -> str | None:
        return None

    def fit(self, X, y):
        """Run the rightfit workflow on (X, y) within ``time_budget`` seconds."""
        from rightfit.api import Model
        from rightfit.pipeline import run
        from rightfit.progress import make_progress

        frame = _as_frame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        frame.columns = list(self.feature_names_in_)
        target = pd.Series(np.asarray(y).ravel() if not isinstance(y, pd.Series) else y.values)
        if len(target) != len(frame):
            raise TargetError(f"X has {len(frame)} rows but y has {len(target)}; they must match.")
        frame[_TARGET] = target.to_numpy()
        result = run(
            frame,
            _TARGET,
            time_budget=self.time_budget,
            task=self._task_for(target),
            metric=self.metric,
            models=self.models,
            seed=self.random_state,
            test_size=self.test_size,
            refit_all=self.refit_all,
            n_jobs=self.n_jobs,
            progress=make_progress(self.verbose),
        )
        self.model_ = Model(result.predictor, result.record)
        self.record_ = result.record
        self.leaderboard_ = self.model_.leaderboard()
        self.evaluation_ = result.record.get("evaluation")
        self.best_estimator_ = result.predictor.estimator
        self._y_dtype = target.dtype
        return self

    def _frame(self, X) -> pd.DataFrame:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(X, y) first."
            )
        frame = _as_frame(X, columns=list(self.feature_names_in_))
        frame.columns = [str(c) for c in frame.columns]
        return frame


class AutoClassifier(ClassifierMixin, _AutoEstimator):
    """Automatic classifier: the whole rightfit workflow behind ``fit``/``predict``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> clf = AutoClassifier(time_budget=10, models=["linear"]).fit(X, y)  # doctest: +SKIP
    >>> clf.predict(X.head(2))  # doctest: +SKIP
    array([0, 0])
    """

    def _task_for(self, y: pd.Series) -> str:
        n = y.nunique(dropna=True)
        return "binary" if n == 2 else "multiclass"

    def fit(self, X, y):
        super().fit(X, y)
        labels = list(self.model_.predictor.schema.classes)
        try:
            self.classes_ = np.asarray(labels, dtype=self._y_dtype)
        except (TypeError, ValueError):
            self.classes_ = np.asarray(labels, dtype=object)
        return self

    def predict_proba(self, X) -> np.ndarray:
        frame = self._frame(X)  # raises NotFittedError before anything else
        return self.model_.predict_proba(frame)

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]


class AutoRegressor(RegressorMixin, _AutoEstimator):
    """Automatic regressor: the whole rightfit workflow behind ``fit``/``predict``."""

    def _task_for(self, y: pd.Series) -> str:
        return "regression"

    def predict(self, X) -> np.ndarray:
        frame = self._frame(X)
        return self.model_.predict(frame)
