"""Data objects of the profile stage: Issue, ColumnProfile and Profile."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any, Literal

logger = logging.getLogger(__name__)

Severity = Literal["info", "warning", "critical"]
ISSUE_KINDS: tuple[str, ...] = (
    "missing",
    "duplicates",
    "outliers",
    "constant",
    "empty",
    "id_column",
    "text_column",
    "imbalance",
    "rare_class",
    "high_cardinality",
    "mixed_types",
    "leakage",
    "repeated_entity",
)


@dataclass(frozen=True)
class Issue:
    """One finding about the data, with the evidence and what to do about it.

    Examples
    --------
    >>> Issue("constant", ("country",), "info", "one value", "set aside").severity
    'info'
    """

    kind: str
    columns: tuple[str, ...]
    severity: Severity
    evidence: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {**asdict(self), "columns": list(self.columns)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Issue:
        """Inverse of :meth:`to_dict`."""
        return cls(d["kind"], tuple(d["columns"]), d["severity"], d["evidence"], d["suggestion"])


@dataclass(frozen=True)
class ColumnProfile:
    """Statistics of one input column, measured on the values the model would see.

    ``n_missing`` counts values that are missing after type conversion (e.g. ``' '`` in a
    numeric column). ``n_outliers`` counts far outliers: beyond 3 × IQR from the quartiles.

    Examples
    --------
    >>> ColumnProfile("x", "numeric", "float64", 0, 0.0, 3).top_values
    ()
    """

    name: str
    role: str
    dtype: str
    n_missing: int
    missing_share: float
    n_unique: int
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    median: float | None = None
    n_outliers: int | None = None
    top_values: tuple[tuple[str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {**asdict(self), "top_values": [list(v) for v in self.top_values]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ColumnProfile:
        """Inverse of :meth:`to_dict`."""
        top = tuple((str(v), int(k)) for v, k in d.get("top_values", ()))
        return cls(**{**d, "top_values": top})


@dataclass(frozen=True)
class Profile:
    """What the data looks like and what is wrong with it, before any model is trained.

    Examples
    --------
    >>> p = Profile(3, 1, 0, (), None, None, None, None, (), ())
    >>> p.summary_lines()[0]
    '3 rows × 1 columns'
    """

    n_rows: int
    n_columns: int
    n_duplicate_rows: int
    columns: tuple[ColumnProfile, ...]
    target: str | None
    task: str | None
    class_counts: tuple[tuple[str, int], ...] | None
    target_summary: dict | None
    issues: tuple[Issue, ...]
    leakage_suspects: tuple[str, ...]
    # The repeated rows are what chance gives with few values per column: kept, not dropped.
    duplicates_by_chance: bool = False

    def column(self, name: str) -> ColumnProfile | None:
        """The profile of column ``name``, or None."""
        return next((c for c in self.columns if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {
            "n_rows": self.n_rows,
            "n_columns": self.n_columns,
            "n_duplicate_rows": self.n_duplicate_rows,
            "columns": [c.to_dict() for c in self.columns],
            "target": self.target,
            "task": self.task,
            "class_counts": None
            if self.class_counts is None
            else [list(c) for c in self.class_counts],
            "target_summary": self.target_summary,
            "issues": [i.to_dict() for i in self.issues],
            "leakage_suspects": list(self.leakage_suspects),
            "duplicates_by_chance": self.duplicates_by_chance,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Profile:
        """Inverse of :meth:`to_dict`."""
        counts = d.get("class_counts")
        return cls(
            n_rows=int(d["n_rows"]),
            n_columns=int(d["n_columns"]),
            n_duplicate_rows=int(d["n_duplicate_rows"]),
            columns=tuple(ColumnProfile.from_dict(c) for c in d["columns"]),
            target=d.get("target"),
            task=d.get("task"),
            class_counts=None if counts is None else tuple((str(a), int(b)) for a, b in counts),
            target_summary=d.get("target_summary"),
            issues=tuple(Issue.from_dict(i) for i in d["issues"]),
            leakage_suspects=tuple(d.get("leakage_suspects", ())),
            duplicates_by_chance=bool(d.get("duplicates_by_chance", False)),
        )

    def summary_lines(self) -> list[str]:
        """Human-readable lines for a terminal: shape, roles, missing, duplicates, issues."""
        head = f"{self.n_rows:,} rows × {self.n_columns} columns"
        if self.target is not None:
            head += f" (target {self.target!r}, {self.task})"
        lines = [head]
        if self.columns:
            roles: dict[str, int] = {}
            for column in self.columns:
                roles[column.role] = roles.get(column.role, 0) + 1
            lines.append("Columns: " + ", ".join(f"{n} {role}" for role, n in roles.items()))
            with_missing = [c for c in self.columns if c.n_missing]
            cells = sum(c.n_missing for c in self.columns)
            share = cells / max(1, self.n_rows * len(self.columns))
            lines.append(
                f"Missing values: {len(with_missing)} columns, {cells:,} cells ({share:.1%})"
            )
        lines.append(
            f"Duplicate rows: {self.n_duplicate_rows:,} "
            f"({self.n_duplicate_rows / max(1, self.n_rows):.1%})"
            + (", as often as chance gives: kept" if self.duplicates_by_chance else "")
        )
        if self.class_counts:
            total = sum(n for _, n in self.class_counts) or 1
            shown = ", ".join(f"{c} {n / total:.1%}" for c, n in self.class_counts[:10])
            lines.append(f"Classes: {shown}")
        if self.target_summary:
            s = self.target_summary
            lines.append(
                f"Target: mean {s['mean']:.4g}, std {s['std']:.4g}, "
                f"min {s['min']:.4g}, max {s['max']:.4g}"
            )
        for issue in self.issues:
            lines.append(f"[{issue.severity}] {issue.kind}: {issue.evidence} → {issue.suggestion}")
        return lines
