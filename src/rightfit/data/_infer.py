"""Task and schema inference: what to predict, and the role of every input column."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from rightfit.data._roles import guess_role, is_string_like, plain_value
from rightfit.data._schema import CLASSIFICATION_TASKS, TASKS, ColumnSchema, Schema
from rightfit.errors import ConfigError, TargetError, did_you_mean

logger = logging.getLogger(__name__)

MAX_MULTICLASS_LEVELS = 20
FEW_LEVELS = 10
LEVELS_PER_ROW = 0.05
# Integer targets with more levels are class codes only when they look like codes
# (_looks_like_codes): every value from 0 or 1 up, each on a fair share of the rows.
MAX_CODES = 5 * MAX_MULTICLASS_LEVELS
MIN_ROWS_PER_CODE = 5
MIN_CODE_SHARE = 0.2


def infer_task(y: pd.Series, task: str | None = None) -> str:
    """Validate an explicit task, or infer one from the target values.

    Text, boolean and category targets are classification (binary for two labels). A numeric
    target is binary with two values, multiclass when it holds at most 20 integer values that
    are few for the number of rows (< 5% of rows, or at most 10) or when its integers look like
    class codes (up to 100 of them, every value from 0 or 1 up used, each on at least a fifth
    of an even share of the rows), otherwise regression. Whole numbers stored as decimals (a
    float column without gaps, a CSV that writes ``3.0``) are quantities, so regression: pass
    ``task="multiclass"`` when they are class codes.

    Parameters
    ----------
    y : pandas.Series
        The target column; its name is used in messages.
    task : {"binary", "multiclass", "regression"} or None
        ``None`` infers the task.

    Returns
    -------
    str
        One of ``TASKS``.

    Examples
    --------
    >>> infer_task(pd.Series(["yes", "no", "yes"], name="churn"))
    'binary'
    >>> infer_task(pd.Series([1.5, 2.25, 3.0, 7.5], name="price"))
    'regression'
    """
    name = y.name
    if task is not None and task not in TASKS:
        raise ConfigError(
            f"Unknown task {task!r}.{did_you_mean(str(task), TASKS)} "
            f"Use one of {', '.join(map(repr, TASKS))}, or leave task=None to infer it."
        )
    values = _labelled(y)
    if len(values) == 0:
        raise TargetError(
            f"Target column {name!r} is empty in all {len(y)} rows. "
            "Choose the column that holds the labels, or fill it in before training."
        )
    numbers = _as_numbers(values)
    n_unique = values.nunique()
    if task == "regression":
        if numbers is None:
            examples = ", ".join(map(repr, values.astype(str).unique()[:3]))
            raise TargetError(
                f"Target column {name!r} is not numeric (values like {examples}), so "
                "task='regression' cannot use it. Use task='binary' or task='multiclass', "
                "or choose a numeric target."
            )
        return task
    if n_unique < 2:
        only = values.iloc[0]
        raise TargetError(
            f"Target column {name!r} has a single class ({plain_value(only)!r}) in {len(values)} "
            "rows. A classifier needs at least two. Check the filter that produced this file, "
            "or choose another target column."
        )
    if task == "binary" and n_unique > 2:
        raise TargetError(
            f"Target column {name!r} has {n_unique} classes, but task='binary' needs exactly "
            "two. Use task='multiclass', or map the labels to two classes first."
        )
    if task is not None:
        return task
    inferred, why = _auto_task(y, numbers, n_unique, len(values))
    logger.info("task for target %r: %s (%s)", name, inferred, why)
    return inferred


def task_reason(y: pd.Series) -> str:
    """Why ``infer_task(y)`` chose its task, in plain words (for the run's profile line).

    Examples
    --------
    >>> task_reason(pd.Series([1.5, 2.25, 3.0, 7.5], name="price"))
    'numeric with 4 distinct values'
    """
    values = _labelled(y)
    return _auto_task(y, _as_numbers(values), values.nunique(), len(values))[1]


def _auto_task(y: pd.Series, numbers: pd.Series | None, n_unique: int, n: int) -> tuple[str, str]:
    if pd.api.types.is_bool_dtype(y.dtype) or (is_string_like(y) and numbers is None):
        if n_unique == 2:
            return "binary", "two labels"
        return "multiclass", f"{n_unique} labels"
    if n_unique == 2:
        return "binary", "two distinct values"
    integer_valued = bool(np.all(np.mod(numbers.to_numpy(dtype=float), 1) == 0))
    if integer_valued and _stored_as_decimals(y):
        # A producer who writes 3.0 rather than 3 stored a quantity, not a class code: a
        # count or a score whose mean is the useful prediction. A float column with gaps
        # is no such signal (pandas turns integer labels with a missing value into floats).
        return "regression", (
            f"{n_unique} whole numbers stored as decimals, read as amounts; "
            "--task multiclass if they are class codes"
        )
    few = n_unique / n < LEVELS_PER_ROW or n_unique <= FEW_LEVELS
    if integer_valued and n_unique <= MAX_MULTICLASS_LEVELS and few:
        return "multiclass", (
            f"{n_unique} distinct integer values, read as class codes; "
            "--task regression if they are amounts"
        )
    if integer_valued and _looks_like_codes(numbers, n_unique, n):
        low = int(numbers.min())
        return "multiclass", (
            f"{n_unique} integer values {low}..{low + n_unique - 1}, every one used and none "
            "rare, read as class codes; --task regression if they are amounts"
        )
    if integer_valued and n_unique <= MAX_MULTICLASS_LEVELS:
        return "regression", (
            f"{n_unique} distinct integer values, too many for {n:,} rows to be class codes; "
            "--task multiclass if they are"
        )
    if integer_valued and n_unique <= MAX_CODES:
        return "regression", (
            f"{n_unique} distinct integer values with gaps or rare values, as amounts have; "
            "--task multiclass if they are class codes"
        )
    return "regression", f"numeric with {n_unique} distinct values"


def _looks_like_codes(numbers: pd.Series, n_unique: int, n: int) -> bool:
    """True for integers that run 0..k-1 or 1..k with none of them rare: how class codes look.

    A dataset that numbers its classes (26 letters as 1..26, 40 speakers as 0..39) uses every
    code, and a curated one gives each a fair share of rows. Counts, ages and scores have
    tails: a value at the edge of their range is seen far less often than the typical one.
    """
    if n_unique > MAX_CODES or n < MIN_ROWS_PER_CODE * n_unique:
        return False
    counts = numbers.value_counts()
    low, high = float(counts.index.min()), float(counts.index.max())
    if low not in (0.0, 1.0) or high - low + 1 != n_unique:
        return False
    return bool(counts.min() >= MIN_CODE_SHARE * n / n_unique)


def _labelled(y: pd.Series) -> pd.Series:
    """The target's values without missing ones (blank or "?" text counts as missing)."""
    values = y.dropna()
    if is_string_like(y):
        values = values[~values.astype(str).str.strip().isin(["", "?"])]
    return values


def _stored_as_decimals(y: pd.Series) -> bool:
    """True for a float column without missing values (a CSV that writes ``3.0``)."""
    return pd.api.types.is_float_dtype(y.dtype) and not bool(y.isna().any())


def _as_numbers(values: pd.Series) -> pd.Series | None:
    """The values as float64 when they are numbers (or all parse as numbers), else None."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return None
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64")
    numbers = pd.to_numeric(values.astype(str).str.strip(), errors="coerce")
    return numbers.astype("float64") if numbers.notna().all() else None


def infer_schema(frame: pd.DataFrame, target: str | None, task: str | None = None) -> Schema:
    """Infer the task, the class labels and the role of every input column.

    Each column gets one role (numeric, categorical, boolean, datetime, text, id, constant,
    empty) and a plain-words reason. Only numeric, categorical, boolean and datetime columns
    are model input (``Schema.feature_columns()``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The training data, target included.
    target : str or None
        Name of the target column; ``None`` for data without labels.
    task : str or None
        Explicit task, or ``None`` to infer it from the target.

    Returns
    -------
    Schema

    Examples
    --------
    >>> frame = pd.DataFrame({"age": [31, 45, 27, 50], "plan": ["a", "b", "a", "b"],
    ...                       "churn": ["yes", "no", "no", "yes"]})
    >>> schema = infer_schema(frame, target="churn")
    >>> schema.task, schema.classes, schema.feature_columns()
    ('binary', ('no', 'yes'), ['age', 'plan'])
    """
    names = [str(c) for c in frame.columns]
    if target is not None and target not in names:
        shown = ", ".join(map(repr, names[:20])) + (
            f" and {len(names) - 20} more" if len(names) > 20 else ""
        )
        raise TargetError(
            f"Target column {target!r} is not in the data.{did_you_mean(target, names)} "
            f"Available columns: {shown}. Pass one of them as target."
        )
    if target is None and task is not None:
        raise ConfigError(
            f"task={task!r} needs a target column. Pass target='<label column>', or leave "
            "task=None for data without labels."
        )
    frame = frame.set_axis(names, axis=1) if list(frame.columns) != names else frame
    classes = None
    if target is not None:
        task = infer_task(frame[target], task)
        if task in CLASSIFICATION_TASKS:
            classes = class_labels(frame[target])
    columns = []
    for name in names:
        if name == target:
            continue
        guess = guess_role(frame[name], name)
        columns.append(
            ColumnSchema(name, guess.role, str(frame[name].dtype), guess.reason, guess.parts)  # type: ignore[arg-type]
        )
        logger.debug("column %r: %s", name, guess.reason)
    return Schema(tuple(columns), target, task, classes)


def class_labels(y: pd.Series) -> tuple:
    """Sorted unique labels as plain python scalars (integer-valued floats become ints)."""
    values = _labelled(y)
    if pd.api.types.is_bool_dtype(values.dtype):
        return tuple(sorted(bool(v) for v in values.unique()))
    if pd.api.types.is_numeric_dtype(values.dtype):
        unique = np.unique(values.to_numpy(dtype=float))
        if np.all(np.mod(unique, 1) == 0):
            return tuple(int(v) for v in unique)
        return tuple(float(v) for v in unique)
    return tuple(sorted({str(v) for v in values.unique()}))
