"""Time-budgeted search over the plan's families.

First every family's strongest default configuration (a portfolio), cheapest family first; then
the remaining time goes to the family with the best expected gain per second, whose Optuna TPE
study proposes the next configuration. Every trial is a fixed set of CV folds, so scores of
different families compare like with like.
"""

from __future__ import annotations

import logging
import math
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from rightfit import metrics
from rightfit._memory import trim_if_grown
from rightfit.budget import Budget
from rightfit.models import (
    FitContext,
    column_counts,
    get_spec,
    log_target_helps,
    poisson_helps,
)
from rightfit.search._cv import CVResult, cross_validate
from rightfit.search._executor import LocalExecutor, TrialExecutor
from rightfit.search._leaderboard import Leaderboard
from rightfit.search._trial import Trial

logger = logging.getLogger(__name__)

KEEP_OOF_PER_FAMILY = 3
# Fold models (one validation split only) weigh far more than out-of-fold outputs: a forest on
# 60k rows is 60-160 MB. An ensemble then draws only on the kept ones.
KEEP_MODELS_PER_FAMILY = 1
# How sharply the scheduler prefers the leading family: a family 2 % behind gets e^-1 the weight.
GAP_TEMPERATURE = 0.02
# With no model yet, the first trial may still start if this many seconds are left.
MIN_FIRST_TRIAL = 0.5
# Relative gap to the best family beyond which a family gets no more trials.
HOPELESS_GAP = 0.10
# A boosting trial stopped by its time limit while still improving had too small a learning
# rate for this data and budget (poker hands at 0.1 need ~3,000 rounds): the family's next
# trials learn at least this many times faster, up to the top of the search range.
LR_ESCALATION = 3.0
MAX_LEARNING_RATE = 0.5
# Cap of an early-stopped boosting trial: this many times its estimate, or this share of the
# search (1 / GRACEFUL_SHARE), whichever is longer; other trials get 3 x and a sixth.
GRACEFUL_CAP = 1.5
GRACEFUL_SHARE = 8
# The search ends early, as converged, once it has run at least PLATEAU_TRIALS trials, and at
# least as many as it took to get there, without lowering the best CV loss by PLATEAU_GAIN
# (relative) since its last real progress. On small tables hundreds more trials only find
# configurations that won by luck on the folds: schooling (1,926 rows) scored 0.3677 at 60 s
# and 0.3685 at 300 s after 545 trials; benefits 0.6808 and 0.6807; working hours 770.1 and
# 770.7. Pima at 60 s made its last progress of 0.1 % at trial 2 of 78.
PLATEAU_GAIN = 0.001
PLATEAU_TRIALS = 50


def _relative_gap(loss: float, best: float) -> float:
    """How far ``loss`` is behind ``best``, relative to it (losses near 0 count from 1e-3)."""
    return (loss - best) / max(abs(best), 1e-3)


@dataclass
class _Plateau:
    """Where the search last made progress: the best loss then, and the trials run by then."""

    reference: float = math.inf
    at: int = 0

    def update(self, loss: float, n_trials: int) -> None:
        # Measured from the last progress, not the last best: small gains that add up count.
        if not math.isfinite(loss):
            return
        if not math.isfinite(self.reference) or _relative_gap(loss, self.reference) < -PLATEAU_GAIN:
            self.reference, self.at = loss, n_trials

    def stalled_for(self, n_trials: int) -> int:
        """Trials since the last progress when the search has converged, else 0."""
        since = n_trials - self.at
        converged = math.isfinite(self.reference) and since >= max(PLATEAU_TRIALS, self.at)
        return since if converged else 0


@dataclass
class _FamilyState:
    name: str
    study: object
    portfolio: list[dict]
    trials: int = 0
    seconds: float = 0.0
    best_loss: float = math.inf
    failures: int = 0
    timeouts: int = 0
    skips: int = 0
    cost_ratios: list = field(default_factory=list)  # measured / estimated seconds
    pending: dict = field(default_factory=dict)
    # Lowest learning rate worth trying, raised when an early-stopped trial ran out of time.
    lr_floor: float = 0.0
    # Lowest learning rate at which a trial of this family converged (early stopping or its
    # round limit ended it, not its time limit): evidence that rate is fast enough here.
    converged_lr: float = math.inf

    @property
    def mean_seconds(self) -> float | None:
        return self.seconds / self.trials if self.trials else None


@dataclass(frozen=True)
class SearchResult:
    leaderboard: Leaderboard
    oof: dict[int, np.ndarray]
    stop_reason: str
    seconds: float
    # Trial number -> model fitted on the single validation split's fitting rows (kept for the
    # trials whose out-of-fold outputs are kept; empty with k-fold CV).
    models: dict = field(default_factory=dict)


def _raw_cost(name: str, params: dict, fold_ctx: FitContext, n_folds: int) -> float:
    """The family's own cost model for one CV trial, in calibration-machine seconds."""
    try:
        return get_spec(name).cost(params, fold_ctx) * n_folds
    except (KeyError, TypeError, ValueError):
        return 2e-7 * fold_ctx.n_rows * max(fold_ctx.n_features, 1) * n_folds


MAX_UNSEEN_FACTOR = 3.0


def _estimate(
    state: _FamilyState, params: dict, fold_ctx: FitContext, n_folds: int, machine_factor: float
) -> float:
    """Seconds one CV trial of ``params`` should take: the family's cost model, rescaled by
    what this family (or, before it ran, every family) measured on this machine."""
    # A family that has not run yet borrows the machine's factor, capped: on a loaded machine
    # the others' ratios can be so high that a new family would never get its first trial.
    factor = (
        float(np.median(state.cost_ratios))
        if state.cost_ratios
        else min(machine_factor, MAX_UNSEEN_FACTOR)
    )
    return _raw_cost(state.name, params, fold_ctx, n_folds) * factor


def tune(
    families: list[str],
    X: pd.DataFrame,
    y: np.ndarray,
    folds: tuple,
    *,
    task: str,
    metric: str,
    budget: Budget,
    n_classes: int | None = None,
    seed: int = 0,
    n_jobs: int = 2,
    progress=None,
    executor: TrialExecutor | None = None,
    max_trials: int = 1000,
    reserve=None,
    tighten=None,
) -> SearchResult:
    """Search ``families`` for the configuration with the best CV ``metric`` within ``budget``.

    Parameters
    ----------
    X, y : prepared features and encoded target of the training rows (blind test excluded).
    folds : tuple of (fit positions, validation positions) into X.
    budget : Budget
        The search stops starting trials when it runs out; an interruptible fit (boosting) stops
        at the deadline, and its trial is recorded as timed out.
    reserve : callable(list[Trial]) -> float, optional
        Seconds to keep free at the end of ``budget`` (for the final refits), re-estimated
        after every trial from what the trials measured.
    tighten : callable(trials, oof, kept models) -> bool, optional
        Called once per trial count when nothing more fits before the reserve: it may narrow
        the reserve with what the out-of-fold outputs say (the members an ensemble would really
        take) and returns True when it did, and the search goes on with the time freed.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    executor = executor or LocalExecutor()
    start = time.monotonic()
    hard_deadline = start + budget.remaining() if not budget.is_unlimited else math.inf
    trials: list[Trial] = []

    def current_deadline() -> float:
        return hard_deadline - (reserve(trials) if reserve is not None else 0.0)

    deadline = current_deadline()
    n_numeric, n_categorical = column_counts(X)
    ctx = FitContext(
        task=task,
        n_rows=len(X),
        n_numeric=n_numeric,
        n_categorical=n_categorical,
        n_classes=n_classes,
        seed=seed,
        n_jobs=n_jobs,
        log_target=task == "regression" and log_target_helps(y),
        poisson_target=task == "regression" and poisson_helps(y),
        probability_metric=metric == "log_loss",
    )
    greater = metrics.METRICS[metric].greater_is_better
    n_folds = len(folds)
    fold_ctx = replace(ctx, n_rows=int(np.mean([len(f) for f, _ in folds])))
    states = {}
    for i, name in enumerate(families):
        sampler = optuna.samplers.TPESampler(seed=seed + i, n_startup_trials=5, multivariate=True)
        study = optuna.create_study(direction="minimize", sampler=sampler)
        states[name] = _FamilyState(name, study, _portfolio(name, ctx))
    oof: dict[int, np.ndarray] = {}
    models: dict = {}
    in_flight: dict = {}
    stop_reason = "time budget reached"
    tightened_at = -1
    plateau = _Plateau()

    def machine_factor() -> float:
        # Until anything ran, assume this machine is 1.5x slower than the one calibrated on.
        ratios = [r for s in states.values() for r in s.cost_ratios]
        return float(np.median(ratios)) if ratios else 1.5

    def next_cost(s: _FamilyState, remaining: float) -> float:
        # A portfolio entry that cannot finish in time is dropped, not allowed to block the family.
        while s.portfolio:
            cost = _estimate(s, s.portfolio[0], fold_ctx, n_folds, machine_factor())
            if cost <= remaining * 0.9:
                return cost
            s.portfolio.pop(0)
        if s.mean_seconds is not None:
            return s.mean_seconds
        return _estimate(s, {}, fold_ctx, n_folds, machine_factor())

    def pick() -> _FamilyState | None:
        remaining = deadline - time.monotonic()
        affordable = []
        for s in states.values():
            if s.failures >= 2 or s.timeouts >= 2 or s.skips >= 3:
                continue
            cost = next_cost(s, remaining)
            if cost > remaining * 0.9:
                continue
            affordable.append((s, cost))
        if not affordable:
            return None
        # Every family gets its first (portfolio) trial before any family gets a second, then
        # its second one: a single default can be badly off on a dataset (LightGBM's defaults
        # diverge on multiclass poker hands) while the family's next strong default is fine.
        for round_ in (0, 1):
            waiting = [
                s for s, _ in affordable if s.trials == round_ and s.portfolio and not s.pending
            ]
            if waiting:
                return waiting[0]
        best = min((s.best_loss for s in states.values()), default=math.inf)

        def gap(s: _FamilyState) -> float:
            return _relative_gap(s.best_loss, best) if math.isfinite(s.best_loss) else 10.0

        # A family far behind after a few trials is not worth more time, even if it is cheap.
        competitive = [(s, c) for s, c in affordable if gap(s) <= HOPELESS_GAP or s.trials < 3]
        if not competitive:
            return None

        def weight(item):
            s, cost = item
            return math.exp(-gap(s) / GAP_TEMPERATURE) / math.sqrt(cost) / math.sqrt(1 + s.trials)

        return max(competitive, key=weight)[0]

    def record(state: _FamilyState, otrial, params, source, result: CVResult) -> None:
        number = len(trials)
        state.trials += 1
        state.seconds += result.seconds
        if result.status == "ok":
            # Against the estimate the scheduler made, before the folds learned anything.
            raw = _raw_cost(state.name, params, fold_ctx, n_folds)
            state.cost_ratios.append(result.seconds / max(raw, 1e-3))
        params = {**params, **result.learned}
        score = _score_from_loss(result.loss, greater)
        finite = [s for s in result.fold_scores if math.isfinite(s)]
        trial = Trial(
            number=number,
            family=state.name,
            params=params,
            status=result.status,
            score=score if result.status == "ok" else math.nan,
            score_std=float(np.std(finite)) if len(finite) > 1 else math.nan,
            loss=result.loss,
            fold_scores=tuple(result.fold_scores),
            fit_seconds=result.seconds,
            source=source,
            error=result.error,
            extra=result.extra,
        )
        trials.append(trial)
        _note_convergence(state, params, result)
        if _raise_learning_rate(state, params, result):
            raised, kept = _spread_learning_rate(state, states.values())
            if progress is not None:
                progress.note(
                    f"{state.name} trial {number} reached its time limit still improving: "
                    f"{', '.join(raised)} trials from now on learn at rate >= "
                    f"{state.lr_floor:.2g}"
                    + (
                        f" ({', '.join(kept)} converged at slower rates within their time "
                        "and keep them)"
                        if kept
                        else ""
                    )
                )
        if otrial is not None:  # None: a default outside the search space, unknown to TPE
            if result.status == "ok":
                state.study.tell(otrial, result.loss)
            else:
                state.study.tell(otrial, state=optuna.trial.TrialState.FAIL)
        if result.status == "ok":
            state.best_loss = min(state.best_loss, result.loss)
            plateau.update(result.loss, len(trials))
            oof[number] = result.oof
            if result.model is not None:
                models[number] = result.model
            _prune_oof(oof, trials, state.name, models)
        else:
            if result.status == "failed":
                state.failures += 1
                logger.warning("%s trial failed: %s", state.name, result.error)
            else:
                state.timeouts += 1
        # The trial's fitted models are garbage now (forests free hundreds of MB of nodes).
        trim_if_grown()
        if progress is not None:
            best_trial = min((t for t in trials if t.ok), key=lambda t: t.loss, default=None)
            progress.trial(trial, best_trial, max(0.0, deadline - time.monotonic()))

    while True:
        deadline = current_deadline()
        if len(trials) + len(in_flight) >= max_trials:
            stop_reason = f"reached the cap of {max_trials} trials"
            break
        stalled = plateau.stalled_for(len(trials))
        if stalled and not any(s.portfolio for s in states.values()):
            stop_reason = (
                f"converged: the last {stalled} trials did not improve the best cross-validated "
                f"{metric} by {PLATEAU_GAIN:.1%}"
            )
            break
        while len(in_flight) < executor.max_workers:
            state = pick()
            first_anyway = (
                state is None
                and not trials
                and not in_flight
                and hard_deadline - time.monotonic() > MIN_FIRST_TRIAL
            )
            if first_anyway:
                # A run must deliver a model: the first family's first default may use the time
                # kept for refits, rather than the run ending with nothing.
                state = states[families[0]]
                deadline = hard_deadline
            if state is None:
                break
            if state.portfolio:
                fixed = _at_least(state.portfolio.pop(0), state.lr_floor)
                otrial, params = _ask_fixed(state, fixed, ctx)
                source = "portfolio"
            else:
                if state.lr_floor:
                    # Fix only the learning rate (above the floor); TPE samples the rest.
                    state.study.enqueue_trial(
                        {"learning_rate": _faster_rate(state.lr_floor, seed + len(trials))},
                        skip_if_exists=False,
                    )
                otrial = state.study.ask()
                params = _sample(state.name, otrial, ctx)
                source = "search"
                cost = _estimate(state, params, fold_ctx, n_folds, machine_factor())
                if cost > (deadline - time.monotonic()) * 0.9 and not first_anyway:
                    # Too slow for the time left (e.g. thousands of trees): do not start it.
                    state.study.tell(otrial, state=optuna.trial.TrialState.PRUNED)
                    state.skips += 1
                    continue
                state.skips = 0
            # Cost models can be far off (deep trees on noisy data): cap each trial at a few
            # times its estimate, or a sixth of the search, so one trial cannot eat the budget.
            # An early-stopped booster that reaches its cap keeps its best round so far (a valid
            # model, so even the first trial can be capped), and a slow-converging one raises
            # the learning rate of the next trials: it is capped tighter (CatBoost on california
            # housing took 30 s of a 36 s search with the looser cap).
            graceful = get_spec(state.name).early_stopping is not None
            factor, share = (GRACEFUL_CAP, GRACEFUL_SHARE) if graceful else (3.0, 6)
            estimate = _estimate(state, params, fold_ctx, n_folds, machine_factor())
            now = time.monotonic()
            trial_deadline = min(
                deadline, now + max(factor * estimate, (hard_deadline - start) / share, 2.0)
            )
            fold_estimate = 0.5 * estimate / max(n_folds, 1)  # half: estimates are rough
            if not any(t.ok for t in trials) and not graceful:
                # Until something has finished, nothing is capped, and the first trial may use
                # the time kept for refits: a run must deliver a model.
                trial_deadline, fold_estimate = hard_deadline, 0.0
            future = executor.submit(
                cross_validate,
                state.name,
                params,
                X,
                y,
                folds,
                ctx,
                metric,
                trial_deadline,
                fold_estimate,
            )
            in_flight[future] = (state, otrial, params, source)
            state.pending[future] = True
        if not in_flight:
            if (
                tighten is not None
                and tightened_at != len(trials)
                and any(t.ok for t in trials)
                and time.monotonic() < hard_deadline
            ):
                tightened_at = len(trials)
                try:
                    narrowed = tighten(trials, oof, models)
                except Exception:  # an estimate, never worth ending the run over
                    logger.warning("could not narrow the end-of-search reserve", exc_info=True)
                    narrowed = False
                if narrowed:
                    continue
            if any(s.trials for s in states.values()) or time.monotonic() >= deadline:
                if deadline - time.monotonic() > 1.0:
                    stop_reason = (
                        "no remaining candidate is both competitive and fits in the time left "
                        f"({deadline - time.monotonic():.1f} s)"
                    )
            else:
                stop_reason = "no candidate fits in the time budget"
            break
        done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
        for future in done:
            state, otrial, params, source = in_flight.pop(future)
            state.pending.pop(future, None)
            try:
                result = future.result()
            except Exception as exc:
                result = CVResult("failed", None, [], math.inf, 0.0, f"{type(exc).__name__}: {exc}")
            record(state, otrial, params, source, result)

    leaderboard = Leaderboard(metric, greater, tuple(trials))
    logger.info(
        "search: %d trials in %.1f s (%s)", len(trials), time.monotonic() - start, stop_reason
    )
    return SearchResult(leaderboard, oof, stop_reason, time.monotonic() - start, models)


def _raise_learning_rate(state: _FamilyState, params: dict, result: CVResult) -> bool:
    """After an early-stopped trial that its time limit stopped, raise the family's floor;
    True when it rose."""
    stopped = (result.extra or {}).get("early_stopping", {}).get("deadline", False)
    if stopped and "learning_rate" in params:
        faster = round(min(MAX_LEARNING_RATE, LR_ESCALATION * float(params["learning_rate"])), 4)
        if faster > state.lr_floor:
            state.lr_floor = faster
            logger.info(
                "%s: trial stopped by its time limit before converging; next learning rates "
                ">= %.3g",
                state.name,
                faster,
            )
            return True
    return False


def _note_convergence(state: _FamilyState, params: dict, result: CVResult) -> None:
    """Remember the slowest learning rate at which the family converged within its time."""
    stopping = (result.extra or {}).get("early_stopping")
    if result.status == "ok" and stopping is not None and not stopping.get("deadline", False):
        rate = params.get("learning_rate")
        if rate is not None:
            state.converged_lr = min(state.converged_lr, float(rate))


def _spread_learning_rate(source: _FamilyState, states) -> tuple[list[str], list[str]]:
    """Raise the floor of the other early-stopped families to ``source``'s; (names of the
    families whose floor rose to it, ``source`` first; names of those that keep a slower one).

    Needing many rounds is mostly a property of the data (poker hands need thousands at 0.1
    in every library), so a family that has not shown otherwise starts from the faster rate
    too. But a round costs very different time in each library: a family that already
    converged within its own time limit at a slower rate keeps its floor (CatBoost capped at
    0.08 on california housing had pushed LightGBM, converged at 0.1 in 2 s, to >= 0.24).
    """
    raised, kept = [source.name], []
    for other in states:
        if other is source or get_spec(other.name).early_stopping is None:
            continue
        if other.lr_floor >= source.lr_floor:
            continue
        if other.converged_lr < source.lr_floor:
            kept.append(other.name)
            continue
        other.lr_floor = source.lr_floor
        raised.append(other.name)
    return raised, kept


def _at_least(params: dict, lr_floor: float) -> dict:
    """``params`` with its learning rate raised to ``lr_floor`` (portfolio entries)."""
    if lr_floor and params.get("learning_rate", math.inf) < lr_floor:
        return {**params, "learning_rate": lr_floor}
    return params


def _faster_rate(lr_floor: float, seed: int) -> float:
    """A learning rate drawn log-uniformly between the floor and the top of the range."""
    if lr_floor >= MAX_LEARNING_RATE:
        return MAX_LEARNING_RATE
    rng = np.random.default_rng(seed)
    return float(np.exp(rng.uniform(np.log(lr_floor), np.log(MAX_LEARNING_RATE))))


def _ask_fixed(state: _FamilyState, fixed: dict, ctx: FitContext):
    """(Optuna trial, parameters) of a portfolio entry: enqueued, so sampling it returns the
    fixed values and TPE learns from them. An entry outside the family's search space (a
    batch size the sampler does not offer) raises inside Optuna: it then runs as given,
    without a trial TPE learns from, rather than ending the whole run."""
    import optuna

    state.study.enqueue_trial(fixed, skip_if_exists=False)
    otrial = state.study.ask()
    try:
        return otrial, {**_sample(state.name, otrial, ctx), **fixed}
    except ValueError as exc:
        logger.warning("%s default %s is outside its search space (%s)", state.name, fixed, exc)
        state.study.tell(otrial, state=optuna.trial.TrialState.FAIL)
        return None, dict(fixed)


def _sample(family: str, trial, ctx: FitContext) -> dict:
    params = get_spec(family).sample(trial, ctx)
    if ctx.log_target:
        params["log_target"] = trial.suggest_categorical("log_target", [True, False])
    return params


def _portfolio(family: str, ctx: FitContext) -> list[dict]:
    """The family's strong defaults; on a skewed positive target, the first one on log(y) too."""
    entries = list(get_spec(family).portfolio(ctx))
    if not ctx.log_target or not entries:
        return entries
    return [{**entries[0], "log_target": True}] + [{**e, "log_target": False} for e in entries]


def _score_from_loss(loss: float, greater_is_better: bool) -> float:
    return -loss if greater_is_better else loss


def _prune_oof(oof: dict, trials: list[Trial], family: str, models: dict) -> None:
    """Keep out-of-fold outputs (and fold models) only for the best few trials of each family,
    and fold models only within HOPELESS_GAP of the best trial (memory)."""
    mine = sorted(
        (t for t in trials if t.family == family and t.number in oof), key=lambda t: t.loss
    )
    for t in mine[KEEP_MODELS_PER_FAMILY:]:
        models.pop(t.number, None)
    for t in mine[KEEP_OOF_PER_FAMILY:]:
        oof.pop(t.number, None)
    # A model far behind the best would not join the final ensemble, yet a forest over many
    # classes holds 100+ MB until the run ends (60 classes, one validation split: a random
    # forest at log loss 2.26 against XGBoost's 1.15 kept ~150 MB resident through the review).
    best = min((t.loss for t in trials if t.ok), default=math.inf)
    if math.isfinite(best):
        for t in trials:
            if t.number in models and _relative_gap(t.loss, best) > HOPELESS_GAP:
                models.pop(t.number)
