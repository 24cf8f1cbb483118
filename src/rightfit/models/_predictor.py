"""The delivered model: raw rows in, labels or probabilities out, exactly as in training."""

from __future__ import annotations

import logging
import threading
import warnings

import numpy as np
import pandas as pd

from rightfit.data import Schema, prepare_features
from rightfit.errors import DataError, NotFittedError, RightfitError
from rightfit.models._fast import MAX_ROWS, FallBack, NotCompilable, compile_fast_path
from rightfit.models._output import predict_output
from rightfit.models._serving import batch_threads

logger = logging.getLogger(__name__)
_COMPILING = threading.Lock()  # module level: a lock attribute would stop deepcopy and pickle


_NUMBERS = ("numeric", "boolean")  # roles read as floats; the others as objects
# Batches up to this many rows are remembered (the prepared copy is held until the next batch).
MEMO_ROWS = 100_000


class TabularPredictor:
    """Applies the training schema, then the fitted estimator, and maps classes back to labels.

    Parameters
    ----------
    estimator : fitted estimator taking prepared features (see ``rightfit.data.prepare_features``).
    schema : the training :class:`~rightfit.data.Schema`.

    Batches of up to 64 rows take a fast path (see :meth:`prepare_fast_path`) when the model
    allows it, and larger ones its batch route (the preprocessing compiled, each model's own
    prediction); both match the scikit-learn path to 1e-9.
    """

    def __init__(self, estimator, schema: Schema):
        self.estimator = estimator
        self.schema = schema
        self._fast_path = None  # None: not compiled yet; False: the model has none
        self._last_batch = None  # (prepared features, output) of the last large batch

    def __setattr__(self, name: str, value) -> None:
        if name in ("estimator", "schema"):  # a new model or schema needs a new fast path
            self.__dict__["_fast_path"] = None
            self.__dict__["_last_batch"] = None
        super().__setattr__(name, value)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_fast_path"] = None  # compiled closures do not pickle; rebuilt on first use
        state["_last_batch"] = None  # a cache, not part of the model
        return state

    def prepare_fast_path(self) -> bool:
        """Compile the small-batch fast path now (it is otherwise compiled on first use).

        Servers call this at load time so the first request does not pay for it.

        Returns
        -------
        bool
            Whether the model has a fast path (False: every prediction uses scikit-learn).
        """
        if getattr(self, "_fast_path", None) is None:
            with _COMPILING:
                if getattr(self, "_fast_path", None) is None:
                    self._fast_path = self._compile()
        return self._fast_path is not False

    def warm_up(self) -> None:
        """Pay a first prediction's one-off costs now, so the first real call is as fast as the
        next ones: the fast path's compilation, the libraries' lazy imports on the scikit-learn
        path, and models kept as bytes in the bundle (CatBoost). A first batch cost 25-35 ms
        more than the next without it. Scores all-missing rows; never raises.
        """
        if self.estimator is None:
            return
        try:
            self.prepare_fast_path()
            # one row more than the fast path takes: the larger batches' conversions run too
            n, inputs = MAX_ROWS + 1, set(self.schema.feature_columns())
            frame = pd.DataFrame(
                {
                    c.name: np.full(n, np.nan, dtype=float if c.role in _NUMBERS else object)
                    for c in self.schema.columns
                    if c.name in inputs
                }
            )
            n_classes = None if self.task == "regression" else len(self.schema.classes)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._batch_output(self._features(frame), n_classes)
        except Exception as error:  # a model that cannot score missing values still predicts
            logger.debug("warm-up skipped: %s: %s", type(error).__name__, error)

    def _compile(self):
        if self.estimator is None:
            return False
        try:
            return compile_fast_path(self.estimator, self.schema)
        except NotCompilable as reason:
            logger.debug("no prediction fast path: %s", reason)
        except Exception as error:  # a bug in the fast path must never break predictions
            logger.warning("prediction fast path disabled: %s: %s", type(error).__name__, error)
        return False

    @property
    def task(self) -> str:
        return self.schema.task

    @property
    def classes_(self) -> np.ndarray:
        if self.schema.classes is None:
            raise AttributeError("a regression model has no classes_")
        return np.asarray(self.schema.classes, dtype=object)

    def _features(self, X) -> pd.DataFrame:
        if self.estimator is None:
            raise NotFittedError("This model has no fitted estimator.")
        if not isinstance(X, pd.DataFrame):
            raise DataError(
                f"predict expects a pandas DataFrame with the training columns, got "
                f"{type(X).__name__}. Wrap your rows in pd.DataFrame(...)."
            )
        return prepare_features(X, self.schema)

    def output(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities (n, K) for classification, predictions (n,) for regression."""
        if isinstance(X, pd.DataFrame) and 0 < len(X) <= MAX_ROWS and self.prepare_fast_path():
            try:
                return self._fast_path.output(X)
            except (FallBack, RightfitError):
                pass  # the scikit-learn path below raises or warns as it should
            except MemoryError:
                raise
            except Exception as error:  # a bug in the fast path must never break predictions
                logger.warning("few-row fast path disabled: %s: %s", type(error).__name__, error)
                self._fast_path.member = None
        n_classes = None if self.task == "regression" else len(self.schema.classes)
        features = self._features(X)
        if len(features) == 0:  # checked columns, no rows: no predictions (the models raise)
            return np.empty((0,) if n_classes is None else (0, n_classes))
        # ``predict`` then ``predict_proba`` on the same batch (the usual pair) evaluates the
        # models once: comparing the prepared features costs a fraction of a prediction.
        last = getattr(self, "_last_batch", None)
        if last is not None and last[0].shape == features.shape and last[0].equals(features):
            return last[1].copy()
        self.prepare_fast_path()  # compiled (and checked) on the serving threads, not the batch's
        with batch_threads(self.estimator, len(features)):
            out = self._batch_output(features, n_classes)
        if len(features) <= MEMO_ROWS:
            # A private copy: the prepared frame may share memory with the caller's, which
            # the caller can change in place before the next call.
            self.__dict__["_last_batch"] = (features.copy(deep=True), out.copy())
        return out

    def _batch_output(self, features: pd.DataFrame, n_classes: int | None) -> np.ndarray:
        """The batch route of the fast path where the model has one (its preprocessing compiled
        to column lookups, checked against scikit-learn when compiled), else scikit-learn."""
        fast = getattr(self, "_fast_path", None)
        if fast:
            try:
                return fast.output_prepared(features)
            except FallBack:
                pass
            except MemoryError:
                raise  # scikit-learn would need the same memory again
            except Exception as error:  # a bug in the batch route must never break predictions
                logger.warning("batch route disabled: %s: %s", type(error).__name__, error)
                fast.batch_member = None
        return predict_output(self.estimator, features, self.task, n_classes)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        if self.task == "regression":
            raise AttributeError("predict_proba is only defined for classification models")
        return self.output(X)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        out = self.output(X)
        if self.task == "regression":
            return out
        return self.classes_[out.argmax(axis=1)]

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """``prediction`` plus one ``proba_<label>`` column per class, rows in input order."""
        out = self.output(X)
        if self.task == "regression":
            return pd.DataFrame({"prediction": out})
        frame = pd.DataFrame({"prediction": self.classes_[out.argmax(axis=1)]})
        for j, label in enumerate(self.schema.classes):
            frame[f"proba_{label}"] = out[:, j]
        return frame
