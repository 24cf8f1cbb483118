"""Everything before training: load → profile → clean → split → plan. Shared by ``fit`` and
``rightfit plan`` (which stops here), so the plan printed is the plan a fit would follow."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from rightfit import metrics
from rightfit.advise import (
    DataFacts,
    Plan,
    choose_candidates,
    first_round_seconds,
    tied_row_share,
)
from rightfit.budget import Budget
from rightfit.clean import Cleaned, clean_table
from rightfit.data import (
    Schema,
    Table,
    infer_schema,
    prepare_features,
    read_table,
    read_target,
    task_reason,
)
from rightfit.data._convert import flag
from rightfit.errors import ConfigError, DataError, TargetError, did_you_mean
from rightfit.models import column_counts, get_spec, parse_models
from rightfit.models._serving import available_cores
from rightfit.models._spec import text_column_count
from rightfit.profile import Profile, profile_table
from rightfit.progress import Progress
from rightfit.split import SplitPlan, make_split

# Small data gets repeated CV folds (see split.REPEAT_BELOW) only while every family's first
# default, repeated, is expected to take at most this share of the budget: the repeats triple
# every trial's cost, and on 934 rows x 80 columns (house prices) at 60 s they left 13 trials.
REPEAT_MAX_SHARE = 0.4
# The leakage screen's share of the budget: on ~100 columns it takes 2-4 s, but it grows with
# the width (a 1,000-column table took 8 s on 2,000 sampled rows); beyond this it stops and
# names the columns it did not reach.
LEAKAGE_SHARE = 0.08
# The lead family (the first boosted-tree family by priority, planned or skipped for time) gets
# 5-fold CV only while one round of its first default is expected to take at most this share
# of the budget; beyond it, 3 folds.
# On 15,000 rows with 26 classes (LightGBM grows 26 trees a round) its 5-fold round took 37 s
# of a 40 s search at 60 s, and no other family was tried; 3 folds cost about half as much.
FOLDS_MAX_SHARE = 0.15
FEWER_FOLDS = 3
# With 3 folds, when the plan keeps no boosted-tree family but one validation split would keep
# one, the search validates on one split instead (from this many training rows: the validation
# rows are a fifth). 60 classes, 24,000 rows at 60 s: LightGBM, XGBoost and CatBoost
# were skipped and a linear model delivered (test log loss 1.604); XGBoost alone on such a
# split reached 0.839.
HOLDOUT_MIN_ROWS = 10_000


@dataclass(frozen=True)
class Prepared:
    """The data made ready for the search, and the plan for it."""

    table: Table
    schema: Schema
    metric: str
    profile: Profile
    cleaned: Cleaned
    y: np.ndarray  # encoded target of every cleaned row
    X_all: pd.DataFrame  # prepared features of every cleaned row
    split: SplitPlan
    plan: Plan

    @property
    def n_classes(self) -> int | None:
        return None if self.schema.task == "regression" else len(self.schema.classes)

    @property
    def X_train(self) -> pd.DataFrame:
        return self.X_all.iloc[self.split.train_rows].reset_index(drop=True)

    @property
    def y_train(self) -> np.ndarray:
        return self.y[self.split.train_rows]


def default_jobs() -> int:
    """All cores (up to 8), or ``RIGHTFIT_N_JOBS`` when set (e.g. when runs share a machine)."""
    return available_cores()


def _check_column(frame: pd.DataFrame, name: str | None, option: str) -> None:
    if name is not None and name not in frame.columns:
        raise ConfigError(
            f"{option} {name!r} is not a column of the data.{did_you_mean(name, frame.columns)} "
            f"Columns: {', '.join(map(str, list(frame.columns)[:20]))}."
        )


def encode_target(y_raw: pd.Series, schema: Schema) -> np.ndarray:
    """Class labels → 0..K-1 in ``schema.classes`` order; regression targets as floats."""
    if schema.task == "regression":
        return y_raw.to_numpy(dtype=float)
    index = {label: i for i, label in enumerate(schema.classes)}
    encoded = y_raw.map(index)
    if encoded.isna().any():
        unknown = sorted(map(str, y_raw[encoded.isna()].unique()))[:5]
        raise DataError(
            f"Target values {unknown} are not among the model's classes "
            f"({', '.join(map(str, schema.classes))})."
        )
    return encoded.to_numpy(dtype=np.int64)


def _check_class_counts(y: np.ndarray, schema: Schema) -> None:
    if schema.task != "binary":
        return
    counts = np.bincount(y, minlength=2)
    if counts.min() < 2:
        rare = schema.classes[int(counts.argmin())]
        raise TargetError(
            f"Class {rare!r} of target {schema.target!r} has {int(counts.min())} row(s); a "
            "classifier needs at least 2 rows of each class to train and validate. Add examples "
            "of that class, or check the filter that produced this file."
        )


def choose_positive_class(schema: Schema, y_raw: pd.Series, requested=None) -> Schema:
    """Binary targets: put the positive class second (the column thresholds and recall use).

    ``requested`` wins; else the label that reads as true/yes/1; else the rarer class (what a
    team usually hunts: churners, frauds, readmissions); a tie keeps the sorted order.
    """
    if schema.task != "binary":
        if requested is not None:
            raise ConfigError(
                f"--positive-class applies to yes/no targets; {schema.target!r} is {schema.task}."
            )
        return schema
    first, second = schema.classes
    if requested is not None:
        match = [c for c in schema.classes if str(c) == str(requested)]
        if not match:
            raise ConfigError(
                f"--positive-class {requested!r} is not a class of {schema.target!r}; its classes "
                f"are {first!r} and {second!r}."
            )
        positive = match[0]
    else:
        flags = [flag(c) for c in schema.classes]
        if sorted(flags) == [0.0, 1.0]:
            positive = schema.classes[flags.index(1.0)]
        else:
            counts = y_raw.astype(str).value_counts()
            n_first, n_second = counts.get(str(first), 0), counts.get(str(second), 0)
            positive = first if n_first < n_second else second
    if positive == second:
        return schema
    return replace(schema, classes=(second, first))


def data_facts(
    schema: Schema,
    X_train: pd.DataFrame,
    y_train: np.ndarray,
    profile: Profile,
    budget: Budget,
    min_score: float | None = None,
    n_folds: int = 5,
    n_repeats: int = 1,
) -> DataFacts:
    """The measured facts the planner decides on (training rows only, blind test excluded)."""
    n_numeric, n_categorical = column_counts(X_train)
    minority = None
    if schema.task != "regression":
        counts = np.bincount(y_train)
        minority = float(counts[counts > 0].min() / counts.sum())
    # Labels only: free text (pandas str dtype) is counted apart, not as a category.
    categorical = [
        c
        for c in X_train.columns
        if not pd.api.types.is_numeric_dtype(X_train[c])
        and not isinstance(X_train[c].dtype, pd.StringDtype)
    ]
    cardinality = {c: int(X_train[c].nunique()) for c in categorical}
    roles = [c.role for c in schema.columns]  # text is counted on the prepared frame below
    return DataFacts(
        task=schema.task,
        n_rows=len(X_train),
        n_numeric=n_numeric,
        n_categorical=n_categorical,
        missing_share=float(X_train.isna().to_numpy().mean()) if X_train.size else 0.0,
        minority_share=minority,
        time_budget=budget.seconds,
        max_cardinality=max(cardinality.values(), default=0),
        max_cardinality_column=max(cardinality, key=cardinality.get) if cardinality else None,
        n_text=text_column_count(X_train),
        n_datetime=roles.count("datetime"),
        n_classes=None if schema.task == "regression" else len(schema.classes),
        min_score=min_score,
        n_issues=len(profile.issues),
        n_folds=n_folds,
        n_repeats=n_repeats,
        tied_share=tied_row_share(X_train),
    )


def _boosts(name: str) -> bool:
    """Whether the family is boosted trees (early-stopped, so a capped trial keeps a model)."""
    return get_spec(name).early_stopping is not None


def _lead_family(plan: Plan) -> str | None:
    """The family whose cost sets the folds: the first boosted-tree family in priority order,
    planned or skipped for time; else the plan's first family."""
    boosters = [n for n in (*plan.names, *plan.excluded) if _boosts(n)]
    if boosters:
        return min(boosters, key=lambda n: get_spec(n).priority)
    return plan.names[0] if plan.names else None


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def _fit_folds_to_budget(
    split: SplitPlan, plan: Plan, split_rows, plan_for, budget: Budget
) -> tuple[SplitPlan, Plan]:
    """Fewer repeats, fewer folds or one validation split where the budget needs them; the
    split's description says why. ``split_rows(**folds)`` redraws the split with the same seed
    (the same blind test), ``plan_for(split)`` re-plans with its estimates."""
    why = []  # why the folds differ from the default, for the split's description
    if split.n_repeats > 1:
        portfolio = sum(first_round_seconds(name, plan.facts) for name in plan.names)
        if portfolio > REPEAT_MAX_SHARE * budget.seconds:
            why.append(
                f"drawn once, not {split.n_repeats} times: every family's first default, "
                f"repeated, would take about {_seconds(portfolio)}, over "
                f"{REPEAT_MAX_SHARE:.0%} of the {_seconds(budget.seconds)} budget"
            )
            split = split_rows(n_repeats=1)  # the same first partition, drawn once
            plan = plan_for(split)
    lead = _lead_family(plan)
    seconds = first_round_seconds(lead, plan.facts) if lead else 0.0
    if split.folds_per_repeat > FEWER_FOLDS and seconds > FOLDS_MAX_SHARE * budget.seconds:
        why.append(
            f"{FEWER_FOLDS} folds, not {split.folds_per_repeat}: one {split.folds_per_repeat}-"
            f"fold round of {lead} would take about {_seconds(seconds)}, over "
            f"{FOLDS_MAX_SHARE:.0%} of the {_seconds(budget.seconds)} budget"
        )
        split = split_rows(n_folds=FEWER_FOLDS, n_repeats=split.n_repeats)
        plan = plan_for(split)
    if (
        split.folds_per_repeat == FEWER_FOLDS
        and len(split.train_rows) >= HOLDOUT_MIN_ROWS
        and not any(_boosts(name) for name in plan.names)
    ):
        # Boosted trees are the usual winners, and a booster capped by its time keeps its
        # best round so far: worth a noisier validation where 3 folds leave none of them.
        single = split_rows(n_folds=1, n_repeats=1)
        single_plan = plan_for(single)
        gained = [name for name in single_plan.names if _boosts(name)]
        if gained:
            why.append(
                f"one validation split, not {FEWER_FOLDS} folds: one {FEWER_FOLDS}-fold round "
                f"of {gained[0]} would take about "
                f"{_seconds(first_round_seconds(gained[0], plan.facts))}, more than half of "
                f"the {_seconds(budget.seconds)} budget"
            )
            split, plan = single, single_plan
    if why:
        split = replace(split, description=f"{split.description} ({'; '.join(why)})")
    return split, plan


def prepare(
    data,
    target: str,
    *,
    budget: Budget,
    progress: Progress,
    task: str | None = None,
    metric: str | None = None,
    models: str | list[str] | None = None,
    seed: int = 0,
    test_size: float = 0.2,
    group_column: str | None = None,
    time_column: str | None = None,
    keep_columns: tuple[str, ...] | list[str] = (),
    min_score: float | None = None,
    positive_class=None,
) -> Prepared:
    """Load, profile, clean, split and plan; report each stage to ``progress``."""
    table = read_table(data)
    frame = table.frame
    progress.stage(
        "load",
        f"{table.source}: {len(frame):,} rows x {frame.shape[1]} columns"
        + (
            f" ({table.format}, {table.encoding}, delimiter {table.delimiter!r})"
            if table.format == "csv"
            else f" ({table.format})"
        ),
    )
    schema = infer_schema(frame, target, task)
    metric = metrics.check_metric(metric or metrics.default_metric(schema.task), schema.task)
    _check_column(frame, group_column, "--group-column")
    _check_column(frame, time_column, "--time-column")
    if group_column is not None:
        schema = schema.with_role(
            group_column, "excluded", "used as --group-column to keep groups together"
        )

    profile = profile_table(
        frame, schema, random_state=seed, max_leakage_seconds=LEAKAGE_SHARE * budget.seconds
    )
    why = "" if task is not None else f" ({task_reason(frame[target])})"
    progress.stage("profile", f"task {schema.task}{why}, metric {metric}")
    for line in profile.summary_lines():
        progress.note(line)

    cleaned = clean_table(frame, schema, profile, keep_columns=tuple(keep_columns))
    frame, schema = cleaned.frame, cleaned.schema
    progress.stage("clean", f"{len(cleaned.log.changes)} changes logged")
    for line in cleaned.log.lines():
        progress.note(line)
    if not schema.feature_columns():
        raise DataError(
            "No usable feature columns are left after cleaning (every column is an ID, constant, "
            "empty or excluded). See the cleaning log above; pass --keep COLUMN to "
            "keep one that was excluded."
        )
    schema = choose_positive_class(schema, read_target(frame, schema), positive_class)
    y = encode_target(read_target(frame, schema), schema)
    _check_class_counts(y, schema)

    def split_rows(**folds) -> SplitPlan:
        # The same seed every time: the same blind test, however the folds are then drawn.
        return make_split(
            pd.Series(y),
            schema.task,
            test_size=test_size,
            seed=seed,
            groups=frame[group_column] if group_column else None,
            times=frame[time_column] if time_column else None,
            **folds,
        )

    split = split_rows()
    X_all = prepare_features(frame, schema)
    X_train = X_all.iloc[split.train_rows]

    def plan_for(split: SplitPlan) -> Plan:
        facts = data_facts(
            schema,
            X_train,
            y[split.train_rows],
            profile,
            budget,
            min_score,
            split.folds_per_repeat,
            split.n_repeats,
        )
        return choose_candidates(facts, metric, parse_models(models))

    plan = plan_for(split)
    split, plan = _fit_folds_to_budget(split, plan, split_rows, plan_for, budget)
    progress.stage("split", split.description)
    if not plan.candidates:
        reasons = "; ".join(f"{k}: {v}" for k, v in plan.excluded.items())
        raise ConfigError(f"No model family can be tried on this data ({reasons}).")
    progress.stage("plan", f"{len(plan.candidates)} candidate families")
    for line in plan.lines():
        progress.note(line)
    return Prepared(table, schema, metric, profile, cleaned, y, X_all, split, plan)
