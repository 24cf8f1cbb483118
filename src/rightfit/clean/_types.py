"""Data objects of the clean stage: Change, CleaningLog and Cleaned."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from rightfit.data import Schema

logger = logging.getLogger(__name__)

When = Literal["now", "in_each_fold"]


@dataclass(frozen=True)
class Change:
    """One repair: what was done, to which columns, how many rows, and why.

    ``when="now"`` changes are applied once before splitting; ``when="in_each_fold"`` changes
    are learned by the model pipelines inside each CV fold and only described here.

    Examples
    --------
    >>> Change("drop_duplicate_rows", (), 3, "exact copies").when
    'now'
    """

    action: str
    columns: tuple[str, ...]
    rows_affected: int
    reason: str
    when: When = "now"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {
            "action": self.action,
            "columns": list(self.columns),
            "rows_affected": self.rows_affected,
            "reason": self.reason,
            "when": self.when,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Change:
        """Inverse of :meth:`to_dict`."""
        return cls(
            d["action"], tuple(d["columns"]), int(d["rows_affected"]), d["reason"], d["when"]
        )


@dataclass(frozen=True)
class CleaningLog:
    """The ordered list of changes made (or planned per fold) by ``clean_table``.

    Examples
    --------
    >>> CleaningLog((Change("drop_duplicate_rows", (), 3, "exact copies"),)).lines()
    ['[now] drop_duplicate_rows (3 rows): exact copies']
    """

    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {"changes": [c.to_dict() for c in self.changes]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CleaningLog:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(Change.from_dict(c) for c in d["changes"]))

    def lines(self) -> list[str]:
        """One human-readable line per change."""
        lines = []
        for change in self.changes:
            rows = f" ({change.rows_affected:,} rows)" if change.rows_affected else ""
            lines.append(f"[{change.when}] {change.action}{rows}: {change.reason}")
        return lines


@dataclass(frozen=True)
class Cleaned:
    """The cleaned raw frame, the schema with set-aside columns marked, and the log."""

    frame: pd.DataFrame
    schema: Schema
    log: CleaningLog
