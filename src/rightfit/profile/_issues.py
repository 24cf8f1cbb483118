"""The issue rules: one small function per kind of finding."""

from __future__ import annotations

import logging

import pandas as pd

from rightfit.data import ColumnSchema, Schema
from rightfit.profile._entities import repeated_entity_issue
from rightfit.profile._repeats import RepeatCheck
from rightfit.profile._types import ColumnProfile, Issue

logger = logging.getLogger(__name__)

MISSING_WARNING_SHARE = 0.05
MISSING_MOST_SHARE = 0.5
# The smallest class's share of rows, for two classes; with more, the same fraction of an even
# split (1/K): ten balanced classes of 10 % each are not imbalanced.
IMBALANCE_WARNING = 0.20
IMBALANCE_CRITICAL = 0.05
RARE_CLASS_ROWS = 10
HIGH_CARDINALITY_LEVELS = 50
HIGH_CARDINALITY_SHARE = 0.5
DUPLICATE_WARNING_SHARE = 0.01

_SET_ASIDE = {
    "id": ("id_column", "a row identifier carries no signal that generalises"),
    "constant": ("constant", "a column with one value cannot help a model"),
    "empty": ("empty", "a column with no values cannot help a model"),
}


def column_issues(
    schema: ColumnSchema, column: ColumnProfile, raw: pd.Series, n_rows: int
) -> list[Issue]:
    """Issues about one column: missing values, set-aside roles, mixed types, cardinality."""
    issues = []
    name = column.name
    if schema.role == "text":
        issues.append(
            Issue(
                "text_column",
                (name,),
                "info",
                f"{name!r}: {schema.reason}",
                "used through TF-IDF features (text_tfidf, keras_text; SVD components for trees)",
            )
        )
        return issues
    if schema.role in _SET_ASIDE:
        kind, why = _SET_ASIDE[schema.role]
        issues.append(
            Issue(
                kind,
                (name,),
                "info",
                f"{name!r}: {schema.reason}",
                f"set aside, not used for training ({why}); pass keep=[{name!r}] to use it",
            )
        )
        return issues
    n_invalid = column.n_missing - int(raw.isna().sum())
    if schema.role == "numeric" and not pd.api.types.is_numeric_dtype(raw.dtype) and n_invalid:
        issues.append(
            Issue(
                "mixed_types",
                (name,),
                "warning",
                f"{name!r} holds numbers stored as text; {n_invalid} values are not numbers "
                f"({_examples(raw)})",
                "they will be treated as missing; fix them at the source if they mean something",
            )
        )
    elif "mixed value types" in schema.reason:
        issues.append(
            Issue(
                "mixed_types",
                (name,),
                "warning",
                f"{name!r}: {schema.reason}",
                "values are compared as text labels (1 and '1' are the same level); "
                "make the column one type at the source",
            )
        )
    if column.n_missing:
        share = column.missing_share
        if schema.role == "categorical":
            suggestion = "treated as its own '(missing)' level, learned inside each CV fold"
        else:
            suggestion = (
                "tree models use missing values as they are; other models fill in the median "
                "of each training fold and add a missing-indicator column"
            )
        if share >= MISSING_MOST_SHARE:
            suggestion += "; with most values missing, check whether the column is worth keeping"
        issues.append(
            Issue(
                "missing",
                (name,),
                "warning" if share >= MISSING_WARNING_SHARE else "info",
                f"{name!r} is missing in {column.n_missing:,} of {n_rows:,} rows ({share:.1%})",
                suggestion,
            )
        )
    if schema.role == "categorical":
        levels = column.n_unique
        if levels > HIGH_CARDINALITY_LEVELS or (
            levels > 10 and levels / max(1, n_rows) > HIGH_CARDINALITY_SHARE
        ):
            issues.append(
                Issue(
                    "high_cardinality",
                    (name,),
                    "warning",
                    f"{name!r} has {levels:,} distinct labels in {n_rows:,} rows",
                    "rare labels are grouped inside each fold; if the labels are names or "
                    "codes of single records, exclude the column",
                )
            )
    entity = repeated_entity_issue(name, schema.role, raw)
    if entity is not None:
        issues.append(entity)
    return issues


def _examples(raw: pd.Series) -> str:
    unique = pd.Series(raw.dropna().astype(str).unique()[:2000], dtype=object)
    bad = unique[pd.to_numeric(unique.str.strip(), errors="coerce").isna()]
    return ", ".join(repr(v) for v in bad.iloc[:3])


def dataset_issues(
    n_rows: int,
    n_duplicates: int,
    repeats: RepeatCheck | None,
    columns: tuple[ColumnProfile, ...],
    schema: Schema,
    class_counts: tuple[tuple[str, int], ...] | None,
) -> list[Issue]:
    """Issues about the whole table: duplicates, outliers, class balance."""
    issues = []
    share = n_duplicates / max(1, n_rows)
    if n_duplicates and repeats is not None and repeats.by_chance:
        issues.append(
            Issue(
                "duplicates",
                (),
                "info",
                f"{n_duplicates:,} rows ({share:.1%}) repeat an earlier row exactly, about as "
                "often as chance gives with these columns' few values (two random rows match "
                f"with probability {repeats.observed:.2g}; {repeats.chance:.2g} if the columns "
                "were independent)",
                "kept: they are different records that look alike, and their counts carry the "
                "frequencies a model learns from",
            )
        )
    elif n_duplicates:
        issues.append(
            Issue(
                "duplicates",
                (),
                "warning" if share >= DUPLICATE_WARNING_SHARE else "info",
                f"{n_duplicates:,} rows ({share:.1%}) are exact copies of an earlier row",
                "removed before splitting (first copy kept), so copies cannot sit on both "
                "sides of the blind-test split",
            )
        )
    with_outliers = [c for c in columns if c.n_outliers]
    if with_outliers:
        listed = ", ".join(f"{c.name!r} ({c.n_outliers:,})" for c in with_outliers[:10])
        more = f" and {len(with_outliers) - 10} more" if len(with_outliers) > 10 else ""
        issues.append(
            Issue(
                "outliers",
                tuple(c.name for c in with_outliers),
                "info",
                f"far outliers (beyond 3 × IQR from the quartiles) in {listed}{more}",
                "tree models are unaffected; for linear, kNN and SVM models values are clipped "
                "to the 1st-99th percentile inside each fold",
            )
        )
    if class_counts:
        issues.extend(_class_issues(class_counts, schema.target))
    return issues


def _share(share: float) -> str:
    return f"{share:.2%}" if share < 0.01 else f"{share:.1%}"


def imbalance_severity(minority_share: float, n_classes: int) -> str | None:
    """The severity of an imbalance ("critical", "warning") or None, from the smallest
    class's share of rows.

    The thresholds are shares for two classes; with more, the same fraction of an even split.
    """
    of_even = minority_share * n_classes / 2  # 1.0 for a 50/50 binary split
    if of_even < IMBALANCE_CRITICAL:
        return "critical"
    return "warning" if of_even < IMBALANCE_WARNING else None


def _class_issues(class_counts: tuple[tuple[str, int], ...], target: str | None) -> list[Issue]:
    issues = []
    total = sum(n for _, n in class_counts)
    label, smallest = min(class_counts, key=lambda c: c[1])
    share = smallest / max(1, total)
    k = len(class_counts)
    severity = imbalance_severity(share, k)
    if severity is not None:
        even = f"; an even split gives each of the {k} classes {_share(1 / k)}" if k > 2 else ""
        issues.append(
            Issue(
                "imbalance",
                (target,) if target else (),
                severity,
                f"the smallest class {label!r} is {_share(share)} of rows "
                f"({smallest:,} of {total:,}{even})",
                "judge models by PR AUC or F1 rather than accuracy and consider class weights; "
                "splits are stratified so every fold keeps the minority class",
            )
        )
    for label, count in class_counts:
        if count < RARE_CLASS_ROWS:
            issues.append(
                Issue(
                    "rare_class",
                    (target,) if target else (),
                    "warning",
                    f"class {label!r} has only {count} rows",
                    "cross-validation folds may miss it; merge it with a similar class or "
                    "collect more rows",
                )
            )
    return issues
