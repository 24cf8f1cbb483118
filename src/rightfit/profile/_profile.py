"""profile_table: column statistics and the issues a careful analyst would flag."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from rightfit.data import FEATURE_ROLES, Schema, prepare_features, read_target
from rightfit.profile._issues import column_issues, dataset_issues
from rightfit.profile._leakage import screen_leakage
from rightfit.profile._repeats import check_repeats
from rightfit.profile._types import ColumnProfile, Issue, Profile

logger = logging.getLogger(__name__)

OUTLIER_IQR = 3.0
TOP_VALUES = 5


def profile_table(
    frame: pd.DataFrame,
    schema: Schema,
    random_state: int = 0,
    max_leakage_seconds: float | None = None,
) -> Profile:
    """Describe the data and list its issues (missing, duplicates, leakage, imbalance...).

    Statistics are measured on the values a model would see (after ``prepare_features``), so
    ``' '`` in a numeric column counts as missing. Leakage is screened by scoring each feature
    column alone against the target (3-fold CV on at most 20,000 sampled rows, fewer on wide
    tables).

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw training rows, target included.
    schema : Schema
        From ``rightfit.data.infer_schema``.
    random_state : int, default=0
        Seed of the leakage screen's sampling and folds.
    max_leakage_seconds : float or None
        Time for the leakage screen (a share of a run's budget); columns it does not reach are
        named in an info issue. ``None`` screens every column.

    Returns
    -------
    Profile

    Examples
    --------
    >>> from rightfit.data import infer_schema
    >>> frame = pd.DataFrame({"x": range(40), "y": ["a", "b"] * 20})
    >>> profile = profile_table(frame, infer_schema(frame, "y"))
    >>> profile.n_rows, profile.class_counts
    (40, (('a', 20), ('b', 20)))
    """
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    n_rows = len(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        features = prepare_features(frame, schema)
    n_duplicates = int(frame.duplicated().sum())
    repeats = check_repeats(frame) if n_duplicates else None
    columns = tuple(_column_profile(frame[c.name], c, features) for c in schema.columns)
    issues: list[Issue] = []
    for column_schema, column in zip(schema.columns, columns, strict=True):
        issues.extend(column_issues(column_schema, column, frame[column_schema.name], n_rows))
    y = read_target(frame, schema) if schema.target is not None else None
    class_counts, target_summary = _target_stats(y, schema)
    issues.extend(dataset_issues(n_rows, n_duplicates, repeats, columns, schema, class_counts))
    suspects: list[str] = []
    if y is not None and n_rows >= 3 * 2:
        inputs = _leakage_inputs(schema, features)
        scores, unscreened = screen_leakage(
            inputs, y, schema.task, random_state, max_leakage_seconds
        )
        if unscreened:
            issues.append(_unscreened_issue(list(inputs)[-unscreened:], max_leakage_seconds))
        for score in scores:
            if score.suspect:
                suspects.append(score.column)
                issues.append(_leakage_issue(score, schema.target))
                logger.info("leakage suspect %r: %s %.4f", score.column, score.metric, score.score)
    profile = Profile(
        n_rows=n_rows,
        n_columns=frame.shape[1],
        n_duplicate_rows=n_duplicates,
        columns=columns,
        target=schema.target,
        task=schema.task,
        class_counts=class_counts,
        target_summary=target_summary,
        issues=tuple(issues),
        leakage_suspects=tuple(suspects),
        duplicates_by_chance=repeats is not None and repeats.by_chance,
    )
    logger.info("profiled %d rows × %d columns: %d issues", n_rows, frame.shape[1], len(issues))
    return profile


def _column_profile(raw: pd.Series, column, features: pd.DataFrame) -> ColumnProfile:
    n_rows = max(1, len(raw))
    if column.role in ("numeric", "boolean"):
        values = features[column.name].to_numpy()
        return _numeric_profile(column, values, n_rows, outliers=column.role == "numeric")
    if column.role == "categorical":
        labels = pd.Series(features[column.name].to_numpy(), dtype=object)
        counts = labels.value_counts()
        n_missing = int(labels.isna().sum())
        top = tuple((str(v), int(k)) for v, k in counts.iloc[:TOP_VALUES].items())
        return ColumnProfile(
            column.name,
            column.role,
            column.source_dtype,
            n_missing,
            n_missing / n_rows,
            len(counts),
            top_values=top,
        )
    if column.role == "datetime":
        n_missing = int(np.isnan(features[f"{column.name}__epoch_days"].to_numpy()).sum())
    else:
        n_missing = int(raw.isna().sum())
    return ColumnProfile(
        column.name,
        column.role,
        column.source_dtype,
        n_missing,
        n_missing / n_rows,
        int(raw.nunique()),
    )


def _numeric_profile(column, values: np.ndarray, n_rows: int, outliers: bool) -> ColumnProfile:
    present = values[~np.isnan(values)]
    n_missing = len(values) - len(present)
    if len(present) == 0:
        return ColumnProfile(column.name, column.role, column.source_dtype, n_missing, 1.0, 0)
    q1, median, q3 = np.percentile(present, [25, 50, 75])
    n_outliers = None
    if outliers:
        spread = OUTLIER_IQR * (q3 - q1)
        far = (present < q1 - spread) | (present > q3 + spread)
        n_outliers = int(far.sum()) if spread > 0 else 0
    return ColumnProfile(
        column.name,
        column.role,
        column.source_dtype,
        n_missing,
        n_missing / n_rows,
        len(np.unique(present)),
        mean=float(present.mean()),
        std=float(present.std(ddof=1)) if len(present) > 1 else 0.0,
        min=float(present.min()),
        max=float(present.max()),
        median=float(median),
        n_outliers=n_outliers,
    )


def _target_stats(y: pd.Series | None, schema: Schema):
    if y is None:
        return None, None
    if schema.task == "regression":
        values = y.dropna().to_numpy(dtype=float)
        if len(values) == 0:
            return None, None
        summary = {
            "mean": float(values.mean()),
            "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "min": float(values.min()),
            "max": float(values.max()),
        }
        return None, summary
    counts = y.value_counts(dropna=True)
    ordered = [(c, int(counts.get(c, 0))) for c in schema.classes or ()]
    if sum(n for _, n in ordered) != int(counts.sum()):  # labels that do not compare equal
        ordered = [(c, int(n)) for c, n in counts.items()]
    return tuple((str(c), n) for c, n in ordered), None


def _leakage_inputs(schema: Schema, features: pd.DataFrame) -> dict[str, tuple[str, np.ndarray]]:
    inputs = {}
    for column in schema.columns:
        if column.role not in FEATURE_ROLES:
            continue
        if column.role == "datetime":
            inputs[column.name] = ("numeric", features[f"{column.name}__epoch_days"].to_numpy())
        elif column.role == "categorical":
            inputs[column.name] = ("categorical", features[column.name].to_numpy())
        else:
            inputs[column.name] = ("numeric", features[column.name].to_numpy())
    return inputs


def _unscreened_issue(columns: list[str], seconds: float | None) -> Issue:
    shown = ", ".join(map(repr, columns[:5])) + (
        f" and {len(columns) - 5:,} more" if len(columns) > 5 else ""
    )
    return Issue(
        "leakage",
        (),  # no column is a suspect: the cleaner excludes the columns of leakage issues
        "info",
        f"the leakage screen used its {seconds or 0:.0f} s before reaching {len(columns):,} "
        f"columns ({shown}); they were not checked for leakage",
        "a larger --time-budget screens every column; check these by hand if any could be "
        "recorded after the outcome",
    )


def _leakage_issue(score, target: str) -> Issue:
    shown = f"{score.score:.3f}" if score.metric != "accuracy" else f"{score.score:.1%}"
    return Issue(
        "leakage",
        (score.column,),
        "critical",
        f"{score.column!r} alone predicts {target!r} with {score.metric} {shown} in "
        f"{3}-fold CV on {score.n_rows:,} rows; a single column this predictive usually "
        "records the outcome itself",
        f"excluded from training; pass keep=[{score.column!r}] / --keep {score.column} if it "
        "is known at prediction time",
    )
