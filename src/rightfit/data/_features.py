"""prepare_features and read_target: one deterministic transform for fit and predict time."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from rightfit.data._convert import to_flag, to_float, to_labels
from rightfit.data._schema import CLASSIFICATION_TASKS, INPUT_ROLES, Schema
from rightfit.errors import SchemaMismatchError, TargetError, did_you_mean

logger = logging.getLogger(__name__)

_EPOCH = pd.Timestamp("1970-01-01")
_DAY_NS = 86_400 * 10**9
_ACCESSORS = {"dayofweek": "day_of_week"}  # pandas 3.1 deprecates .dt.dayofweek


def prepare_features(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Turn raw input columns into model input, identically at training and predict time.

    Numeric columns become float64 (text is stripped and parsed; anything else, and infinity,
    becomes NaN). Boolean columns become 0.0/1.0 (yes/no, true/false, y/n, t/f, 1/0; other
    values NaN). Categorical columns become object columns of ``str`` with ``np.nan`` for
    missing (empty and ``?`` cells too). Text columns become pandas ``str`` columns (the dtype
    that tells the models' preprocessing they hold free text) with NaN for missing or empty
    cells. A datetime column is replaced by float64 columns
    ``f"{name}__{part}"``. Columns keep the schema order and the index is reset.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw rows with at least the schema's feature columns. Other columns are ignored (with a
        warning for names the schema does not know).
    schema : Schema
        From :func:`infer_schema` (possibly edited by ``rightfit.clean``).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    SchemaMismatchError
        When feature columns are missing.

    Examples
    --------
    >>> from rightfit.data import ColumnSchema
    >>> schema = Schema((ColumnSchema("x", "numeric", "str", "numeric"),
    ...                  ColumnSchema("c", "categorical", "str", "categorical")), "y", None, None)
    >>> frame = pd.DataFrame({"x": ["1.5", " 2 "], "c": ["a", None], "y": [0, 1]})
    >>> prepare_features(frame, schema).to_dict("list")
    {'x': [1.5, 2.0], 'c': ['a', nan]}
    """
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    present = set(frame.columns)
    features = [c for c in schema.columns if c.role in INPUT_ROLES]
    missing = [c.name for c in features if c.name not in present]
    known = {c.name for c in schema.columns} | {schema.target}
    unexpected = [c for c in frame.columns if c not in known]
    if not frame.columns.is_unique:
        repeated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise SchemaMismatchError(
            f"The data has duplicated column names: {_names(repeated)}. Each column needs a "
            "unique name; remove or rename the copies."
        )
    if missing:
        raise SchemaMismatchError(_mismatch_message(missing, unexpected))
    if unexpected:
        warnings.warn(
            f"Ignoring {len(unexpected)} column(s) the model was not trained on: "
            f"{_names(unexpected)}.",
            UserWarning,
            stacklevel=2,
        )
    index = pd.RangeIndex(len(frame))
    data: dict[str, np.ndarray | pd.Series] = {}
    for column in features:
        values = frame[column.name]
        if column.role == "numeric":
            data[column.name] = to_float(values)
        elif column.role == "boolean":
            data[column.name] = to_flag(values)
        elif column.role == "categorical":
            # an explicit object Series: pandas 3 would infer its own string dtype otherwise
            data[column.name] = pd.Series(to_labels(values), index=index, dtype=object)
        elif column.role == "text":
            data[column.name] = _to_text(values, index)
        else:
            data.update(_date_parts(values, column.name, column.parts))
    return pd.DataFrame(data, index=index, copy=False)


TEXT_DTYPE = pd.StringDtype(na_value=np.nan)


def _to_text(values: pd.Series, index: pd.RangeIndex) -> pd.Series:
    """Free text as a ``str`` column; empty or whitespace-only cells are missing."""
    text = pd.Series(values.to_numpy(dtype=object), index=index, dtype=object)
    present = text.notna()
    text[present] = text[present].map(str).str.strip()
    text[text == ""] = np.nan
    return text.astype(TEXT_DTYPE)


def _mismatch_message(missing: list[str], unexpected: list[str]) -> str:
    message = f"The data is missing {len(missing)} column(s) the model needs: {_names(missing)}."
    if unexpected:
        message += f" Unexpected columns: {_names(unexpected)}."
        hints = [f"{m!r}?" for m in missing if did_you_mean(m, unexpected)]
        if hints:
            message += f" Is one of them renamed ({did_you_mean(missing[0], unexpected).strip()})"
            message = message.rstrip("?") + "?"
    return message + (
        " Pass the same columns as in training (values may be empty); rename columns that "
        "changed name."
    )


def _names(names: list[str], limit: int = 15) -> str:
    shown = ", ".join(map(repr, names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _date_parts(values: pd.Series, name: str, parts: tuple[str, ...]) -> dict[str, np.ndarray]:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = pd.to_datetime(values, utc=True)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamps = pd.to_datetime(values.astype(str).str.strip(), errors="coerce", utc=True)
    stamps = stamps.dt.tz_localize(None)
    out: dict[str, np.ndarray] = {}
    for part in parts:
        if part == "epoch_days":
            nanos = stamps.to_numpy(dtype="datetime64[ns]").astype("int64").astype("float64")
            nanos[stamps.isna().to_numpy()] = np.nan
            out[f"{name}__{part}"] = (nanos - _EPOCH.value) / _DAY_NS
        else:
            out[f"{name}__{part}"] = getattr(stamps.dt, _ACCESSORS.get(part, part)).to_numpy(
                dtype="float64", na_value=np.nan
            )
    return out


def read_target(frame: pd.DataFrame, schema: Schema) -> pd.Series:
    """The target column, cast so it matches the schema (float64, or labels like ``classes``).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows holding the target column.
    schema : Schema
        With ``target`` and ``task`` set.

    Returns
    -------
    pandas.Series
        Indexed 0..n-1. Missing labels stay missing (NaN).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1, 2, 3], "y": ["1", "0", "1"]})
    >>> schema = Schema((), "y", "binary", (0, 1))
    >>> read_target(frame, schema).tolist()
    [1, 0, 1]
    """
    target = schema.target
    if target is None:
        raise TargetError(
            "This schema has no target column, so there is nothing to read. "
            "Build the schema with infer_schema(frame, target='<label column>')."
        )
    names = [str(c) for c in frame.columns]
    if target not in names:
        raise TargetError(
            f"Target column {target!r} is not in the data.{did_you_mean(target, names)} "
            f"Available columns: {_names(names, 20)}. Pass data that holds the labels."
        )
    y = frame.iloc[:, names.index(target)].reset_index(drop=True)
    if schema.task not in CLASSIFICATION_TASKS:
        numbers = pd.Series(to_float(y), name=target)
        if numbers.isna().all():
            examples = ", ".join(map(repr, y.dropna().astype(str).unique()[:3]))
            raise TargetError(
                f"Target column {target!r} has no numeric values (values like {examples}), so "
                "it cannot be used for regression. Choose a numeric target or a "
                "classification task."
            )
        return numbers
    return _labels_like(y, schema.classes or (), target)


def _labels_like(y: pd.Series, classes: tuple, name: str) -> pd.Series:
    kinds = {type(c) for c in classes}
    if kinds == {bool}:
        flags = pd.Series(to_flag(y), name=name)
        return flags.astype(bool) if flags.notna().all() else flags.map({1.0: True, 0.0: False})
    if kinds and kinds <= {int, float}:
        numbers = pd.Series(to_float(y), name=name)
        if kinds == {int} and numbers.notna().all() and np.all(np.mod(numbers, 1) == 0):
            return numbers.astype("int64")
        return numbers
    return pd.Series(to_labels(y), name=name, dtype=object)
