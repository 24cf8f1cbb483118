"""The one orchestrator: prepare → search → ensemble → calibrate/threshold → blind test →
review (comparisons, importance, diagnosis) → refit → record."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import numpy as np

from rightfit import __version__, metrics
from rightfit._memory import trim_memory
from rightfit.budget import Budget
from rightfit.ensemble import WeightedEnsemble
from rightfit.errors import ConfigError, RightfitError
from rightfit.evaluate import baseline_output, evaluate
from rightfit.evaluate._curves import curves, reliability
from rightfit.evaluate._drift import feature_reference
from rightfit.evaluate._seen_entities import seen_entities
from rightfit.evaluate._threshold import choose_threshold, confusion_at, parse_objective
from rightfit.evaluate._too_good import near_perfect
from rightfit.models import (
    FitContext,
    TabularPredictor,
    column_counts,
    predict_output,
    set_threads,
    single_threaded,
)
from rightfit.models._calibrated import CalibratedModel, apply_calibration
from rightfit.pipeline import _review as review
from rightfit.pipeline._final import (
    REFIT_SAFETY,
    choose_final,
    ensemble_members,
    finish_seconds,
    fit_members,
    lead_member,
    likely_members,
    refit_seconds,
)
from rightfit.pipeline._prepare import default_jobs, prepare
from rightfit.progress import Progress, SilentProgress
from rightfit.search import Trial, tune

logger = logging.getLogger(__name__)

# The refit on all rows is planned only when it costs at most this share of the budget.
REFIT_ALL_SHARE = 0.25


@dataclass(frozen=True)
class RunResult:
    """A finished run: the delivered predictor and the record the bundle stores."""

    predictor: TabularPredictor
    record: dict


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
    optimize_for: str | None = None,
    cost: str | None = None,
    min_score: float | None = None,
    diagnose: bool = True,
    positive_class=None,
) -> RunResult:
    """Run the whole workflow on ``data`` and return the delivered model and its record.

    See :func:`rightfit.fit` for the parameters; ``time_budget`` covers everything from loading
    the data to the last refit.
    """
    budget = time_budget if isinstance(time_budget, Budget) else Budget(time_budget)
    progress = progress or SilentProgress()
    n_jobs = n_jobs or default_jobs()
    objective = parse_objective(optimize_for, cost)
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 3)
        clock = now

    prep = prepare(
        data,
        target,
        budget=budget,
        progress=progress,
        task=task,
        metric=metric,
        models=models,
        seed=seed,
        test_size=test_size,
        group_column=group_column,
        time_column=time_column,
        keep_columns=keep_columns,
        min_score=min_score,
        positive_class=positive_class,
    )
    schema, split, metric = prep.schema, prep.split, prep.metric
    task, n_classes = schema.task, prep.n_classes
    if objective.kind != "default" and task != "binary":
        raise ConfigError(
            f"--optimize-for / --cost set a decision threshold for binary classification; this "
            f"target is {task}. Drop the option, or predict a yes/no target."
        )
    X_all, y = prep.X_all, prep.y
    train, test = split.train_rows, split.test_rows
    X_train, y_train = prep.X_train, prep.y_train
    lap("prepare")

    n_folds = len(split.folds)
    n_fold_rows = int(np.mean([len(fit_rows) for fit_rows, _ in split.folds]))
    # With one validation split (large data), the models fitted on its fitting rows score the
    # blind test: a refit on the training rows would cost as much again as the trials did.
    use_fold_models = n_folds == 1 and split.has_test

    def final_sizes(members: list[Trial]) -> list[int]:
        """Rows of each final refit. The refit on all rows adds a quarter of the blind test's
        rows to the training ones; when it would cost more than REFIT_ALL_SHARE of the budget,
        the search makes better use of that time, and the delivered model is the tested one."""
        sizes = [] if use_fold_models else [len(train)]
        if refit_all and split.has_test:
            cost = sum(refit_seconds(t, n_folds, n_fold_rows, split.n_rows) for t in members)
            if cost <= REFIT_ALL_SHARE * budget.seconds:
                sizes.append(split.n_rows)
        return sizes

    def all_rows_for_the_best_only(members: list[Trial], lead: Trial) -> bool:
        """Fold models score the blind test, and the ensemble's refit on all rows costs more
        than REFIT_ALL_SHARE of the budget, but the best member's alone does not: that single
        model, refit on all rows, is then delivered rather than fold models that saw 64 % of
        them (diabetes readmission at 300 s: the fold-model ensemble 0.8538, the single
        XGBoost refit on all rows 0.8515 at 60 s)."""
        return (
            use_fold_models
            and refit_all
            and len(members) > 1
            and split.n_rows not in final_sizes(members)
            and split.n_rows in final_sizes([lead])
        )

    def finishing(blind_test_done: bool = False) -> float:
        return finish_seconds(
            split.n_rows, budget.seconds, blind_test_done, "tensorflow" in sys.modules
        )

    def review_time(members: list[Trial], lead: Trial | None = None) -> float:
        if not diagnose:
            return 0.0
        if not members:
            return review.review_seconds(budget.seconds)
        cost = review.importance_seconds(members, X_train.shape[1], len(test))
        return review.review_seconds(budget.seconds, lead or members[0], cost, split.n_repeats)

    def blind_test_seconds(members: list[Trial]) -> float:
        # Scoring the blind test with every member, on both cores (the CV timed one), x 1.5.
        per_row = sum(t.extra.get("predict_seconds_per_row", 0.0) for t in members)
        return 1.5 * per_row * len(test) if split.has_test else 0.0

    # Near its end the search asks which members the final choice would really take (ensemble
    # selection on the out-of-fold outputs so far): a slow family within 2 % of the leader
    # that the ensemble does not use needs no refit time (CatBoost's 7 s on adult income).
    planned: dict = {}
    covered = np.unique(np.concatenate([v for _, v in split.folds]))
    greater = metrics.METRICS[metric].greater_is_better

    def expected_members(trials: list[Trial]) -> list[Trial]:
        likely = likely_members(trials)
        if not planned:
            return likely
        later = [t for t in likely if t.number > planned["last"]]  # may still join
        return planned["members"] + [t for t in later if t not in planned["members"]]

    def tighten(trials: list[Trial], oof: dict, kept: dict) -> bool:
        pool = {k: v for k, v in oof.items() if k in kept} if use_fold_models and kept else oof
        done = [t for t in trials if t.ok and t.number in pool]
        if not done:
            return False
        before, previous = reserve(trials), dict(planned)
        _, members, weights = ensemble_members(
            pool, {t.number: t for t in trials}, y_train, metric, covered, greater
        )
        best = min(done, key=lambda t: t.loss)
        planned.update(
            members=members or [best],
            lead=lead_member(members, weights) if members else best,
            last=max(t.number for t in trials),
        )
        after = reserve(trials)
        logger.debug(
            "search end: reserve %.1f -> %.1f s (%s)",
            before,
            after,
            ", ".join(f"{t.family} #{t.number}" for t in planned["members"]),
        )
        if after >= before - 0.5:  # nothing freed: the search stops on what it planned with
            planned.clear()
            planned.update(previous)
            return False
        return True

    def reserve_parts(trials: list[Trial]) -> dict[str, float]:
        members = expected_members(trials)
        if not members:
            return {
                "refits": 0.05 * min(budget.seconds, 600),
                "review": review_time([]),
                "finish": finishing(),
            }
        refits = sum(
            refit_seconds(t, n_folds, n_fold_rows, size)
            for t in members
            for size in final_sizes(members)
        )
        if all_rows_for_the_best_only(members, members[0]):  # likely members: best first
            refits += refit_seconds(members[0], n_folds, n_fold_rows, split.n_rows)
        return {
            "refits": refits,
            "review": review_time(members, planned.get("lead")),
            "finish": finishing() + blind_test_seconds(members),
        }

    def reserve(trials: list[Trial]) -> float:
        return sum(reserve_parts(trials).values())

    progress.start_search(max(0.0, budget.remaining() - reserve([])), metric)
    search = tune(
        prep.plan.names,
        X_train,
        y_train,
        split.folds,
        task=task,
        metric=metric,
        budget=budget,
        n_classes=n_classes,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        executor=executor,
        reserve=reserve,
        tighten=tighten,
    )
    if search.stop_reason == "time budget reached" and budget.remaining() > 2.0:
        # Say what the time left after the search is for: a run that ends early says why.
        finished = list(search.leaderboard.trials)
        parts = reserve_parts(finished)
        members = ", ".join(t.family for t in expected_members(finished))
        search = replace(
            search,
            stop_reason=(
                f"time budget reached: {budget.remaining():.0f} s kept for the refits of "
                f"{members or 'the chosen model'} (~{parts['refits']:.0f} s), the review "
                f"(~{parts['review']:.0f} s), the blind test and the bundle "
                f"(~{parts['finish']:.0f} s)"
            ),
        )
    lap("search")
    trim_memory()  # the trials' models are garbage now; the review and report allocate more
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
    members, weights, ensemble_info = choose_final(
        search,
        y_train,
        metric,
        split,
        budget,
        final_sizes(likely_members(list(search.leaderboard.trials))),
        n_fold_rows,
        fitted_only=use_fold_models and best.number in search.models,
        overhead=choice_overhead(finishing, blind_test_seconds, review_time),
    )
    if all_rows_for_the_best_only(members, best) and best.number in search.models:
        progress.note(
            "the ensemble of "
            + ", ".join(t.family for t in members)
            + " cannot be refit on all rows within the budget; the best single model "
            f"({best.family}) is chosen instead, so that the delivered model learns from all "
            f"{split.n_rows:,} rows rather than the {n_fold_rows:,} its fold model saw"
        )
        members, weights = [best], [1.0]
        ensemble_info = {
            "cv_score": best.score,
            "cv_score_note": "an ensemble was better in CV but could not be refit on all rows "
            "in the budget; the best single model refit on all rows was preferred",
        }
    # The review's time, from what the chosen model's heaviest member measured.
    review_left = review_time(members, lead_member(members, weights))
    if len(members) > 1:
        progress.note(
            "ensemble of "
            + ", ".join(
                f"{t.family} (weight {w:.2f})" for t, w in zip(members, weights, strict=True)
            )
            + f" beats the best single model in CV ({ensemble_info['cv_score']:.4f} vs "
            f"{ensemble_info.get('best_single_cv_score', best.score):.4f})"
        )

    # Calibration and the decision threshold are chosen on out-of-fold rows, never the blind test.
    covered = np.unique(np.concatenate([v for _, v in split.folds]))
    oof = review.weighted_oof(search, members, weights)
    calibration = review.calibrate(task, y_train[covered], oof[covered], seed)
    calibrated = calibration is not None and calibration.method != "none"
    if calibrated:
        progress.note(f"calibration: {calibration.reason}")
        oof = apply_calibration(oof, calibration.method, calibration.params)
    threshold = None
    if task == "binary":
        threshold = choose_threshold(y_train[covered], oof[covered][:, 1], objective)
        if objective.kind != "default":
            progress.note(
                f"decision threshold {threshold.value:.4f} on P({schema.classes[1]!r}) for "
                f"{objective.text} (out of fold: "
                f"precision {threshold.achieved['precision'] or 0:.3f}, recall "
                f"{threshold.achieved['recall'] or 0:.3f})"
            )
    threshold_value = threshold.value if threshold else 0.5

    n_numeric, n_categorical = column_counts(X_all)
    context = FitContext(
        task=task,
        n_rows=len(train),
        n_numeric=n_numeric,
        n_categorical=n_categorical,
        n_classes=n_classes,
        seed=seed,
        n_jobs=n_jobs,
    )

    def deliver(X, y_fit, ctx):
        model = fit_members(members, weights, X, y_fit, ctx)
        if calibrated:
            model = CalibratedModel.from_params(model, calibration.method, calibration.params)
        return model

    fold_models = [search.models.get(t.number) for t in members] if use_fold_models else []
    if fold_models and all(m is not None for m in fold_models):
        model = _from_fold_models(
            fold_models, weights, context, calibration if calibrated else None
        )
        evaluated = {
            "fitted_on": "the validation split's fitting rows (blind test and validation rows "
            "excluded)",
            "n_rows": n_fold_rows,
        }
        refit_all_seconds = (
            sum(refit_seconds(t, n_folds, n_fold_rows, split.n_rows) for t in members)
            if refit_all
            else 0.0
        )
    else:
        started = time.monotonic()
        model = deliver(X_train, y_train, context)
        evaluated = {"fitted_on": "training rows (blind test excluded)", "n_rows": len(train)}
        # The refit on all rows is estimated from this measured refit, scaled by rows: closer
        # than the CV fold timings, which include prediction and parallel folds.
        refit_all_seconds = (
            (time.monotonic() - started) * split.n_rows / max(len(train), 1) * REFIT_SAFETY
            if refit_all and split.has_test
            else 0.0
        )
    lap("refit_train")
    set_threads(model, n_jobs)  # thousands of blind-test rows: use the cores, then serve on one

    evaluation, blind = None, {}
    comparisons = review.compare_out_of_fold(
        search, members, weights, y_train, covered, metric, n_classes, task, seed, split.n_repeats
    )
    if split.has_test:
        X_test, y_test = X_all.iloc[test].reset_index(drop=True), y[test]
        output = predict_output(model, X_test, task, n_classes)
        baseline = baseline_output(task, y_train, len(test), n_classes)
        evaluation = evaluate(
            task,
            y_test,
            output,
            baseline,
            classes=schema.classes,
            source=f"blind test: {len(test):,} rows set aside before any fitting and scored once",
            baseline_text=_baseline_text(schema, y_train),
            random_state=seed,
            threshold=threshold_value,
        )
        progress.stage("blind test", f"{len(test):,} rows")
        for line in evaluation.summary_lines():
            progress.note(line)
        blind["curves"] = curves(task, y_test, output, seed)
        if calibrated:
            raw = predict_output(model.estimator, X_test, task, n_classes)
            blind["curves"]["reliability_before_calibration"] = reliability(y_test, raw)
            blind["log_loss_before_calibration"] = metrics.score("log_loss", y_test, raw, n_classes)
        if threshold is not None:
            blind["confusion_at_threshold"] = confusion_at(y_test, output[:, 1], threshold.value)
        comparisons.append(
            review.paired_comparison(
                y_test,
                output,
                baseline,
                metric,
                a="chosen model",
                b="baseline",
                rows=f"blind test ({len(test):,} rows)",
                n_classes=n_classes,
                threshold=threshold_value,
                random_state=seed,
            ).to_dict()
        )
        if diagnose:
            importance_end = time.monotonic() + review_left * review.IMPORTANCE_SHARE
            blind["importance"] = review.importance(
                model, X_test, y_test, task, metric, n_classes, importance_end, seed
            )
        suspicion = near_perfect(evaluation, blind.get("importance"))
        if suspicion:
            blind["near_perfect"] = suspicion
            progress.note(f"[warning] {suspicion}")
        entities = [i.columns[0] for i in prep.profile.issues if i.kind == "repeated_entity"]
        caveat = seen_entities(X_all, train, test, entities)
        if caveat:
            blind["seen_entities"] = caveat
            progress.note(f"[warning] {caveat}")
    else:
        progress.note("no blind test (--test-size 0): the scores above are cross-validated only")
    single_threaded(model)
    lap("evaluate")

    # A model of log(target) cannot be refit on rows whose target is <= 0 (the blind test's).
    log_members = any(t.params.get("log_target") for t in members)
    log_target_bars = log_members and float(np.min(y)) <= 0
    diagnosis, diagnosis_skipped = None, "turned off (--no-diagnose)"
    if diagnose:
        # The time kept for the review, or more when the search ended early (every candidate
        # done) or the refit on all rows cannot fit: see diagnosis_deadline.
        review_deadline = review.diagnosis_deadline(
            time.monotonic(),
            budget.deadline,
            finishing(blind_test_done=True),
            refit_all_seconds if refit_all and split.has_test and not log_target_bars else 0.0,
            review_left,
        )
        diagnosis, diagnosis_skipped = review.diagnose_fit(
            search,
            members,
            weights,
            X_train,
            y_train,
            split.folds,
            task=task,
            metric=metric,
            n_classes=n_classes,
            deadline=review_deadline,
            seed=seed,
            n_jobs=n_jobs,
        )
        if diagnosis:
            progress.note(
                f"fit diagnosis ({diagnosis['family']}): {diagnosis['verdict']} - "
                f"{diagnosis['explanation']}"
            )
        else:
            progress.note(f"fit diagnosis: not made - {diagnosis_skipped}")
    lap("diagnose")

    delivered = dict(evaluated)
    if refit_all and split.has_test and log_target_bars:
        delivered["note"] = (
            "refit on all rows skipped: the chosen model works on log(target), and the blind-test "
            "rows hold a target value <= 0; the delivered model is the one the blind test scored"
        )
        progress.note(delivered["note"])
    elif refit_all and split.has_test:
        needed = refit_all_seconds + finishing(blind_test_done=True)
        if budget.remaining() >= needed:
            model = deliver(X_all, y, FitContext(**{**context.__dict__, "n_rows": split.n_rows}))
            delivered = {
                "fitted_on": "all rows (training + blind test), after the blind test was scored",
                "n_rows": int(split.n_rows),
            }
            progress.note(f"refit on all {split.n_rows:,} rows for delivery")
        else:
            delivered["note"] = (
                f"refit on all rows skipped: about {needed:.1f} s needed, "
                f"{budget.remaining():.1f} s left in the budget"
                + (
                    f" (more than {REFIT_ALL_SHARE:.0%} of it: the search had that time)"
                    if refit_all_seconds > REFIT_ALL_SHARE * budget.seconds
                    else ""
                )
            )
            progress.note(delivered["note"])
    elif not refit_all:
        delivered["note"] = "--no-refit-all: the delivered model is the one the blind test scored"
    lap("refit_all")

    timings["total"] = round(budget.elapsed(), 3)
    table = prep.table
    record = {
        "rightfit_version": __version__,
        "kind": "tabular",
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "task": task,
        "target": schema.target,
        "metric": metric,
        "greater_is_better": metrics.METRICS[metric].greater_is_better,
        "time_budget": budget.seconds,
        "seed": seed,
        "data": table.to_dict(),
        "schema": schema.to_dict(),
        "profile": prep.profile.to_dict(),
        "cleaning_log": prep.cleaned.log.to_dict(),
        "split": split.to_dict(),
        "plan": prep.plan.to_dict(),
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
        "calibration": calibration.to_dict() if calibration else None,
        "positive_class": schema.classes[1] if task == "binary" else None,
        "threshold": (
            {**threshold.to_dict(), "positive_class": schema.classes[1]} if threshold else None
        ),
        "evaluation": evaluation.to_dict() if evaluation is not None else None,
        "blind_test": blind or None,
        "comparisons": comparisons,
        "diagnosis": diagnosis,
        "diagnosis_skipped": diagnosis_skipped or None,
        "requirement": _requirement(min_score, metric, ensemble_info["cv_score"], evaluation),
        "feature_reference": feature_reference(X_train),
        "delivered_model": delivered,
        "timings": timings,
    }
    return RunResult(TabularPredictor(model, schema), record)


def _from_fold_models(fitted, weights, context: FitContext, calibration):
    """The blind test's model from the search's fold models (no refit)."""
    fitted = [single_threaded(m) for m in fitted]
    if len(fitted) == 1:
        model = fitted[0]
    else:
        model = WeightedEnsemble.from_fitted(fitted, weights, context.task, context.n_classes)
    if calibration is not None:
        model = CalibratedModel.from_params(model, calibration.method, calibration.params)
    return model


def _requirement(min_score, metric, cv_score, evaluation) -> dict | None:
    """Whether the accuracy the user asked for was reached, by CV and by the blind test."""
    if min_score is None:
        return None
    better = metrics.METRICS[metric].greater_is_better
    out = {
        "metric": metric,
        "min_score": min_score,
        "cv_score": cv_score,
        "met_in_cv": bool(cv_score >= min_score if better else cv_score <= min_score),
    }
    if evaluation is not None:
        value = evaluation.metric(metric)
        bound = value.low if better else value.high
        out["blind_test"] = value.value
        out["met_on_blind_test"] = bool(
            value.value >= min_score if better else value.value <= min_score
        )
        out["met_with_confidence"] = bool(
            bound == bound and (bound >= min_score if better else bound <= min_score)
        )
    return out


def _baseline_text(schema, y_train: np.ndarray) -> str:
    if schema.task == "regression":
        return f"mean of the training target ({float(np.mean(y_train)):,.4g})"
    counts = np.bincount(y_train, minlength=len(schema.classes))
    top = int(counts.argmax())
    return (
        f"class priors of the training rows (majority {schema.classes[top]!r}, "
        f"{counts[top] / counts.sum():.1%})"
    )


def choice_overhead(finishing, blind_test_seconds, review_time):
    """What the final choice keeps after the members' refits, as ``choose_final``'s overhead.

    The review and the finish come after the refits: a member whose refit leaves them no time
    is dropped, rather than the refit on all rows being skipped at the end. The diagnosis counts
    with the share it is guaranteed (it ends at its deadline with the points it has): on
    diamonds at 60 s, keeping its whole share dropped CatBoost from the ensemble (CV 535 -> 546)
    and the run ended with 8 s unused."""

    def overhead(chosen: list[Trial], weights: list[float]) -> float:
        lead = lead_member(chosen, weights)
        return (
            finishing()
            + blind_test_seconds(chosen)
            + review.REVIEW_GUARANTEED_SHARE * review_time(chosen, lead)
        )

    return overhead
