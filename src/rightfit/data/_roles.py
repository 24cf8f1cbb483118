"""Role inference for one column: numeric, categorical, boolean, datetime, text, id..."""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rightfit.data._convert import FALSE_TOKENS, TRUE_TOKENS, to_float

logger = logging.getLogger(__name__)

NUMERIC_SHARE = 0.95
MAX_NON_NUMBER_VALUES = 3
DATETIME_SHARE = 0.95
ID_UNIQUE_SHARE = 0.95
ID_MIN_ROWS = 50  # below this every column of distinct values would look like an id
TEXT_MEAN_LENGTH = 30
TEXT_SPACE_SHARE = 0.5
TEXT_UNIQUE_SHARE = 0.5
SAMPLE = 2_000
DATETIME_PARTS = ("year", "month", "day", "dayofweek")


_ID_TOKENS = frozenset({"id", "ids", "key", "number", "nbr", "num", "no", "code", "uuid", "guid"})
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_DATE_CHARS = re.compile(r"[-/:]")


@dataclass(frozen=True)
class RoleGuess:
    role: str
    reason: str
    parts: tuple[str, ...] = ()


def name_words(name: str) -> list[str]:
    """The lower-case words of a column name: customerID -> ['customer', 'id']."""
    return [word.lower() for word in _WORDS.findall(name)]


def looks_like_id_name(name: str) -> bool:
    """True for names such as customerID, CustomerId, RowNumber, patient_nbr, Unnamed: 0."""
    if name.startswith("Unnamed:") or name.lower() in {"index", "idx"}:
        return True
    return any(word in _ID_TOKENS for word in name_words(name))


def is_string_like(column: pd.Series) -> bool:
    """Object, pandas string or category dtype."""
    return column.dtype == object or isinstance(column.dtype, (pd.StringDtype, pd.CategoricalDtype))


def guess_role(column: pd.Series, name: str) -> RoleGuess:
    """The role of one input column with a plain-words reason."""
    n_rows = len(column)
    values = column.dropna()
    if len(values) == 0:
        return RoleGuess("empty", f"empty: all {n_rows} values are missing")
    if pd.api.types.is_bool_dtype(column.dtype):
        if values.nunique() <= 1:
            return _constant(values.iloc[0])
        return RoleGuess("boolean", "boolean: true/false values")
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return _datetime_guess(pd.to_datetime(values, utc=True), "datetime: dates and times")
    if is_string_like(column):
        return _string_guess(values, name, n_rows)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return _numeric_guess(values, name, n_rows, str(column.dtype))
    text = values.astype(str)
    return _string_guess(text, name, n_rows, note=f" (values of dtype {column.dtype})")


def _numeric_guess(values: pd.Series, name: str, n_rows: int, dtype: str) -> RoleGuess:
    n_unique = values.nunique()
    if n_unique <= 1:
        return _constant(values.iloc[0])
    unique_share = n_unique / n_rows
    if unique_share >= ID_UNIQUE_SHARE and looks_like_id_name(name):
        return RoleGuess("id", f"id: {unique_share:.0%} of values are unique and named like an id")
    integers = values.to_numpy()
    if (
        n_rows >= ID_MIN_ROWS
        and n_unique == n_rows
        and np.all(np.mod(integers, 1) == 0)
        and integers.max() - integers.min() == n_rows - 1
    ):
        return RoleGuess("id", "id: unique per row and a running integer sequence (a row number)")
    return RoleGuess("numeric", f"numeric: numbers ({dtype})")


def _string_guess(values: pd.Series, name: str, n_rows: int, note: str = "") -> RoleGuess:
    mixed = _python_types(values)
    text = values.astype(str).str.strip()
    text = text[text != ""]
    n_non_missing = len(values)
    n_unique = values.nunique()
    if n_unique <= 1:
        return _constant(str(values.iloc[0]))
    unique_share = n_unique / n_rows
    if unique_share >= ID_UNIQUE_SHARE and looks_like_id_name(name):
        return RoleGuess("id", f"id: {unique_share:.0%} of values are unique and named like an id")
    numbers = to_float(values)
    numeric_share = np.count_nonzero(~np.isnan(numbers)) / n_non_missing
    bad = values[np.isnan(numbers)].astype(str)
    # A few odd values (' ', '-', 'unknown') are missing markers; many distinct ones (ICD codes
    # such as 'V57', invoice numbers such as 'C536548') mean the column is really labels.
    if numeric_share >= NUMERIC_SHARE and bad.nunique() <= MAX_NON_NUMBER_VALUES:
        detail = ""
        if len(bad):
            examples = ", ".join(repr(v) for v in bad.unique()[:3])
            detail = f"; {len(bad)} values that are not numbers ({examples}) will be missing"
        return RoleGuess(
            "numeric", f"numeric: {numeric_share:.1%} of values parse as numbers{detail}{note}"
        )
    lowered = {v.lower() for v in text.unique()} if n_unique <= 8 else set()
    if len(lowered) == 2 and len(lowered & TRUE_TOKENS) == 1 and len(lowered & FALSE_TOKENS) == 1:
        shown = "/".join(sorted(text.unique()))
        return RoleGuess("boolean", f"boolean: two values ({shown}) mapped to 1/0")
    guess = _datetime_from_strings(text)
    if guess is not None:
        return guess
    sample = text.sample(min(len(text), SAMPLE), random_state=0) if len(text) > SAMPLE else text
    mean_length = float(sample.str.len().mean())
    if (
        mean_length > TEXT_MEAN_LENGTH
        and n_unique / n_non_missing > TEXT_UNIQUE_SHARE
        and sample.str.contains(" ", regex=False).mean() > TEXT_SPACE_SHARE
    ):
        return RoleGuess(
            "text",
            f"text: free text (mean length {mean_length:.0f} characters, "
            f"{n_unique / n_non_missing:.0%} unique)",
        )
    if (
        n_rows >= ID_MIN_ROWS
        and n_unique == n_rows
        and not sample.str.contains(r"\s", regex=True).any()
    ):
        return RoleGuess("id", "id: a distinct non-numeric token in every row")
    if len(mixed) > 1:
        return RoleGuess(
            "categorical",
            f"categorical: mixed value types ({', '.join(mixed)}) treated as text labels; "
            f"{n_unique} levels",
        )
    return RoleGuess("categorical", f"categorical: {n_unique} distinct labels{note}")


def _python_types(values: pd.Series) -> list[str]:
    if values.dtype != object:
        return []
    sample = values.iloc[:SAMPLE] if len(values) > SAMPLE else values
    names = {type(v).__name__ for v in sample}
    # numpy scalars and python numbers of the same family are one type for users
    families = {
        "float" if n.startswith("float") else "int" if n.startswith("int") else n for n in names
    }
    return sorted(families)


def _datetime_from_strings(text: pd.Series) -> RoleGuess | None:
    sample = text.drop_duplicates()
    sample = sample.iloc[:SAMPLE] if len(sample) > SAMPLE else sample
    looks_like_date = sample.str.contains(_DATE_CHARS, regex=True).mean()
    if looks_like_date < DATETIME_SHARE:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", utc=True)
    share = parsed.notna().mean()
    if share < DATETIME_SHARE:
        return None
    return _datetime_guess(parsed.dropna(), f"datetime: {share:.0%} of values parse as dates")


def _datetime_guess(parsed: pd.Series, reason: str) -> RoleGuess:
    parts = DATETIME_PARTS
    times = parsed.dt
    if bool(((times.hour != 0) | (times.minute != 0) | (times.second != 0)).any()):
        parts += ("hour",)
    parts += ("epoch_days",)
    return RoleGuess("datetime", f"{reason}; derived parts: {', '.join(parts)}", parts)


def _constant(value: object) -> RoleGuess:
    return RoleGuess("constant", f"constant: a single value ({plain_value(value)!r})")


def plain_value(value: object) -> object:
    """A numpy scalar as the python value it holds, so messages show 0.0, not np.float64(0.0)."""
    return value.item() if isinstance(value, np.generic) else value
