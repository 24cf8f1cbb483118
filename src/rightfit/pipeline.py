"""The one orchestrator: load → profile → clean → split → plan → search → ensemble → blind test →
refit → record. The only module that calls the stages in order."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from rightfit import __version__, metrics
from rightfit.advise import DataFacts, Plan, choose_candidates
from rightfit.budget import Budget
from rightfit.clean import clean_table
from rightfit.data import Schema, infer_schema, prepare_features, read_table, read_target
from rightfit.ensemble import WeightedEnsemble, select_ensemble
from rightfit.errors import ConfigError, DataError, RightfitError, TargetError, did_you_mean
from rightfit.evaluate import baseline_output, evaluate
from rightfit.models import (
    FitContext,
    TabularPredictor,
    build_estimator,
    column_counts,
    get_spec,
    parse_models,
    predict_output,
    single_threaded,
)
from rightfit.profile import profile_table
from rightfit.progress import Progress, SilentProgress
from rightfit.search import SearchResult, Trial, tune
from rightfit.split import make_split

logger = logging.getLogger(__name__)

# Seconds kept for writing the bundle and scoring the blind test, beyond the refits themselves.
FINISH_OVERHEAD = 1.5
# The estimate of a final refit from CV fold timings is rough; keep this much headroom.
REFIT_SAFETY = 1.15
# Families an ensemble is likely to draw on, and how far behind the leader they may be.
ENSEMBLE_FAMILIES = 3
MEMBER_GAP = 0.02


@dataclass(frozen=True)
class RunResult:
    """A finished run: the delivered predictor and the record the bundle stores."""

    predictor: TabularPredictor
    record: dict


def _default_jobs() -> int:
    """All cores (up to 8), or ``RIGHTFIT_N_JOBS`` when set (e.g. when runs share a machine)."""
    configured = os.environ.get("RIGHTFIT_N_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(os.cpu_count() or 1, 8))


def _check_column(frame: pd.DataFrame, name: str | None, option: str) -> None:
    if name is not None and name not in frame.columns:
        raise ConfigError(
            f"{option} {name!r} is not a column of the data.{did_you_mean(name, frame.columns)} "
            f"Columns: {', '.join(map(str, list(frame.columns)[:20]))}."
        )


def _encode_target(y_raw: pd.Series, schema: Schema) -> np.ndarray:
    if schema.task == "regression":
        return y_raw.to_numpy(dtype=float)
    index = {label: i for i, label in enumerate(schema.classes)}
    encoded = y_raw.map(index)
    if encoded.isna().any():
        unknown = sorted(map(str, y_raw[encoded.isna()].unique()))[:5]
        raise DataError(f"Target values {unknown} do not match the detected classes.")
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


def _refit_seconds(trial: Trial, n_folds: int, n_fold_rows: int, n_rows: int) -> float:
    """Estimate one refit of ``trial``'s configuration on ``n_rows`` from its CV timings."""
    per_fold = trial.fit_seconds / max(n_folds, 1)
    return per_fold * max(1.0, n_rows / max(n_fold_rows, 1)) * REFIT_SAFETY


def run(
    data,
    target: str,
    *,
    time_budget: float | Budget = 60.0,
    task: str | None = None,
    metric: str | None = None,
    models: str | list[str] | None = None,
    seed: int = 0,
    test_size: float = 0.2,
    group_column: str | None = None,
    time_column: str | None = None,
    keep_columns: tuple[str, ...] | list[str] = (),
    refit_all: bool = True,
    n_jobs: int | None = None,
    progress: Progress | None = None,
    executor=None,
) -> RunResult:
    """Run the whole workflow on ``data`` and return the delivered model and its record.

    See :func:`rightfit.fit` for the parameters; ``time_budget`` covers everything from loading
    the data to the last refit.
    """
    budget = time_budget if isinstance(time_budget, Budget) else Budget(time_budget)
    progress = progress or SilentProgress()
    n_jobs = n_jobs or _default_jobs()
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 3)
        clock = now

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
    lap("load")

    profile = profile_table(frame, schema, random_state=seed)
    progress.stage("profile", f"task {schema.task}, metric {metric}")
    for line in profile.summary_lines():
        progress.note(line)
    lap("profile")

    cleaned = clean_table(frame, schema, profile, keep_columns=tuple(keep_columns))
    frame, schema = cleaned.frame, cleaned.schema
    progress.stage("clean", f"{len(cleaned.log.changes)} changes logged")
    for line in cleaned.log.lines():
        progress.note(line)
    features = schema.feature_columns()
    if not features:
        raise DataError(
            "No usable feature columns are left after cleaning (every column is an ID, constant, "
            "empty, free text or excluded). See the cleaning log above; pass --keep COLUMN to "
            "keep one that was excluded."
        )
    y = _encode_target(read_target(frame, schema), schema)
    n_classes = None if schema.task == "regression" else len(schema.classes)
    _check_class_counts(y, schema)
    lap("clean")

    split = make_split(
        pd.Series(y),
        schema.task,
        test_size=test_size,
        seed=seed,
        groups=frame[group_column] if group_column else None,
        times=frame[time_column] if time_column else None,
    )
    progress.stage("split", split.description)
    X_all = prepare_features(frame, schema)
    train, test = split.train_rows, split.test_rows
    X_train, y_train = X_all.iloc[train].reset_index(drop=True), y[train]
    lap("split")

    plan = _make_plan(schema, metric, X_train, y_train, budget, models)
    progress.stage("plan", f"{len(plan.candidates)} candidate families")
    for line in plan.lines():
        progress.note(line)

    n_folds = len(split.folds)
    n_fold_rows = int(np.mean([len(fit_rows) for fit_rows, _ in split.folds]))
    final_sizes = [len(train)] + ([split.n_rows] if (refit_all and split.has_test) else [])

    # Ensemble selection, blind-test prediction, bootstrap and writing the bundle grow with rows.
    finish = FINISH_OVERHEAD + 2e-5 * split.n_rows

    def reserve(trials: list[Trial]) -> float:
        members = _likely_members(trials)
        if not members:
            return finish + 0.05 * min(budget.seconds, 600)
        return finish + sum(
            _refit_seconds(t, n_folds, n_fold_rows, size) for t in members for size in final_sizes
        )

    progress.start_search(max(0.0, budget.remaining() - reserve([])), metric)
    search = tune(
        plan.names,
        X_train,
        y_train,
        split.folds,
        task=schema.task,
        metric=metric,
        budget=budget,
        n_classes=n_classes,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        executor=executor,
        reserve=reserve,
    )
    lap("search")
    best = search.leaderboard.best()
    progress.end_search(
        f"{len(search.leaderboard.trials)} trials in {search.seconds:.1f} s "
        f"({search.stop_reason})"
        + (f"; best {best.family} {metric} {best.score:.4f}" if best else "")
    )
    if best is None:
        errors = {t.family: t.error for t in search.leaderboard.trials if t.error}
        detail = "; ".join(f"{k}: {v}" for k, v in errors.items()) or search.stop_reason
        raise RightfitError(
            f"No candidate model finished within the time budget ({detail}). "
            "Increase --time-budget, or restrict --models to cheaper families (e.g. linear)."
        )

    members, weights, ensemble_info = _choose_final(
        search, y_train, metric, split, budget, final_sizes, n_fold_rows
    )
    if len(members) > 1:
        progress.note(
            "ensemble of "
            + ", ".join(
                f"{t.family} (weight {w:.2f})" for t, w in zip(members, weights, strict=True)
            )
            + f" beats the best single model in CV ({ensemble_info['cv_score']:.4f} vs "
            f"{best.score:.4f})"
        )

    n_numeric, n_categorical = column_counts(X_all)
    context = FitContext(
        task=schema.task,
        n_rows=len(train),
        n_numeric=n_numeric,
        n_categorical=n_categorical,
        n_classes=n_classes,
        seed=seed,
        n_jobs=n_jobs,
    )
    model = _fit_members(members, weights, X_train, y_train, context)
    lap("refit_train")

    evaluation = None
    if split.has_test:
        X_test, y_test = X_all.iloc[test].reset_index(drop=True), y[test]
        output = predict_output(model, X_test, schema.task, n_classes)
        baseline = baseline_output(schema.task, y_train, len(test), n_classes)
        evaluation = evaluate(
            schema.task,
            y_test,
            output,
            baseline,
            classes=schema.classes,
            source=(f"blind test: {len(test):,} rows set aside before any fitting and scored once"),
            baseline_text=_baseline_text(schema, y_train),
            random_state=seed,
        )
        progress.stage("blind test", f"{len(test):,} rows")
        for line in evaluation.summary_lines():
            progress.note(line)
    else:
        progress.note("no blind test (--test-size 0): the scores above are cross-validated only")
    lap("evaluate")

    delivered = {"fitted_on": "training rows (blind test excluded)", "n_rows": len(train)}
    log_members = any(t.params.get("log_target") for t in members)
    if refit_all and split.has_test and log_members and float(np.min(y)) <= 0:
        delivered["note"] = (
            "refit on all rows skipped: the chosen model works on log(target), and the blind-test "
            "rows hold a target value <= 0; the delivered model is the one the blind test scored"
        )
        progress.note(delivered["note"])
    elif refit_all and split.has_test:
        needed = (
            sum(_refit_seconds(t, n_folds, n_fold_rows, split.n_rows) for t in members)
            + FINISH_OVERHEAD
        )
        if budget.remaining() >= needed:
            context_all = FitContext(**{**context.__dict__, "n_rows": split.n_rows})
            model = _fit_members(members, weights, X_all, y, context_all)
            delivered = {
                "fitted_on": "all rows (training + blind test), after the blind test was scored",
                "n_rows": int(split.n_rows),
            }
            progress.note(f"refit on all {split.n_rows:,} rows for delivery")
        else:
            delivered["note"] = (
                f"refit on all rows skipped: about {needed:.1f} s needed, "
                f"{budget.remaining():.1f} s left in the budget"
            )
            progress.note(delivered["note"])
    elif not refit_all:
        delivered["note"] = "--no-refit-all: the delivered model is the one the blind test scored"
    lap("refit_all")

    timings["total"] = round(budget.elapsed(), 3)
    record = {
        "rightfit_version": __version__,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "task": schema.task,
        "target": schema.target,
        "metric": metric,
        "greater_is_better": metrics.METRICS[metric].greater_is_better,
        "time_budget": budget.seconds,
        "seed": seed,
        "data": {
            "source": table.source,
            "format": table.format,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "sha256": table.fingerprint,
            "n_rows": len(table.frame),
            "n_columns": int(table.frame.shape[1]),
        },
        "schema": schema.to_dict(),
        "profile": profile.to_dict(),
        "cleaning_log": cleaned.log.to_dict(),
        "split": split.to_dict(),
        "plan": plan.to_dict(),
        "leaderboard": search.leaderboard.to_dict(),
        "search": {
            "stop_reason": search.stop_reason,
            "seconds": round(search.seconds, 3),
            "n_trials": len(search.leaderboard.trials),
        },
        "chosen": {
            "kind": "ensemble" if len(members) > 1 else "single",
            "members": [
                {
                    "trial": t.number,
                    "family": t.family,
                    "params": t.to_dict()["params"],
                    "weight": w,
                }
                for t, w in zip(members, weights, strict=True)
            ],
            "cv_score": ensemble_info["cv_score"],
            "cv_score_note": ensemble_info.get("cv_score_note", ""),
            "ensemble": ensemble_info.get("ensemble"),
        },
        "evaluation": evaluation.to_dict() if evaluation is not None else None,
        "delivered_model": delivered,
        "timings": timings,
    }
    return RunResult(TabularPredictor(model, schema), record)


def _likely_members(trials: list[Trial]) -> list[Trial]:
    """The best trial of each of the (up to) three best families within reach of the leader:
    the models a final ensemble would refit, so the search leaves time for them."""
    best_per_family: dict[str, Trial] = {}
    for t in sorted((t for t in trials if t.ok), key=lambda t: t.loss):
        best_per_family.setdefault(t.family, t)
    ranked = list(best_per_family.values())
    if not ranked:
        return []
    lead = ranked[0].loss
    scale = max(abs(lead), 1e-3)
    return [t for t in ranked[:ENSEMBLE_FAMILIES] if (t.loss - lead) / scale <= MEMBER_GAP]


def _make_plan(schema, metric, X_train, y_train, budget, models) -> Plan:
    n_numeric, n_categorical = column_counts(X_train)
    minority = None
    if schema.task != "regression":
        counts = np.bincount(y_train)
        minority = float(counts[counts > 0].min() / counts.sum())
    facts = DataFacts(
        task=schema.task,
        n_rows=len(X_train),
        n_numeric=n_numeric,
        n_categorical=n_categorical,
        missing_share=float(X_train.isna().to_numpy().mean()) if X_train.size else 0.0,
        minority_share=minority,
        time_budget=budget.seconds,
    )
    plan = choose_candidates(facts, metric, parse_models(models))
    if not plan.candidates:
        reasons = "; ".join(f"{k}: {v}" for k, v in plan.excluded.items())
        raise ConfigError(f"No model family can be tried on this data ({reasons}).")
    return plan


def _choose_final(search: SearchResult, y_train, metric, split, budget, final_sizes, n_fold_rows):
    """The best single trial, or an ensemble of trials when it wins in CV and its refits fit."""
    board = search.leaderboard
    best = board.best()
    info = {"cv_score": best.score}
    trials = {t.number: t for t in board.trials}
    covered = np.unique(np.concatenate([v for _, v in split.folds]))
    choice = select_ensemble(search.oof, y_train, metric, covered)
    if choice is None or not choice.improves:
        return [best], [1.0], info
    members = [trials[n] for n in choice.members]
    weights = list(choice.weights)
    n_folds = len(split.folds)
    # Drop the lightest members until every final refit fits in the time left.
    while len(members) > 1:
        need = FINISH_OVERHEAD + sum(
            _refit_seconds(t, n_folds, n_fold_rows, size) for t in members for size in final_sizes
        )
        if need <= budget.remaining():
            break
        drop = int(np.argmin(weights))
        members.pop(drop)
        weights.pop(drop)
    if len(members) == 1:
        return [best], [1.0], info
    total = sum(weights)
    weights = [w / total for w in weights]
    score = -choice.loss if board.greater_is_better else choice.loss
    if len(members) != len(choice.members):
        # Re-score the trimmed ensemble honestly instead of reusing the full one's figure.
        out = sum(w * search.oof[t.number][covered] for t, w in zip(members, weights, strict=True))
        score = metrics.score(metric, y_train[covered], out)
        loss = -score if board.greater_is_better else score
        if loss >= best.loss:
            return [best], [1.0], info
    info = {
        "cv_score": score,
        "cv_score_note": (
            "ensemble weights were chosen on these same out-of-fold rows, so this CV score is "
            "slightly optimistic; the blind test measures the ensemble without that bias"
        ),
        "ensemble": choice.to_dict(),
    }
    return members, weights, info


def _fit_members(members: list[Trial], weights, X, y, context: FitContext):
    fitted = []
    for trial in members:
        spec = get_spec(trial.family)
        estimator = build_estimator(trial.family, trial.params, context)
        estimator.fit(X, y, **spec.fit_params(context))
        fitted.append(single_threaded(estimator))
    if len(fitted) == 1:
        return fitted[0]
    return WeightedEnsemble.from_fitted(fitted, weights, context.task, context.n_classes)


def _baseline_text(schema: Schema, y_train: np.ndarray) -> str:
    if schema.task == "regression":
        return f"mean of the training target ({float(np.mean(y_train)):,.4g})"
    counts = np.bincount(y_train, minlength=len(schema.classes))
    top = int(counts.argmax())
    return (
        f"class priors of the training rows (majority {schema.classes[top]!r}, "
        f"{counts[top] / counts.sum():.1%})"
    )
