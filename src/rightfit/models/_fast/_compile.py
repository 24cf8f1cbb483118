"""Compile a delivered model (pipeline, log-target wrapper or weighted ensemble) into a fast path
for a few rows and a batch route for many, and check both against the scikit-learn path before
trusting them."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from rightfit.data import Schema, prepare_features
from rightfit.models._calibrated import CalibratedModel, apply_calibration
from rightfit.models._fast._columns import NotCompilable, compile_column_transformer
from rightfit.models._fast._final import Final, compile_final
from rightfit.models._fast._rows import (
    MAX_ROWS,
    FallBack,
    PreparedBatch,
    PreparedRows,
    RowReader,
)
from rightfit.models._output import predict_output

logger = logging.getLogger(__name__)

Prepared = PreparedRows | PreparedBatch
Member = Callable[[Prepared], np.ndarray]
FinalCompiler = Callable[[object, bool], Final]
# The fast path must reproduce the scikit-learn path to this relative precision.
TOLERANCE = 1e-9


class FastPath:
    """Raw rows in, :func:`predict_output`-convention outputs out, for at most
    :data:`~rightfit.models._fast._rows.MAX_ROWS` rows.

    ``output`` raises :class:`~rightfit.models._fast._rows.FallBack` for inputs only the
    scikit-learn path handles (unknown columns to warn about, missing columns to report...).
    """

    def __init__(self, reader: RowReader, member: Member, batch_member: Member | None = None):
        self.reader = reader
        self.member = member
        self.batch_member = batch_member
        # The last rows and their output: ``predict`` then ``predict_proba`` on the same rows
        # (the usual pair) evaluates the models once. Keyed on the exact feature matrix the
        # models see, so equal matrices give equal outputs by construction.
        self._last: tuple | None = None

    def output(self, frame: pd.DataFrame) -> np.ndarray:
        member = self.member  # None once disabled by a failure at predict time
        if member is None:
            raise FallBack("no few-row route")
        rows = self.reader.read(frame)
        last = self._last  # one read: another thread may replace it meanwhile
        if last is not None and _same_rows(last[0], rows):
            return last[1].copy()
        out = member(rows)
        self._last = (rows, out.copy())
        return out

    def output_prepared(self, features: pd.DataFrame) -> np.ndarray:
        """Outputs for ``prepare_features``' result, any number of rows: the fitted
        preprocessing compiled, each final estimator's own prediction method (with its
        threads), so the same numbers as the scikit-learn path without its per-cell encoding.

        Raises :class:`~rightfit.models._fast._rows.FallBack` when the model has no batch route.
        """
        if self.batch_member is None:
            raise FallBack("no batch route")
        return self.batch_member(self.reader.read_prepared(features))


def _same_rows(a, b) -> bool:
    """Exactly the same prepared values (a NaN label compares unequal: a miss, never wrong)."""
    return (
        a.floats.shape == b.floats.shape
        and np.array_equal(a.floats, b.floats, equal_nan=True)
        and a.labels == b.labels
    )


def compile_fast_path(estimator, schema: Schema) -> FastPath:
    """A checked :class:`FastPath` for ``estimator``; raises :class:`NotCompilable` when some
    part has no exact fast equivalent (or the check against scikit-learn fails)."""
    reader = RowReader(schema)
    if not reader.supported:
        raise NotCompilable(f"the schema has {' and '.join(reader.unsupported_roles)} columns")
    n_classes = None if schema.task == "regression" else len(schema.classes)
    context = _Context(reader, {}, {}, compile_final)
    member = _compile(estimator, schema.task, n_classes, context)
    fast = FastPath(reader, member)
    _check(fast, estimator, schema, context.known)
    batch = _Context(reader, context.known, context.transforms, _own_method)
    fast.batch_member = _compile(estimator, schema.task, n_classes, batch)
    if not _check_batch(fast, estimator, schema, context.known):
        fast.batch_member = None
    return fast


class _Context:
    """What compiling one model needs: the row reader, the labels each encoder knows, the
    transforms compiled so far (one per fitted ColumnTransformer) and how finals are called."""

    def __init__(self, reader: RowReader, known: dict, transforms: dict, final: FinalCompiler):
        self.reader, self.known, self.transforms, self.final = reader, known, transforms, final


def _own_method(estimator, classifier: bool) -> Final:
    """A batch calls the final estimator's own method, which uses the threads
    ``batch_threads`` gives it; the few-row path's single-threaded calls would not."""
    if classifier:
        return lambda X: estimator.predict_proba(X)  # looked up per call, as Pipeline does
    return lambda X: estimator.predict(X)


def _compile(estimator, task: str, n_classes: int | None, context: _Context) -> Member:
    if isinstance(estimator, CalibratedModel) and task != "regression":
        # The calibration wraps whatever was chosen, an ensemble included: compile the inside.
        inner = _compile(estimator.estimator, task, n_classes, context)
        method, params = estimator.method, estimator.params_
        return lambda rows: apply_calibration(inner(rows), method, params)
    parts = getattr(estimator, "members_and_weights", None)
    if callable(parts):
        compiled = [(_compile(m, task, n_classes, context), w) for m, w in parts()]

        def average(rows: Prepared) -> np.ndarray:
            total = None
            for member, weight in compiled:  # same order and operations as WeightedEnsemble
                out = weight * member(rows)
                total = out if total is None else total + out
            return total

        return average
    raw = _raw(estimator, task != "regression", context)
    if task == "regression":
        return lambda rows: np.asarray(raw(rows), dtype=float).ravel()
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        raise NotCompilable("classifier without classes_")
    classes = np.asarray(classes)
    if len(classes) == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return lambda rows: np.asarray(raw(rows), dtype=float)
    columns = classes.astype(int)

    def widened(rows: Prepared) -> np.ndarray:  # predict_output's rule for missing classes
        proba = np.asarray(raw(rows), dtype=float)
        full = np.zeros((proba.shape[0], n_classes))
        full[:, columns] = proba
        return full

    return widened


def _raw(estimator, classifier: bool, context: _Context) -> Member:
    if isinstance(estimator, TransformedTargetRegressor):
        return _log_target(estimator, context)
    if isinstance(estimator, CalibratedModel) and classifier:
        inner = _raw(estimator.estimator, True, context)
        method, params = estimator.method, estimator.params_
        return lambda rows: apply_calibration(inner(rows), method, params)
    if not isinstance(estimator, Pipeline) or len(estimator.steps) != 2:
        raise NotCompilable(f"{type(estimator).__name__} is not a preprocess+model pipeline")
    (_, transformer), (_, final) = estimator.steps
    transform = context.transforms.get(id(transformer))
    if transform is None:
        reader = context.reader
        transform = compile_column_transformer(
            transformer, reader.float_index, reader.label_index, context.known
        )
        context.transforms[id(transformer)] = transform
    predict = context.final(final, classifier)
    return lambda rows: predict(transform(rows))


def _log_target(estimator: TransformedTargetRegressor, context: _Context) -> Member:
    inner = _raw(estimator.regressor_, False, context)
    transformer = estimator.transformer_
    if not isinstance(transformer, FunctionTransformer) or transformer.inverse_func is None:
        raise NotCompilable("target transform other than a function pair")
    inverse = transformer.inverse_func
    kwargs = transformer.inv_kw_args or {}
    squeeze = getattr(estimator, "_training_dim", 1) == 1

    def predict(rows: Prepared) -> np.ndarray:
        prediction = inner(rows)
        if prediction.ndim == 1:
            prediction = prediction.reshape(-1, 1)
        out = inverse(prediction, **kwargs)
        if squeeze and out.ndim == 2 and out.shape[1] == 1:
            out = out.squeeze(axis=1)
        return out

    return predict


# -- the check ------------------------------------------------------------------------------------
def _check(fast: FastPath, estimator, schema: Schema, known: dict[str, set]) -> None:
    probe = probe_frame(schema, known)
    n_classes = None if schema.task == "regression" else len(schema.classes)
    expected = predict_output(estimator, prepare_features(probe, schema), schema.task, n_classes)
    got = np.concatenate([fast.output(probe.iloc[i : i + 8]) for i in range(0, len(probe), 8)])
    worst = _disagreement(got, expected)
    if worst is not None:
        logger.warning(
            "prediction fast path disabled: it differs from the scikit-learn path (%s)", worst
        )
        raise NotCompilable("fast path disagrees with the scikit-learn path")


def _check_batch(fast: FastPath, estimator, schema: Schema, known: dict[str, set]) -> bool:
    """Whether the batch route agrees with the scikit-learn path on a probe larger than the
    few-row path takes (so ``prepare_features`` converts it as it converts real batches)."""
    probe = prepare_features(probe_frame(schema, known, n_rows=2 * MAX_ROWS + 8), schema)
    n_classes = None if schema.task == "regression" else len(schema.classes)
    try:
        expected = predict_output(estimator, probe, schema.task, n_classes)
        got = fast.output_prepared(probe)
    except Exception as error:  # a bug in the batch route must never break predictions
        logger.warning("batch route disabled: %s: %s", type(error).__name__, error)
        return False
    worst = _disagreement(got, expected)
    if worst is not None:
        logger.warning("batch route disabled: it differs from the scikit-learn path (%s)", worst)
        return False
    return True


def _disagreement(got: np.ndarray, expected: np.ndarray) -> str | None:
    """None when a compiled route reproduces the scikit-learn path to :data:`TOLERANCE`, else
    the largest difference (or "shape")."""
    if got.shape != expected.shape:
        return "shape"
    if np.allclose(got, expected, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=True):
        return None
    return str(np.nanmax(np.abs(got - expected)))


def probe_frame(schema: Schema, known: dict[str, set], n_rows: int = 24, seed: int = 0):
    """Raw rows that exercise every branch: known and unseen labels, missing and odd cells."""
    rng = np.random.default_rng(seed)
    inputs = set(schema.feature_columns())
    data = {}
    for column in schema.columns:
        if column.name not in inputs:
            continue
        if column.role == "categorical":
            labels = sorted(known.get(column.name, ())) or ["a"]
            pool = [*labels, None, "", "?", "never-seen", f" {labels[0]} ", 3]
        elif column.role == "boolean":
            pool = ["yes", "no", True, False, 1, 0, None, "maybe", " Y "]
        else:
            scale = 10.0 ** rng.integers(-2, 6)
            pool = [*rng.normal(0, scale, 12), None, np.nan, " 2.5 ", "abc", np.inf, 0]
        data[column.name] = pd.Series(
            [pool[i] for i in rng.integers(0, len(pool), n_rows)], dtype=object
        )
    return pd.DataFrame(data)
