"""Value conversions shared by role inference and prepare_features, so both agree exactly."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

MISSING_LABELS = frozenset({"", "?"})
TRUE_TOKENS = frozenset({"yes", "true", "y", "t", "1", "1.0"})
FALSE_TOKENS = frozenset({"no", "false", "n", "f", "0", "0.0"})
BOOL_MAP: dict[str, float] = {**dict.fromkeys(TRUE_TOKENS, 1.0), **dict.fromkeys(FALSE_TOKENS, 0.0)}
# Up to this many rows, converting value by value beats pandas' per-call overhead (predict time).
_SMALL = 64


def is_missing(value: object) -> bool:
    """None, NaN, pd.NA or NaT."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def number(value: object) -> float:
    """One value as a finite float, or NaN (text is stripped; infinity counts as missing)."""
    if is_missing(value):
        return math.nan
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        result = float(value)
    else:
        text = str(value).strip()
        if "_" in text:  # python's float() accepts '1_000'; a CSV reader would not
            return math.nan
        try:
            result = float(text)
        except ValueError:
            return math.nan
    return result if math.isfinite(result) else math.nan


def label(value: object) -> object:
    """One value as a stripped ``str`` label, or NaN for missing, empty and '?'."""
    if is_missing(value):
        return math.nan
    text = str(value).strip()
    return math.nan if text in MISSING_LABELS else text


def flag(value: object) -> float:
    """One value as 1.0/0.0 (yes/no, true/false, y/n, t/f, 1/0), else NaN."""
    if is_missing(value):
        return math.nan
    return BOOL_MAP.get(str(value).strip().lower(), math.nan)


def convert(values: pd.Series, function: Callable[[object], object], dtype: str) -> np.ndarray:
    """Apply ``function`` to every value, computing each distinct value only once."""
    if len(values) <= _SMALL:
        return np.array([function(v) for v in values.to_numpy(dtype=object)], dtype=dtype)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array([function(v) for v in uniques] + [function(None)], dtype=dtype)
    return table[codes]  # code -1 (missing) picks the entry appended last


def to_float(values: pd.Series) -> np.ndarray:
    """float64 array; numbers as they are (infinity → NaN), text parsed with :func:`number`."""
    dtype = values.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        array = values.to_numpy(dtype="float64", na_value=np.nan)
        if not np.isfinite(array).all():
            array = np.where(np.isinf(array), np.nan, array)
        return array
    return convert(values, number, "float64")


def to_flag(values: pd.Series) -> np.ndarray:
    """float64 array of 1.0/0.0/NaN."""
    if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        return values.to_numpy(dtype="float64")
    return convert(values, flag, "float64")


def to_labels(values: pd.Series) -> np.ndarray:
    """object array of ``str`` labels with ``np.nan`` for missing."""
    return convert(values, label, "object")
