"""Reading an interaction log: user, item, optional rating or strength, and its time order."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rightfit.data import Table, infer_schema
from rightfit.errors import ConfigError, DataError, SchemaMismatchError, did_you_mean

logger = logging.getLogger(__name__)

MIN_INTERACTIONS = 20


def id_strings(values: pd.Series) -> np.ndarray:
    """User or item ids as text, the same at training and predict time (``12662.0`` → ``"12662"``).

    Missing ids become None.

    Examples
    --------
    >>> id_strings(pd.Series([12662.0, 7.0, None])).tolist()
    ['12662', '7', None]
    """
    values = pd.Series(values).reset_index(drop=True)
    missing = values.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        if np.all(np.mod(numbers[~missing], 1) == 0):
            values = pd.Series(np.where(missing, 0, numbers).astype(np.int64))
    text = values.astype(str).str.strip().to_numpy(dtype=object)
    text[missing] = None
    return text


def check_column(frame: pd.DataFrame, name: str, option: str) -> None:
    """SchemaMismatchError naming ``option`` when ``name`` is not a column of ``frame``."""
    names = [str(c) for c in frame.columns]
    if name not in names:
        raise SchemaMismatchError(
            f"{option} names column {name!r}, which is not in the data."
            f"{did_you_mean(name, names)} Columns: {', '.join(map(repr, names[:20]))}."
        )


@dataclass(frozen=True)
class Interactions:
    """Clean interaction rows (``user``, ``item``, ``value``, ``order``) and what was done."""

    frame: pd.DataFrame
    feedback: str  # "implicit" or "explicit"
    user_column: str
    item_column: str
    value_column: str | None
    time_column: str | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "feedback": self.feedback,
            "user_column": self.user_column,
            "item_column": self.item_column,
            "value_column": self.value_column,
            "time_column": self.time_column,
            "n_interactions": len(self.frame),
            "n_users": int(self.frame["user"].nunique()),
            "n_items": int(self.frame["item"].nunique()),
            "notes": list(self.notes),
        }


def _find_time_column(frame: pd.DataFrame, skip: set[str]) -> str | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = infer_schema(frame.drop(columns=list(skip)), target=None)
    dates = [c.name for c in schema.columns if c.role == "datetime"]
    return dates[0] if dates else None


def _times(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stamps = pd.to_datetime(values.astype(str).str.strip(), errors="coerce", utc=True)
    nanos = stamps.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
    nanos[stamps.isna().to_numpy()] = np.nan
    return nanos / 1e9


def read_interactions(
    table: Table,
    user: str,
    item: str,
    rating: str | None = None,
    strength: str | None = None,
    time: str | None = None,
) -> Interactions:
    """Validate the columns and clean the rows of an interaction log.

    Rows without a user or item are dropped; with ``strength`` (quantities, views...) rows
    whose strength is not a positive number (returns, cancellations) are dropped; with
    ``rating`` rows without a numeric rating are dropped. The time column is ``time``, else
    the only datetime column found, else the file order. Every drop is counted in ``notes``.

    Parameters
    ----------
    table : Table
        From ``rightfit.data.read_table``.
    user, item : column names.
    rating : explicit ratings column (mutually exclusive with ``strength``).
    strength : implicit feedback strength column; each row counts 1 when both are omitted.
    time : column giving the order of interactions.

    Returns
    -------
    Interactions
    """
    frame = table.frame
    if rating and strength:
        raise ConfigError(
            "Give --rating (explicit scores) or --strength (implicit amounts), not both."
        )
    for name, option in (
        (user, "--user"),
        (item, "--item"),
        (rating, "--rating"),
        (strength, "--strength"),
        (time, "--time"),
    ):
        if name:
            check_column(frame, name, option)
    if user == item:
        raise ConfigError(f"--user and --item are the same column {user!r}; give two columns.")
    notes: list[str] = []
    n = len(frame)
    users, items = id_strings(frame[user]), id_strings(frame[item])
    keep = np.array(
        [u is not None and i is not None for u, i in zip(users, items, strict=True)], dtype=bool
    )
    if (~keep).any():
        notes.append(f"{int((~keep).sum()):,} rows dropped: no user or item id")
    value_column = rating or strength
    values = np.ones(n)
    if value_column:
        raw = frame[value_column]
        if not pd.api.types.is_numeric_dtype(raw.dtype):
            raw = pd.to_numeric(raw.astype(str).str.strip(), errors="coerce")
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(values) if rating else ~(values > 0)
        if bad.all():
            raise DataError(
                f"Column {value_column!r} has no usable value (numbers"
                f"{'' if rating else ' above 0'}). Check --{'rating' if rating else 'strength'}."
            )
        if bad.any():
            what = "no numeric rating" if rating else "no positive strength (returns, zeros)"
            notes.append(f"{int((bad & keep).sum()):,} rows dropped: {what}")
        keep &= ~bad
    time_column = time or _find_time_column(frame, {user, item} | {value_column} - {None})
    order = np.arange(n, dtype=float)
    if time_column:
        stamps = _times(frame[time_column])
        if np.isnan(stamps).all():
            raise DataError(
                f"Time column {time_column!r} holds no readable date or number. Pass --time "
                "with a date column, or leave it out to use the file order."
            )
        if np.isnan(stamps[keep]).any():
            notes.append(f"{int(np.isnan(stamps[keep]).sum()):,} rows dropped: unreadable time")
            keep &= ~np.isnan(stamps)
        order = stamps
        notes.append(f"time order from column {time_column!r}")
    else:
        notes.append("no time column: the file order is taken as the time order")
    clean = pd.DataFrame(
        {
            "user": users[keep],
            "item": items[keep],
            "value": values[keep],
            "time": order[keep],
            "row": np.arange(n)[keep],
        }
    )
    if len(clean) < MIN_INTERACTIONS or clean["user"].nunique() < 2 or clean["item"].nunique() < 2:
        raise DataError(
            f"Only {len(clean)} usable interactions ({clean['user'].nunique()} users, "
            f"{clean['item'].nunique()} items); a recommender needs at least {MIN_INTERACTIONS} "
            "interactions between several users and items. Check --user/--item."
        )
    feedback = "explicit" if rating else "implicit"
    logger.info("interactions: %d rows kept of %d; %s", len(clean), n, "; ".join(notes))
    return Interactions(clean, feedback, user, item, value_column, time_column, tuple(notes))
