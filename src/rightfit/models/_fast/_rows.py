"""Read a few raw rows exactly as ``prepare_features`` would, without building DataFrames.

pandas spends tens of microseconds per column on a one-row frame; a served model sees one row
at a time. This reads the frame's cells once (as ``to_numpy(dtype=object)`` would) and converts
each with the same functions ``prepare_features`` uses for small frames, so both agree value by
value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rightfit.data import Schema, prepare_features
from rightfit.data._convert import _SMALL, flag, label, number
from rightfit.data._features import _date_parts

# prepare_features converts up to this many rows value by value; above it pandas' factorize path
# may merge equal-but-different objects (1, 1.0, True), so the fast reader stops there.
MAX_ROWS = _SMALL
_FAST_ROLES = ("numeric", "boolean", "categorical", "datetime")
_MAX_PLANS = 32


class FallBack(Exception):
    """The fast path cannot reproduce this input exactly; use the scikit-learn path."""


@dataclass(frozen=True)
class PreparedRows:
    """Prepared feature values of a few rows.

    ``floats`` holds the numeric and boolean features in schema order, then the datetime parts
    (n, n_float); ``labels`` holds, per row, the categorical labels (``str`` or NaN) in schema
    order.
    """

    floats: np.ndarray
    labels: list[list]

    def __len__(self) -> int:
        return self.floats.shape[0]


@dataclass(frozen=True)
class PreparedBatch:
    """Prepared feature values of a batch, by column: what ``prepare_features`` returned.

    ``floats`` is laid out as in :class:`PreparedRows`; ``label_columns`` holds one object array
    (``str`` or NaN) per categorical feature, in schema order. ``shared`` keeps each distinct
    preprocessing's output for the other ensemble members scoring the same batch.
    """

    floats: np.ndarray
    label_columns: list[np.ndarray]
    shared: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return self.floats.shape[0]


_OBJECT = np.dtype(object)


def object_values(frame: pd.DataFrame) -> np.ndarray:
    """``frame.to_numpy(dtype=object)``, cell for cell, at a quarter of the cost on one row.

    pandas converts ``str`` columns through ``astype(object)``, which costs ~15 us per column on
    a single row; ``to_numpy(dtype=object)`` on the column's array gives the same cells in ~2 us.
    This reads pandas' blocks, a private structure: anything unexpected falls back to pandas.
    """
    try:
        n_rows, n_columns = frame.shape
        out = np.empty((n_columns, n_rows), dtype=object)
        for block in frame._mgr.blocks:
            values = block.values
            if isinstance(values, np.ndarray) and values.dtype.kind in "biufO":
                cells = values.astype(_OBJECT)
            elif isinstance(values.dtype, pd.StringDtype):
                cells = values.to_numpy(dtype=_OBJECT)
            else:
                cells = block.get_values(_OBJECT)  # what DataFrame.to_numpy itself uses
            out[block.mgr_locs.indexer] = cells.reshape(-1, n_rows)
        return out.T
    except Exception:  # a pandas version with other internals
        return frame.to_numpy(dtype=object)


def _number(value: object) -> float:
    result = number(value)
    # number() reads a complex cell as missing; pandas' float cast of a complex column keeps
    # the real part. Too rare to reproduce: let prepare_features decide.
    if result != result and isinstance(value, (complex, np.complexfloating)):
        raise FallBack("complex value")
    return result


class RowReader:
    """Turns small raw frames into :class:`PreparedRows` for a training schema.

    Parameters
    ----------
    schema : the training :class:`~rightfit.data.Schema`.
    """

    def __init__(self, schema: Schema):
        self.schema = schema
        inputs = set(schema.feature_columns())
        features = [c for c in schema.columns if c.name in inputs]
        self.unsupported_roles = sorted({c.role for c in features} - set(_FAST_ROLES))
        self.float_names = [c.name for c in features if c.role in ("numeric", "boolean")]
        self.label_names = [c.name for c in features if c.role == "categorical"]
        self._dates = [(c.name, c.parts) for c in features if c.role == "datetime"]
        self.float_names += [f"{name}__{part}" for name, parts in self._dates for part in parts]
        self._float_functions = [
            _number if c.role == "numeric" else flag
            for c in features
            if c.role in ("numeric", "boolean")
        ]
        self._plans: dict[tuple, tuple[list[int], ...] | None] = {}

    @property
    def supported(self) -> bool:
        return not self.unsupported_roles

    @property
    def float_index(self) -> dict[str, int]:
        return {name: j for j, name in enumerate(self.float_names)}

    @property
    def label_index(self) -> dict[str, int]:
        return {name: j for j, name in enumerate(self.label_names)}

    def read(self, frame: pd.DataFrame) -> PreparedRows:
        """Prepared values of ``frame`` (at most :data:`MAX_ROWS` rows).

        Raises
        ------
        FallBack
            When only ``prepare_features`` can handle this frame (its columns need a warning
            or an error, or a cell is of a kind the reader does not reproduce).
        """
        if not self.supported or len(frame) > MAX_ROWS:
            raise FallBack("schema or size not supported")
        columns = frame.columns.tolist()
        key = tuple(columns)
        plan = self._plans.get(key, False)
        if plan is False:
            plan = self._plan(frame, columns)
        if plan is None:
            raise FallBack("these columns need prepare_features' checks")
        float_positions, label_positions, date_positions = plan
        values = object_values(frame)
        functions = self._float_functions
        floats = [
            [function(row[p]) for function, p in zip(functions, float_positions, strict=True)]
            for row in values
        ]
        labels = [[label(row[p]) for p in label_positions] for row in values]
        array = np.array(floats, dtype=np.float64).reshape(len(values), len(float_positions))
        if date_positions:
            # date parsing is pandas' own: the same function on the same column as at training
            parts = [
                part
                for (name, names), p in zip(self._dates, date_positions, strict=True)
                for part in _date_parts(frame.iloc[:, p], name, names).values()
            ]
            array = np.column_stack([array, *parts])
        return PreparedRows(array, labels)

    def read_prepared(self, features: pd.DataFrame) -> PreparedBatch:
        """A :class:`PreparedBatch` of ``prepare_features``' output (any number of rows)."""
        if not self.supported:
            raise FallBack("schema not supported")
        floats = np.empty((len(features), len(self.float_names)), dtype=np.float64)
        for j, name in enumerate(self.float_names):
            floats[:, j] = features[name].to_numpy(dtype=np.float64)
        labels = [features[name].to_numpy(dtype=_OBJECT) for name in self.label_names]
        return PreparedBatch(floats, labels)

    def _plan(self, frame: pd.DataFrame, columns: list) -> tuple[list[int], ...] | None:
        """Column positions for this column layout, or None when prepare_features must run
        (it raises for missing or duplicated columns and warns about unknown ones)."""
        plan = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                prepare_features(frame.iloc[:0], self.schema)
            except Exception:  # the slow path raises the same error with its message
                caught.append(None)
        if not caught:
            where = {str(name): j for j, name in enumerate(columns)}
            plan = (
                [where[name] for name in self.float_names[: len(self._float_functions)]],
                [where[name] for name in self.label_names],
                [where[name] for name, _ in self._dates],
            )
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        self._plans[tuple(columns)] = plan
        return plan
