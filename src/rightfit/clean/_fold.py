"""Log entries for type coercions (now) and the repairs learned inside each CV fold."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from rightfit.clean._types import Change
from rightfit.data import Schema

logger = logging.getLogger(__name__)

# Mirrors models/preprocess.py, which groups labels seen in fewer rows than this in a fold.
RARE_MIN_FRACTION = 0.01
RARE_MIN_COUNT = 10
OUTLIER_IQR = 3.0


def rare_threshold(n_rows: int) -> int:
    """Labels seen in fewer rows than this are grouped (same rule as models/preprocess)."""
    return max(2, min(RARE_MIN_COUNT, int(RARE_MIN_FRACTION * n_rows)))


def coercion_changes(frame: pd.DataFrame, features: pd.DataFrame, schema: Schema) -> list[Change]:
    """What ``prepare_features`` does to values that do not fit the column's role."""
    changes = []
    for column in schema.columns:
        raw = frame[column.name]
        present = raw.notna().to_numpy()
        if column.role == "numeric" and not pd.api.types.is_numeric_dtype(raw.dtype):
            lost = present & np.isnan(features[column.name].to_numpy())
            changes.append(_coercion(column.name, raw, lost, "numbers", "text"))
        elif column.role == "boolean" and not pd.api.types.is_bool_dtype(raw.dtype):
            lost = present & np.isnan(features[column.name].to_numpy())
            shown = "/".join(sorted(map(str, raw.dropna().unique()[:3])))
            reason = f"{column.name}: labels {shown} converted to 1/0"
            if lost.any():
                reason += f"; {int(lost.sum())} other values will be treated as missing"
            changes.append(Change("coerce_type", (column.name,), int(lost.sum()), reason))
        elif column.role == "datetime" and not pd.api.types.is_datetime64_any_dtype(raw.dtype):
            lost = present & np.isnan(features[f"{column.name}__epoch_days"].to_numpy())
            change = _coercion(column.name, raw, lost, "dates", "text")
            changes.append(
                Change(
                    change.action,
                    change.columns,
                    change.rows_affected,
                    f"{change.reason}; expanded into {', '.join(column.parts)}",
                )
            )
        elif column.role == "categorical":
            lost = present & pd.isna(features[column.name].to_numpy())
            if lost.any():
                changes.append(
                    Change(
                        "coerce_type",
                        (column.name,),
                        int(lost.sum()),
                        f"{column.name}: {int(lost.sum())} empty or '?' labels will be "
                        "treated as missing",
                    )
                )
            if "mixed value types" in column.reason:
                changes.append(
                    Change(
                        "coerce_type",
                        (column.name,),
                        0,
                        f"{column.name}: values of mixed types are used as text labels",
                    )
                )
    return changes


def _coercion(name: str, raw: pd.Series, lost: np.ndarray, what: str, was: str) -> Change:
    n_lost = int(lost.sum())
    if not n_lost:
        return Change("coerce_type", (name,), 0, f"{name}: read as {was}; converted to {what}")
    examples = ", ".join(repr(v) for v in pd.unique(raw[lost].astype(str))[:3])
    return Change(
        "coerce_type",
        (name,),
        n_lost,
        f"{name}: {n_lost} values that are not {what} ({examples}) will be treated as missing",
    )


def fold_changes(features: pd.DataFrame, schema: Schema) -> list[Change]:
    """Imputation, rare-label grouping and clipping, as the model pipelines do them per fold."""
    n_rows = len(features)
    changes = []
    for column in schema.columns:
        if column.role in ("numeric", "boolean"):
            changes += _impute_numeric(column.name, features[column.name].to_numpy(), n_rows)
        elif column.role == "datetime":
            values = features[f"{column.name}__epoch_days"].to_numpy()
            changes += _impute_numeric(column.name, values, n_rows)
        elif column.role == "categorical":
            changes += _categorical(column.name, features[column.name], n_rows)
    clip = _clip_outliers(features, [c.name for c in schema.columns if c.role == "numeric"])
    return changes + clip


def _impute_numeric(name: str, values: np.ndarray, n_rows: int) -> list[Change]:
    n_missing = int(np.isnan(values).sum())
    if not n_missing:
        return []
    return [
        Change(
            "impute_missing",
            (name,),
            n_missing,
            f"{name}: {n_missing:,} missing values ({n_missing / max(1, n_rows):.1%}); tree "
            "models use them as they are, other models fill in the median of the training "
            "fold and add a missing-indicator column",
            "in_each_fold",
        )
    ]


def _categorical(name: str, labels: pd.Series, n_rows: int) -> list[Change]:
    changes = []
    n_missing = int(labels.isna().sum())
    if n_missing:
        changes.append(
            Change(
                "impute_missing",
                (name,),
                n_missing,
                f"{name}: {n_missing:,} missing labels ({n_missing / max(1, n_rows):.1%}) "
                "become their own '(missing)' level",
                "in_each_fold",
            )
        )
    counts = labels.value_counts()
    threshold = rare_threshold(n_rows)
    rare = counts[counts < threshold]
    if len(rare):
        changes.append(
            Change(
                "group_rare_categories",
                (name,),
                int(rare.sum()),
                f"{name}: {len(rare)} labels seen in fewer than {threshold} rows "
                f"({int(rare.sum()):,} rows) are grouped into one 'infrequent' level, "
                "decided on each training fold",
                "in_each_fold",
            )
        )
    return changes


def _clip_outliers(features: pd.DataFrame, names: list[str]) -> list[Change]:
    counts = {}
    any_far = np.zeros(len(features), dtype=bool)
    for name in names:
        values = features[name].to_numpy()
        if np.isnan(values).all():
            continue
        q1, q3 = np.nanpercentile(values, [25, 75])
        spread = OUTLIER_IQR * (q3 - q1)
        if spread <= 0:
            continue
        with np.errstate(invalid="ignore"):
            far = (values < q1 - spread) | (values > q3 + spread)
        if far.any():
            counts[name] = int(far.sum())
            any_far |= far
    if not counts:
        return []
    listed = ", ".join(f"{n} ({k:,})" for n, k in list(counts.items())[:10])
    more = f" and {len(counts) - 10} more" if len(counts) > 10 else ""
    return [
        Change(
            "clip_outliers",
            tuple(counts),
            int(any_far.sum()),
            "for outlier-sensitive models (linear, kNN, SVM) values outside the 1st-99th "
            "percentile of the training fold are clipped; far outliers (beyond 3 × IQR) in "
            f"{listed}{more}",
            "in_each_fold",
        )
    ]
