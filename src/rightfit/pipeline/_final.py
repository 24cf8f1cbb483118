"""The final choice: the best trial or an ensemble whose refits fit in the time left, and the
estimates of what those refits cost (the search keeps time free for them)."""

from __future__ import annotations

import logging

import numpy as np

from rightfit import metrics
from rightfit.ensemble import WeightedEnsemble, select_ensemble
from rightfit.models import FitContext, build_estimator, get_spec, single_threaded
from rightfit.models._early_stopping import patience
from rightfit.search import SearchResult, Trial

logger = logging.getLogger(__name__)

# Seconds kept for scoring the blind test, writing the bundle and drawing its report (about 1.5 s
# of matplotlib import and SVG rendering, measured), beyond the refits themselves.
FINISH_OVERHEAD = 3.0
# What finishing a run costs per row: before the blind test (its prediction, bootstrap intervals,
# comparisons, the bundle), and once only writing the bundle and report is left.
FINISH_SECONDS_PER_ROW = 2e-5
FINISH_SECONDS_PER_ROW_AFTER_TEST = 2e-6
# Share of the budget (at most 10 s) kept for timing noise: other processes, a slower disk.
NOISE_SHARE = 0.03
# Seconds a process with TensorFlow loaded takes to exit (measured ~1 s on 2 loaded cores).
TF_EXIT = 1.5
# The estimate of a final refit from CV fold timings is rough; keep this much headroom.
REFIT_SAFETY = 1.15
# Families an ensemble is likely to draw on, and how far behind the leader they may be.
ENSEMBLE_FAMILIES = 3
MEMBER_GAP = 0.02
# Tolerance of the final choice against the reserve the search kept: every part of the reserve
# already has its own margin.
CHOICE_SLACK = 0.5
CHOICE_SLACK_SHARE = 0.01
# An ensemble member must lower the out-of-fold loss by this share to stay: every member adds
# its own call to each prediction (a booster ~0.1-0.3 ms per request), and a gain below this is
# well inside the CV noise. Slow-to-predict members (neural, forest, k-NN, SVM) need more.
MEMBER_GAIN = 0.0005
SLOW_MEMBER_GAIN = 0.002


def finish_seconds(
    n_rows: int, budget_seconds: float, blind_test_done: bool = False, tensorflow: bool = False
) -> float:
    """Seconds a run needs after its refits: ensemble selection, blind-test prediction,
    bootstrap intervals and comparisons grow with rows. With ``blind_test_done`` (the diagnosis's
    deadline, the refit on all rows) only the bundle and report are left: 1.4-2.9 s measured up
    to 400,000 rows, where the row term of the whole finish alone kept 8 s and the diagnosis
    got no learning-curve point. Once TensorFlow is loaded (``tensorflow``) the process needs
    about a second more to exit, which users wait for. A share of the budget absorbs a loaded
    machine (credit default: 1.06x on a busy one)."""
    per_row = FINISH_SECONDS_PER_ROW_AFTER_TEST if blind_test_done else FINISH_SECONDS_PER_ROW
    return (
        FINISH_OVERHEAD
        + per_row * n_rows
        + min(NOISE_SHARE * budget_seconds, 10.0)
        + (TF_EXIT if tensorflow else 0.0)
    )


def refit_seconds(trial: Trial, n_folds: int, n_fold_rows: int, n_rows: int) -> float:
    """Estimate one refit of ``trial``'s configuration on ``n_rows`` from its CV timings."""
    per_fold = trial.fit_seconds / max(n_folds, 1)
    ratio = max(1.0, n_rows / max(n_fold_rows, 1))
    return per_fold * ratio * rounds_share(trial, ratio) * REFIT_SAFETY


def rounds_share(trial: Trial, ratio: float) -> float:
    """The share of an early-stopped fold's boosting rounds a refit trains again.

    A fold trains its best round plus the patience (scoring the validation rows each round); a
    refit on ``ratio`` x the rows trains the best round x sqrt(ratio) and scores nothing. The
    CV timings alone overestimated diabetes readmission's refit by 1.7x (8 s for 4.7 s).
    A fold stopped by its deadline had not converged: its rounds are all counted."""
    stopping = trial.extra.get("early_stopping") or {}
    best = stopping.get("best_rounds") or []
    rate = trial.params.get("learning_rate")
    if not best or stopping.get("deadline") or not rate:
        return 1.0
    mean_best = float(np.mean(best))
    trained = mean_best + patience(float(rate))
    # At least half: the preprocessing and the data set construction do not shrink with rounds.
    return float(min(1.0, max(0.5, mean_best * np.sqrt(ratio) / trained)))


def likely_members(trials: list[Trial]) -> list[Trial]:
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


def ensemble_members(
    oof: dict[int, np.ndarray],
    trials: dict[int, Trial],
    y,
    metric: str,
    covered: np.ndarray,
    greater: bool,
):
    """(choice, members, weights) of the ensemble the out-of-fold outputs support, each member
    earning its place; (None, [], []) when no ensemble beats the best single trial."""
    choice = select_ensemble(oof, y, metric, covered)
    if choice is None or not choice.improves:
        return None, [], []
    members = [trials[n] for n in choice.members]
    members, weights = _drop_idle_members(
        members, list(choice.weights), oof, y, metric, covered, greater
    )
    return choice, members, weights


def choose_final(
    search: SearchResult,
    y_train,
    metric,
    split,
    budget,
    final_sizes,
    n_fold_rows,
    fitted_only: bool = False,
    overhead=None,
):
    """The best single trial, or an ensemble of trials when it wins in CV and its refits fit.

    ``overhead``: callable(members, weights) -> seconds the run needs after the refits (blind
    test, review, bundle); FINISH_OVERHEAD when not given.

    ``fitted_only``: members only among the trials whose fold model the search kept (the blind
    test is then scored without refitting them)."""
    board = search.leaderboard
    best = board.best()
    info = {"cv_score": best.score}
    trials = {t.number: t for t in board.trials}
    covered = np.unique(np.concatenate([v for _, v in split.folds]))
    oof = search.oof
    if fitted_only:
        oof = {k: v for k, v in oof.items() if k in search.models}
    choice, members, weights = ensemble_members(
        oof, trials, y_train, metric, covered, board.greater_is_better
    )
    if choice is None:
        return [best], [1.0], info
    n_folds = len(split.folds)

    def need(chosen: list[Trial], chosen_weights: list[float]) -> float:
        after = overhead(chosen, chosen_weights) if overhead is not None else FINISH_OVERHEAD
        return after + sum(
            refit_seconds(t, n_folds, n_fold_rows, size) for t in chosen for size in final_sizes
        )

    # Until every final refit fits in the time left, drop the member that costs the least CV
    # loss per second it frees: the lightest member is often the cheapest to refit (a linear
    # model on heart disease), and dropping it frees nothing.
    # The search ends keeping just this reserve for the members it expects; the milliseconds of
    # ensemble selection since must not turn that plan down (heart disease at 60 s: 10.1 s
    # needed, 10.1 s left, and the ensemble fell back to one member).
    slack = max(CHOICE_SLACK, CHOICE_SLACK_SHARE * budget.seconds)
    while len(members) > 1:
        needed, left = need(members, weights), budget.remaining()
        if needed <= left + slack:
            break
        logger.debug(
            "final refits of %s need %.1f s, %.1f s left",
            ", ".join(t.family for t in members),
            needed,
            left,
        )
        members, weights = _cheapest_drop(
            members,
            weights,
            needed,
            need,
            search.oof,
            y_train,
            metric,
            covered,
            board.greater_is_better,
        )
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
        # against the best single trial on the same out-of-fold rows (with repeated folds its
        # own score is the mean over the repeats, these rows are the first repeat's)
        if loss >= choice.best_single_loss:
            return [best], [1.0], info
    single = -choice.best_single_loss if board.greater_is_better else choice.best_single_loss
    info = {
        "cv_score": score,
        "cv_score_note": (
            "ensemble weights were chosen on these same out-of-fold rows, so this CV score is "
            "slightly optimistic; the blind test measures the ensemble without that bias"
        ),
        "ensemble": choice.to_dict(),
        "best_single_cv_score": single,
    }
    return members, weights, info


def _cheapest_drop(members, weights, full_need, need, oof, y, metric, covered, greater):
    """(members, weights) without the member whose removal raises the out-of-fold loss least
    per second of refit and review time it frees (``full_need``: what all of them need)."""
    full_loss = _oof_loss(members, weights, oof, y, metric, covered, greater)
    options = []
    for i in range(len(members)):
        rest_m, rest_w = members[:i] + members[i + 1 :], weights[:i] + weights[i + 1 :]
        freed = full_need - need(rest_m, rest_w)
        worse = _oof_loss(rest_m, rest_w, oof, y, metric, covered, greater) - full_loss
        # A member that frees nothing goes last; among those, the least useful one.
        options.append((freed <= 1e-6, max(worse, 0.0) / max(freed, 1e-6), worse, i))
    i = min(options)[3]
    return members[:i] + members[i + 1 :], weights[:i] + weights[i + 1 :]


def lead_member(members: list[Trial], weights: list[float]) -> Trial:
    """The member the review diagnoses: the one with the largest weight."""
    return members[int(np.argmax(weights))]


def _oof_loss(members, weights, oof, y, metric, covered, greater) -> float:
    total = sum(weights)
    out = sum(w / total * oof[t.number][covered] for t, w in zip(members, weights, strict=True))
    value = metrics.score(metric, y[covered], out)
    return -value if greater else value


def _costly(family: str) -> bool:
    spec = get_spec(family)
    return spec.neural or spec.slow_predict


def _drop_idle_members(members, weights, oof, y, metric, covered, greater):
    """Members stay in an ensemble only when they lower the CV loss by a margin: MEMBER_GAIN,
    or SLOW_MEMBER_GAIN for slow ones. Neural members predict 10-100x slower than boosted trees
    (a TensorFlow call per request, ~40 ms against ~0.2 ms); a 200-tree forest adds 0.5-1 ms to
    every single-row request and most of the bundle's size. Each round removes the member whose
    removal costs least against its margin (slow ones first), until every one earns its place."""
    members, weights = list(members), list(weights)
    while len(members) > 1:
        full = _oof_loss(members, weights, oof, y, metric, covered, greater)
        scale = max(abs(full), 1e-12)
        candidates = []
        for i, trial in enumerate(members):
            rest_m, rest_w = members[:i] + members[i + 1 :], weights[:i] + weights[i + 1 :]
            gain = _oof_loss(rest_m, rest_w, oof, y, metric, covered, greater) - full
            margin = SLOW_MEMBER_GAIN if _costly(trial.family) else MEMBER_GAIN
            if gain <= margin * scale:
                candidates.append((not _costly(trial.family), gain / scale - margin, i))
        if not candidates:
            break
        i = min(candidates)[2]
        members, weights = members[:i] + members[i + 1 :], weights[:i] + weights[i + 1 :]
    return members, weights


def fit_members(members: list[Trial], weights, X, y, context: FitContext):
    fitted = []
    for trial in members:
        spec = get_spec(trial.family)
        estimator = build_estimator(trial.family, trial.params, context)
        estimator.fit(X, y, **spec.fit_kwargs(context, trial.params))
        fitted.append(single_threaded(estimator))
    if len(fitted) == 1:
        return fitted[0]
    return WeightedEnsemble.from_fitted(fitted, weights, context.task, context.n_classes)
