"""The data objects of the data stage: Task names, ColumnSchema, Schema and Table."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any, Literal

import pandas as pd

from rightfit.errors import ConfigError, did_you_mean

logger = logging.getLogger(__name__)

Task = str
TASKS: tuple[str, ...] = ("binary", "multiclass", "regression")
CLASSIFICATION_TASKS: tuple[str, ...] = ("binary", "multiclass")

ColumnRole = Literal[
    "numeric", "categorical", "boolean", "datetime", "text", "id", "constant", "empty", "excluded"
]
ROLES: tuple[str, ...] = (
    "numeric",
    "categorical",
    "boolean",
    "datetime",
    "text",
    "id",
    "constant",
    "empty",
    "excluded",
)
FEATURE_ROLES: tuple[str, ...] = ("numeric", "categorical", "boolean", "datetime")
# Model input: the tabular roles plus free text, which the models turn into TF-IDF (or Keras
# text) features inside each fold. Profiling statistics stay on FEATURE_ROLES.
INPUT_ROLES: tuple[str, ...] = (*FEATURE_ROLES, "text")


@dataclass(frozen=True)
class ColumnSchema:
    """One input column: its role for modelling and why that role was chosen.

    Examples
    --------
    >>> ColumnSchema("age", "numeric", "int64", "numeric: numbers (int64)").to_dict()["role"]
    'numeric'
    """

    name: str
    role: ColumnRole
    source_dtype: str
    reason: str
    parts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigError(
                f"Unknown column role {self.role!r} for column {self.name!r}."
                f"{did_you_mean(self.role, ROLES)} Use one of {', '.join(map(repr, ROLES))}."
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {
            "name": self.name,
            "role": self.role,
            "source_dtype": self.source_dtype,
            "reason": self.reason,
            "parts": list(self.parts),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ColumnSchema:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=str(d["name"]),
            role=d["role"],
            source_dtype=str(d["source_dtype"]),
            reason=str(d["reason"]),
            parts=tuple(d.get("parts", ())),
        )


@dataclass(frozen=True)
class Schema:
    """Every input column except the target, the target, the task and the class labels.

    The same schema is used at training and at predict time (see ``prepare_features``).

    Examples
    --------
    >>> s = Schema((ColumnSchema("x", "numeric", "float64", "numeric"),), "y", "regression", None)
    >>> s.feature_columns()
    ['x']
    """

    columns: tuple[ColumnSchema, ...]
    target: str | None
    task: str | None
    classes: tuple | None

    def feature_columns(self) -> list[str]:
        """Names of the columns used as model input (numeric/categorical/boolean/datetime/text)."""
        return [c.name for c in self.columns if c.role in INPUT_ROLES]

    def column(self, name: str) -> ColumnSchema:
        """The ColumnSchema of ``name``; ConfigError with a suggestion when it is unknown."""
        for column in self.columns:
            if column.name == name:
                return column
        names = [c.name for c in self.columns]
        raise ConfigError(f"Column {name!r} is not in the schema.{did_you_mean(name, names)}")

    def with_role(self, name: str, role: ColumnRole, reason: str) -> Schema:
        """A copy of the schema where column ``name`` has a new role and reason.

        Examples
        --------
        >>> s = Schema((ColumnSchema("x", "numeric", "float64", "numeric"),), None, None, None)
        >>> s.with_role("x", "excluded", "excluded: leak").column("x").role
        'excluded'
        """
        old = self.column(name)
        new = replace(old, role=role, reason=reason, parts=old.parts if role == "datetime" else ())
        columns = tuple(new if c.name == name else c for c in self.columns)
        return Schema(columns, self.target, self.task, self.classes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {
            "columns": [c.to_dict() for c in self.columns],
            "target": self.target,
            "task": self.task,
            "classes": None if self.classes is None else list(self.classes),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Schema:
        """Inverse of :meth:`to_dict`."""
        classes = d.get("classes")
        return cls(
            columns=tuple(ColumnSchema.from_dict(c) for c in d["columns"]),
            target=d.get("target"),
            task=d.get("task"),
            classes=None if classes is None else tuple(classes),
        )


@dataclass(frozen=True)
class Table:
    """A table as read, with where it came from and how it was decoded.

    Examples
    --------
    >>> table = Table(pd.DataFrame({"a": [1, 2]}), "<DataFrame>", "dataframe", None, None, "0")
    >>> table.frame.shape
    (2, 1)
    """

    frame: pd.DataFrame
    source: str
    format: str
    encoding: str | None
    delimiter: str | None
    fingerprint: str

    def to_dict(self) -> dict:
        """Where the data came from, for a bundle record (the frame itself is not included)."""
        return {
            "source": self.source,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sha256": self.fingerprint,
            "n_rows": len(self.frame),
            "n_columns": int(self.frame.shape[1]),
        }
