"""Check request values against the training schema, column by column, before any prediction.

A request is turned into ``{column: values}`` (from JSON records, Open Inference Protocol tensors
or a CSV upload) and every feature column is checked here: a missing or mistyped field becomes an
:class:`InputError` (HTTP 422) that names the field, the row and the type the model expects. Values
are only checked and lightly normalised; ``prepare_features`` still does the real conversion, so
served predictions equal ``rightfit predict``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rightfit.data import FEATURE_ROLES, Schema

# What each role accepts, in the words an API user reads in a 422 answer.
EXPECTED = {
    "numeric": "a number (or null)",
    "boolean": "a boolean: true/false, 1/0 or 'yes'/'no' (or null)",
    "categorical": "a string (or null)",
    "datetime": "a date/time string such as '2024-05-31' (or null)",
}
# Open Inference Protocol datatype advertised in model metadata for each role.
V2_DATATYPE = {"numeric": "FP64", "boolean": "BOOL", "categorical": "BYTES", "datetime": "BYTES"}
_MISSING_TEXT = frozenset({"", "?"})
_TRUE = frozenset({"yes", "true", "y", "t", "1", "1.0"})
_FALSE = frozenset({"no", "false", "n", "f", "0", "0.0"})


class InputError(Exception):
    """A request the model cannot score; ``status`` is the HTTP code, ``extra`` goes in the body."""

    def __init__(self, message: str, status: int = 422, **extra: object):
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra


@dataclass(frozen=True)
class InputColumn:
    """One input the model needs: name, schema role, and the type a request must send."""

    name: str
    role: str

    @property
    def expected(self) -> str:
        return EXPECTED[self.role]

    @property
    def datatype(self) -> str:
        return V2_DATATYPE[self.role]


def input_columns(schema: Schema | None) -> tuple[InputColumn, ...]:
    """The feature columns of ``schema`` in training order (empty without a schema)."""
    if schema is None:
        return ()
    return tuple(InputColumn(c.name, c.role) for c in schema.columns if c.role in FEATURE_ROLES)


def _mistyped(column: InputColumn, row: int, value: object) -> InputError:
    shown = repr(value) if not isinstance(value, (list, dict)) else type(value).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InputError(
        f"Field {column.name!r} in row {row} must be {column.expected}, got {shown}. "
        f"Send values of the type the model was trained on ({column.role} column).",
        field=column.name,
        expected=column.expected,
        row=row,
    )


def _numeric(column: InputColumn, values: list) -> np.ndarray:
    out = np.empty(len(values), dtype="float64")
    for row, value in enumerate(values):
        kind = type(value)
        if kind is float or kind is int:
            try:
                out[row] = value
            except OverflowError:  # an integer too large for a float64
                raise _mistyped(column, row, value) from None
        elif value is None:
            out[row] = math.nan
        elif kind is str:
            text = value.strip()
            if text in _MISSING_TEXT:
                out[row] = math.nan
                continue
            try:
                if "_" in text:  # float() accepts '1_000'; a CSV reader would not
                    raise ValueError(text)
                out[row] = float(text)
            except ValueError:
                raise _mistyped(column, row, value) from None
        elif isinstance(value, (np.integer, np.floating)) and not isinstance(value, np.bool_):
            out[row] = float(value)
        else:  # booleans, lists, objects
            raise _mistyped(column, row, value)
    # infinity is missing, as in prepare_features
    out[~np.isfinite(out)] = math.nan
    return out


def _boolean(column: InputColumn, values: list) -> np.ndarray:
    out = np.empty(len(values), dtype="float64")
    for row, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out[row] = math.nan
        elif isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)) and value in (
            0,
            1,
        ):
            out[row] = float(value)
        elif isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE:
                out[row] = 1.0
            elif text in _FALSE:
                out[row] = 0.0
            elif text in _MISSING_TEXT:
                out[row] = math.nan
            else:
                raise _mistyped(column, row, value)
        else:
            raise _mistyped(column, row, value)
    return out


def _labels(column: InputColumn, values: list) -> np.ndarray:
    allowed = (str, int, float, bool, np.integer, np.floating, np.bool_, np.str_)
    for row, value in enumerate(values):
        if value is not None and not isinstance(value, allowed):
            raise _mistyped(column, row, value)
        is_number = isinstance(value, (int, float)) and not (
            isinstance(value, float) and math.isnan(value)
        )
        if column.role == "datetime" and is_number:  # dates come as text, never as numbers
            raise _mistyped(column, row, value)
    return np.array(values, dtype=object)


_CHECKS = {"numeric": _numeric, "boolean": _boolean, "categorical": _labels, "datetime": _labels}


def check_columns(
    columns: dict[str, list], n_rows: int, inputs: tuple[InputColumn, ...]
) -> dict[str, np.ndarray]:
    """Checked feature columns, each an array of ``n_rows`` values, in training order.

    ``columns`` maps field names to value lists. Fields the model does not use are left out.

    Raises
    ------
    InputError
        A feature column is missing, or holds a value of the wrong type.
    """
    checked: dict[str, np.ndarray] = {}
    for column in inputs:
        values = columns.get(column.name)
        if values is None:
            raise InputError(
                f"Field {column.name!r} is missing; the model needs it as {column.expected}. "
                "Send null when the value is unknown.",
                field=column.name,
                expected=column.expected,
            )
        if len(values) != n_rows:
            raise InputError(
                f"Field {column.name!r} has {len(values)} values but the request has {n_rows} "
                "rows; send one value per row for every field.",
                field=column.name,
                expected=column.expected,
            )
        checked[column.name] = _CHECKS[column.role](column, values)
    return checked


class _Absent:
    """Marks a field a JSON record does not have (distinct from an explicit null)."""

    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()


def columns_from_records(
    records: object, inputs: tuple[InputColumn, ...]
) -> tuple[dict[str, list], int, list[str]]:
    """``{field: values}``, the row count, and the fields no input uses, from JSON records.

    Accepts a list of objects, or one object for a single row.
    """
    if isinstance(records, dict):
        records = records.get("records", [records]) if "records" in records else [records]
    if not isinstance(records, list) or not records:
        raise InputError(
            "The body must be a JSON list of records (objects mapping field names to values), "
            'e.g. [{"age": 41, "plan": "basic"}], with at least one record.'
        )
    for row, record in enumerate(records):
        if not isinstance(record, dict):
            raise InputError(
                f"Record {row} is a {type(record).__name__}, not an object; send each row as "
                '{"field": value, ...}.',
                row=row,
            )
    columns: dict[str, list] = {}
    for column in inputs:
        values = [record.get(column.name, ABSENT) for record in records]
        if any(value is ABSENT for value in values):
            row = next(i for i, value in enumerate(values) if value is ABSENT)
            raise InputError(
                f"Field {column.name!r} is missing from record {row}; the model needs it as "
                f"{column.expected}. Send null when the value is unknown.",
                field=column.name,
                expected=column.expected,
                row=row,
            )
        columns[column.name] = values
    known = {c.name for c in inputs}
    ignored = sorted({key for record in records for key in record} - known) if inputs else []
    if not inputs:  # a model without a schema gets the records as they are
        names = list(dict.fromkeys(key for record in records for key in record))
        columns = {name: [record.get(name) for record in records] for name in names}
    return columns, len(records), ignored
