"""clean_table: the repairs that learn nothing from the data, each one logged."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import pandas as pd

from rightfit.clean._fold import coercion_changes, fold_changes
from rightfit.clean._types import Change, Cleaned, CleaningLog
from rightfit.data import FEATURE_ROLES, Schema, prepare_features, read_target
from rightfit.errors import ConfigError, did_you_mean
from rightfit.profile import Profile

logger = logging.getLogger(__name__)

SET_ASIDE_ROLES = ("id", "constant", "empty")


def clean_table(
    frame: pd.DataFrame, schema: Schema, profile: Profile, keep_columns: Sequence[str] = ()
) -> Cleaned:
    """Drop unlabeled and duplicate rows, set aside unusable columns, and log every change.

    Exact repeats are dropped as copies unless the profile found them about as frequent as
    chance makes them when every column takes few values (``Profile.duplicates_by_chance``):
    then they are separate records and stay.

    Nothing here learns statistics a model uses: imputation, rare-label grouping and clipping
    happen inside each CV fold (``models/preprocess``); they are listed in the log with
    ``when="in_each_fold"`` so the report can show them. No column is removed from the frame;
    set-aside columns keep their role (id, constant, empty) or become ``"excluded"``
    (leakage suspects) in the returned schema. Free-text columns are model input: the models
    turn them into TF-IDF features inside each fold, which the log lists.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw rows, target included.
    schema : Schema
        From ``rightfit.data.infer_schema``.
    profile : Profile
        From ``rightfit.profile.profile_table`` on the same frame.
    keep_columns : sequence of str
        Columns to use although they look like ids, constants or leaks.

    Returns
    -------
    Cleaned
        ``frame`` (raw columns, index reset), ``schema`` and ``log``.

    Examples
    --------
    >>> from rightfit.data import infer_schema
    >>> from rightfit.profile import profile_table
    >>> rows = pd.DataFrame({"x": [0.5 * i for i in range(40)], "y": ["a", "b"] * 20})
    >>> frame = pd.concat([rows, rows.iloc[:3]], ignore_index=True)  # three rows entered twice
    >>> schema = infer_schema(frame, "y")
    >>> cleaned = clean_table(frame, schema, profile_table(frame, schema))
    >>> len(cleaned.frame), cleaned.log.changes[0].action
    (40, 'drop_duplicate_rows')
    """
    keep = _check_keep(keep_columns, schema)
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    frame = frame.reset_index(drop=True)
    changes: list[Change] = []
    if schema.target is not None:
        frame = _drop_missing_target(frame, schema, changes)
    if not profile.duplicates_by_chance:
        frame = _drop_duplicates(frame, changes)
    schema = _set_aside_columns(schema, profile, keep, changes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        features = prepare_features(frame, schema)
    changes += coercion_changes(frame, features, schema)
    changes += fold_changes(features, schema)
    for change in changes:
        if change.when == "now":
            logger.info("%s: %s", change.action, change.reason)
    return Cleaned(frame, schema, CleaningLog(tuple(changes)))


def _check_keep(keep_columns: Sequence[str], schema: Schema) -> set[str]:
    if isinstance(keep_columns, str):
        keep_columns = [keep_columns]
    names = [c.name for c in schema.columns]
    for name in keep_columns:
        if name == schema.target:
            raise ConfigError(
                f"keep_columns names {name!r}, which is the target. "
                "keep_columns lists input columns to keep; remove the target from it."
            )
        if name not in names:
            shown = ", ".join(map(repr, names[:20])) + (" ..." if len(names) > 20 else "")
            raise ConfigError(
                f"keep_columns names {name!r}, which is not a column of the data."
                f"{did_you_mean(name, names)} Columns: {shown}."
            )
    return set(keep_columns)


def _drop_missing_target(frame: pd.DataFrame, schema: Schema, changes: list[Change]):
    missing = read_target(frame, schema).isna().to_numpy()
    n_missing = int(missing.sum())
    if n_missing:
        changes.append(
            Change(
                "drop_rows_missing_target",
                (schema.target,),
                n_missing,
                f"{n_missing:,} rows have no value in the target {schema.target!r}; a model "
                "cannot learn from them or be scored on them",
            )
        )
        frame = frame.loc[~missing].reset_index(drop=True)
    return frame


def _drop_duplicates(frame: pd.DataFrame, changes: list[Change]) -> pd.DataFrame:
    duplicated = frame.duplicated(keep="first").to_numpy()
    n_duplicates = int(duplicated.sum())
    if n_duplicates:
        changes.append(
            Change(
                "drop_duplicate_rows",
                (),
                n_duplicates,
                f"{n_duplicates:,} rows are exact copies of an earlier row (all columns, target "
                "included); kept the first of each. Left in, copies would straddle the "
                "blind-test split and inflate the test score",
            )
        )
        frame = frame.loc[~duplicated].reset_index(drop=True)
    return frame


def _set_aside_columns(
    schema: Schema, profile: Profile, keep: set[str], changes: list[Change]
) -> Schema:
    leaks = {i.columns[0]: i.evidence for i in profile.issues if i.kind == "leakage" and i.columns}
    for name in profile.leakage_suspects:
        leaks.setdefault(name, "flagged as a leakage suspect by the profile")
    for column in schema.columns:
        name = column.name
        if column.role in SET_ASIDE_ROLES:
            if name in keep:
                role = "numeric" if _is_numeric_source(column.source_dtype) else "categorical"
                schema = schema.with_role(
                    name, role, f"{role}: kept at the user's request (looked like {column.reason})"
                )
                changes.append(
                    Change(
                        "keep_column",
                        (name,),
                        0,
                        f"{name!r} kept at the user's request as {role}, although it looks "
                        f"like {column.role} ({column.reason})",
                    )
                )
            else:
                changes.append(
                    Change(
                        f"set_aside_{column.role}_column",
                        (name,),
                        0,
                        f"{name!r} not used for training: {column.reason}",
                    )
                )
        elif column.role == "text":
            changes.append(
                Change(
                    "use_text_column",
                    (name,),
                    0,
                    f"{name!r} used as free text ({column.reason}): word TF-IDF features "
                    "learned on each training fold (tree and kernel models get 50 SVD "
                    "components of them; text families read the words directly)",
                    "in_each_fold",
                )
            )
        elif name in leaks and column.role in FEATURE_ROLES:
            if name in keep:
                changes.append(
                    Change(
                        "keep_column",
                        (name,),
                        0,
                        f"{name!r} kept at the user's request although it is a leakage "
                        f"suspect: {leaks[name]}",
                    )
                )
            else:
                schema = schema.with_role(name, "excluded", f"excluded: {leaks[name]}")
                changes.append(
                    Change(
                        "exclude_leakage_suspect",
                        (name,),
                        0,
                        f"{name!r} excluded: {leaks[name]}. Pass keep=[{name!r}] if it is "
                        "known at prediction time",
                    )
                )
    return schema


def _is_numeric_source(dtype: str) -> bool:
    return dtype.startswith(("int", "uint", "float", "Int", "UInt", "Float"))
