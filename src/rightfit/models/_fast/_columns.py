"""Compile a fitted ColumnTransformer (``models/preprocess.py``) into plain numpy and dict lookups.

The compiled transform takes a few rows (:class:`PreparedRows`, one dict lookup per cell) or a
whole batch (:class:`PreparedBatch`, one hash-table lookup per column: scikit-learn's encoders
look up object cells one by one in Python, 15 ms for 3,085 rows x 22 columns).

Only the steps rightfit's recipes use are compiled: passthrough, quantile clipping, imputation
with missing indicators, standard scaling, and ordinal / one-hot encoding of labels. Anything else
(TF-IDF on text columns, a custom transformer) raises :class:`NotCompilable` and the model keeps
the scikit-learn path. Category lookups are not re-derived from encoder internals: every known
category, a missing cell and an unseen label are pushed through the fitted encoder once, and its
own answers become the lookup tables, so rare-level grouping and unknown handling match exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from rightfit.models._fast._rows import PreparedBatch, PreparedRows
from rightfit.models.preprocess import QuantileClipper

UNSEEN = "\x00rightfit-unseen-label\x00"


class NotCompilable(Exception):
    """This fitted object has no exact fast equivalent; keep the scikit-learn path."""


Prepared = PreparedRows | PreparedBatch
Block = Callable[[Prepared], np.ndarray]


def compile_column_transformer(
    transformer: ColumnTransformer,
    float_index: dict[str, int],
    label_index: dict[str, int],
    known: dict[str, set] | None = None,
) -> Callable[[Prepared], np.ndarray]:
    """A function mapping :class:`PreparedRows` or a :class:`PreparedBatch` to the
    transformer's output matrix.

    ``known`` (optional) collects the labels each categorical column's encoder knows. Members
    of an ensemble with identical fitted preprocessing get one output per batch (the first
    computes it; the others read it from the batch), as on the scikit-learn path.
    """
    known = {} if known is None else known
    if not isinstance(transformer, ColumnTransformer) or transformer.sparse_threshold != 0:
        raise NotCompilable(f"{type(transformer).__name__} is not a dense ColumnTransformer")
    blocks: list[tuple[slice, Block]] = []
    width = 0
    for name, step, columns in transformer.transformers_:
        where = transformer.output_indices_[name]
        if step == "drop" or where.stop == where.start:
            continue
        columns = _column_names(columns, transformer)
        if all(c in float_index for c in columns):
            block = _numeric_block(step, [float_index[c] for c in columns])
        elif all(c in label_index for c in columns):
            block = _label_block(step, columns, [label_index[c] for c in columns])
            for column, categories in zip(columns, _categories(step), strict=True):
                known.setdefault(column, set()).update(categories)
        else:
            raise NotCompilable(f"transformer {name!r} mixes or misses prepared columns")
        blocks.append((where, block))
        width = max(width, where.stop)

    try:
        key = joblib.hash(transformer)  # the fitted state; equal state, equal output
    except Exception:  # an object joblib cannot hash: never shared
        key = object()

    def transform(rows: Prepared) -> np.ndarray:
        shared = getattr(rows, "shared", None)
        if shared is not None and key in shared:
            return shared[key]
        out = np.empty((len(rows), width))
        for where, block in blocks:
            out[:, where] = block(rows)
        if shared is not None:
            shared[key] = out
        return out

    return transform


def _column_names(columns, transformer: ColumnTransformer) -> list[str]:
    names = list(transformer.feature_names_in_)
    if isinstance(columns, slice) or not isinstance(columns, (list, tuple, np.ndarray)):
        raise NotCompilable("column selection by slice or callable")
    return [names[c] if isinstance(c, (int, np.integer)) else str(c) for c in columns]


# -- numeric columns ------------------------------------------------------------------------------
def _numeric_block(step, positions: list[int]) -> Block:
    steps = step.steps if isinstance(step, Pipeline) else [(None, step)]
    compiled = [_numeric_step(s) for _, s in steps if s != "passthrough"]
    index = np.asarray(positions, dtype=np.intp)

    def block(rows: Prepared) -> np.ndarray:
        X = rows.floats[:, index]  # fancy indexing copies: steps may work in place
        for function in compiled:
            X = function(X)
        return X

    return block


def _numeric_step(step) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(step, FunctionTransformer) and step.func is None:
        return lambda X: X
    if isinstance(step, QuantileClipper):
        low = np.nan_to_num(step.low_, nan=-np.inf)
        high = np.nan_to_num(step.high_, nan=np.inf)
        return lambda X: np.clip(X, low, high)
    if isinstance(step, SimpleImputer):
        return _imputer(step)
    if isinstance(step, StandardScaler):
        mean = step.mean_ if step.with_mean else None
        scale = step.scale_ if step.with_std else None

        def scaled(X: np.ndarray) -> np.ndarray:
            if mean is not None:
                X -= mean
            if scale is not None:
                X /= scale
            return X

        return scaled
    raise NotCompilable(f"no fast numeric equivalent for {type(step).__name__}")


def _imputer(imputer: SimpleImputer) -> Callable[[np.ndarray], np.ndarray]:
    missing = imputer.missing_values
    if not (isinstance(missing, float) and np.isnan(missing)):
        raise NotCompilable("imputer for a missing value other than NaN")
    statistics = np.asarray(imputer.statistics_, dtype=np.float64)
    keep = np.arange(len(statistics))
    if not imputer.keep_empty_features and imputer.strategy != "constant":
        keep = np.flatnonzero(~np.isnan(statistics))  # scikit-learn drops all-missing columns
    indicator = getattr(imputer, "indicator_", None) if imputer.add_indicator else None
    flagged = None if indicator is None else np.asarray(indicator.features_, dtype=np.intp)

    def impute(X: np.ndarray) -> np.ndarray:
        mask = np.isnan(X)
        filled = np.where(mask, statistics, X)[:, keep]
        if flagged is None:
            return filled
        return np.hstack([filled, mask[:, flagged].astype(np.float64)])

    return impute


# -- categorical labels ---------------------------------------------------------------------------
def _label_block(step, columns: list[str], positions: list[int]) -> Block:
    steps = step.steps if isinstance(step, Pipeline) else [(None, step)]
    *before, (_, encoder) = steps
    if not all(isinstance(s, SimpleImputer) for _, s in before):
        raise NotCompilable("label steps other than imputation before the encoder")
    if isinstance(encoder, OrdinalEncoder):
        return _ordinal_block(step, encoder, columns, positions)
    if isinstance(encoder, OneHotEncoder) and encoder.drop is None:
        return _onehot_block(step, encoder, columns, positions)
    raise NotCompilable(f"no fast equivalent for {type(encoder).__name__}")


def _categories(step) -> list[list[str]]:
    encoder = step.steps[-1][1] if isinstance(step, Pipeline) else step
    return [[c for c in categories if isinstance(c, str)] for categories in encoder.categories_]


def _probe(step, encoder, columns: list[str]) -> tuple[list[list], np.ndarray]:
    """Every known category of each column, then a missing cell, then an unseen label, pushed
    through the fitted step; returns the probe labels per column and the step's output."""
    known = _categories(step)
    if len(known) != len(columns):
        raise NotCompilable("encoder and column list disagree")
    height = max(len(k) for k in known) + 2
    probes = [k + [np.nan] + [UNSEEN] * (height - len(k) - 1) for k in known]
    frame = pd.DataFrame(
        {c: pd.Series(p, dtype=object) for c, p in zip(columns, probes, strict=True)}
    )
    return known, np.asarray(step.transform(frame), dtype=np.float64)


def _ordinal_block(step, encoder, columns: list[str], positions: list[int]) -> Block:
    known, output = _probe(step, encoder, columns)
    tables = []
    for j, labels in enumerate(known):
        codes = output[:, j]
        tables.append(
            (
                dict(zip(labels, codes[: len(labels)].tolist(), strict=True)),
                float(codes[len(labels)]),
                float(codes[len(labels) + 1]),
            )
        )
    lookups = list(zip(positions, tables, strict=True))
    columns_lookups = [(p, _ColumnLookup(*table)) for p, table in lookups]

    def block(rows: Prepared) -> np.ndarray:
        if isinstance(rows, PreparedBatch):
            out = np.empty((len(rows), len(columns_lookups)))
            for j, (p, lookup) in enumerate(columns_lookups):
                out[:, j] = lookup(rows.label_columns[p])
            return out
        return np.array(
            [[_lookup(row[p], table) for p, table in lookups] for row in rows.labels],
            dtype=np.float64,
        ).reshape(len(rows), len(lookups))

    return block


def _onehot_block(step, encoder, columns: list[str], positions: list[int]) -> Block:
    widths = getattr(encoder, "_n_features_outs", None)
    if widths is None or len(widths) != len(columns):
        raise NotCompilable("one-hot encoder without per-column output widths")
    known, output = _probe(step, encoder, columns)
    width = int(sum(widths))
    if output.shape[1] != width:
        raise NotCompilable("one-hot output width does not match the encoder")
    tables, start = [], 0
    for j, labels in enumerate(known):
        part = output[:, start : start + widths[j]]
        hot = [_hot_index(row, start) for row in part]
        tables.append(
            (
                dict(zip(labels, hot[: len(labels)], strict=True)),
                hot[len(labels)],
                hot[len(labels) + 1],
            )
        )
        start += widths[j]
    lookups = list(zip(positions, tables, strict=True))
    columns_lookups = [(p, _ColumnLookup(*table, dtype=np.intp)) for p, table in lookups]

    def block(rows: Prepared) -> np.ndarray:
        out = np.zeros((len(rows), width))
        if isinstance(rows, PreparedBatch):
            for p, lookup in columns_lookups:
                hot = lookup(rows.label_columns[p])
                hit = np.flatnonzero(hot >= 0)
                out[hit, hot[hit]] = 1.0
            return out
        for r, row in enumerate(rows.labels):
            hot = [i for i in (_lookup(row[p], table) for p, table in lookups) if i >= 0]
            out[r, hot] = 1.0
        return out

    return block


def _hot_index(row: np.ndarray, start: int) -> int:
    """Position (within the block) of the single 1 in a one-hot row, -1 for an all-zero row."""
    ones = np.flatnonzero(row)
    if len(ones) == 0:
        return -1
    if len(ones) > 1 or row[ones[0]] != 1.0:
        raise NotCompilable("encoder output is not one-hot")
    return start + int(ones[0])


class _ColumnLookup:
    """:func:`_lookup` for a whole column: one hash-table lookup per cell in pandas' C code.

    Prepared labels are ``str`` or NaN: a known label gets its value, NaN the missing value,
    any other label the unseen value, exactly as the dict lookup decides cell by cell.
    """

    def __init__(self, mapping: dict, missing, unseen, dtype=np.float64):
        self.index = pd.Index(list(mapping), dtype=object)
        # position -1 (not found) picks the unseen value appended last
        self.values = np.array([*mapping.values(), unseen], dtype=dtype)
        self.missing = missing

    def __call__(self, cells: np.ndarray) -> np.ndarray:
        # An object Index as the target: a bare array would be converted to pandas' string
        # dtype first, at five times the cost of the lookup.
        found = self.index.get_indexer(pd.Index(cells, dtype=object, copy=False))
        out = self.values[found]
        absent = np.flatnonzero(found < 0)
        if len(absent):
            out[absent[pd.isna(cells[absent])]] = self.missing
        return out


def _lookup(value, table):
    mapping, missing, unseen = table
    found = mapping.get(value)
    if found is not None:
        return found
    # prepared labels are str or the float NaN (missing)
    return missing if isinstance(value, float) else unseen
