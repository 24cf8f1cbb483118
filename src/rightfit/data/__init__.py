"""Loading data and describing it: read_table, Schema, task inference, prepare_features."""

from __future__ import annotations

from rightfit.data._features import prepare_features, read_target
from rightfit.data._infer import infer_schema, infer_task, task_reason
from rightfit.data._read import read_table
from rightfit.data._schema import (
    FEATURE_ROLES,
    INPUT_ROLES,
    ROLES,
    TASKS,
    ColumnRole,
    ColumnSchema,
    Schema,
    Table,
    Task,
)

__all__ = [
    "FEATURE_ROLES",
    "INPUT_ROLES",
    "ROLES",
    "TASKS",
    "ColumnRole",
    "ColumnSchema",
    "Schema",
    "Table",
    "Task",
    "infer_schema",
    "infer_task",
    "prepare_features",
    "read_table",
    "read_target",
    "task_reason",
]
