"""Time-budgeted tuning of the recommender families on a validation split of the training rows.

Like the tabular search: every family's default portfolio first, then the family with the best
expected gain per second, whose Optuna TPE study proposes the next configuration. Validation
NDCG@10 ranks trials; the held-out test interactions are never used here.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rightfit.budget import Budget
from rightfit.progress import Progress
from rightfit.recommend._evaluate import evaluate_scorer
from rightfit.recommend._families import FAMILIES, fit_family, popularity_of
from rightfit.recommend._repeat import event_log
from rightfit.recommend._split import build_matrix, relevant_items, time_split

logger = logging.getLogger(__name__)

GAP_TEMPERATURE = 0.02
HOPELESS_GAP = 0.10
# Importing TensorFlow alone takes seconds; no two-tower trial starts with less time than this.
KERAS_FIRST_COST = 12.0
# Validation sets are often a few hundred users: hundreds of trials would fit their noise.
MAX_TRIALS_PER_FAMILY = 30


@dataclass
class RecTrial:
    """One configuration of one family, scored on the validation split."""

    family: str
    params: dict[str, Any]
    ndcg: float | None = None
    recall: float | None = None
    ndcg_se: float = 0.0
    seconds: float = 0.0
    status: str = "ok"
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "params": {
                k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.params.items()
            },
            "validation_ndcg_at_10": None if self.ndcg is None else round(self.ndcg, 5),
            "validation_recall_at_10": None if self.recall is None else round(self.recall, 5),
            "validation_ndcg_standard_error": round(self.ndcg_se, 5),
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "error": self.error,
        }


@dataclass
class _State:
    name: str
    study: Any
    portfolio: list[dict]
    trials: list[RecTrial] = field(default_factory=list)

    @property
    def best(self) -> float:
        scores = [t.ndcg for t in self.trials if t.ndcg is not None]
        return max(scores) if scores else -math.inf

    @property
    def needed_seconds(self) -> float:
        """Time left that a next trial needs: its a-priori cost, or 1.5 x the measured mean."""
        return self.mean_seconds * (1.5 if self.trials else 1.0)

    @property
    def mean_seconds(self) -> float:
        done = [t.seconds for t in self.trials]
        return (
            sum(done) / len(done)
            if done
            else (KERAS_FIRST_COST if self.name == "two_tower" else 1.0)
        )


def _suggest(trial, space: dict[str, tuple]) -> dict[str, Any]:
    params = {}
    for name, spec in space.items():
        kind = spec[0]
        if kind == "int":
            params[name] = trial.suggest_int(name, spec[1], spec[2])
        elif kind == "float":
            params[name] = trial.suggest_float(name, spec[1], spec[2])
        elif kind == "log":
            params[name] = trial.suggest_float(name, spec[1], spec[2], log=True)
        else:
            params[name] = trial.suggest_categorical(name, list(spec[1]))
    return params


def _weight(state: _State, leader: float) -> float:
    gap = 0.0 if leader <= 0 or not math.isfinite(state.best) else (leader - state.best) / leader
    if len(state.trials) >= 3 and gap > HOPELESS_GAP:
        return 0.0
    return (
        math.exp(-gap / GAP_TEMPERATURE)
        / math.sqrt(max(state.mean_seconds, 0.05))
        / math.sqrt(1 + len(state.trials))
    )


def tune(
    train: pd.DataFrame,
    feedback: str,
    threshold: float | None,
    families: list[str],
    budget: Budget,
    seed: int,
    n_threads: int,
    progress: Progress,
    repeats: bool = False,
) -> tuple[list[RecTrial], str]:
    """Every trial run in the budget, in the order run, and why the search stopped.

    ``train`` must be the outer training rows only: the validation split is carved from it,
    so no held-out test row can shape a configuration (a repeat-aware weight included).
    ``repeats`` applies the repeats protocol (re-purchases are targets, nothing masked).
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    split = time_split(train)
    users = pd.Index(sorted(split.train["user"].unique()))
    items = pd.Index(sorted(split.train["item"].unique()))
    history = build_matrix(split.train, users, items, feedback)
    popularity = popularity_of(history)
    relevant = relevant_items(split.train, split.test, threshold, repeats)
    events = (
        event_log(split.train, users, items)
        if any(FAMILIES[name].needs_events for name in families)
        else None
    )
    states = []
    for i, name in enumerate(families):
        family = FAMILIES[name]
        sampler = optuna.samplers.TPESampler(seed=seed + i, n_startup_trials=4)
        study = optuna.create_study(direction="maximize", sampler=sampler) if family.space else None
        states.append(_State(name, study, list(family.defaults)))
    trials: list[RecTrial] = []

    def run(state: _State) -> None:
        family = FAMILIES[state.name]
        otrial = None
        if state.portfolio:
            params = state.portfolio.pop(0)
            if state.study is not None:
                state.study.enqueue_trial(params)
                otrial = state.study.ask()
                params = _suggest(otrial, family.space)
        else:
            otrial = state.study.ask()
            params = _suggest(otrial, family.space)
        trial = RecTrial(state.name, params)
        start = time.monotonic()
        try:
            scorer = fit_family(
                state.name, history, popularity, params, seed, n_threads, budget.deadline, events
            )
            result = evaluate_scorer(
                scorer,
                users,
                items,
                relevant,
                cutoffs=(10,),
                with_spread=True,
                exclude_seen=not repeats,
            )["at_10"]
            trial.ndcg, trial.recall, trial.ndcg_se = (
                result["ndcg"],
                result["recall"],
                result["ndcg_se"],
            )
        except (ValueError, RuntimeError, MemoryError, ImportError) as error:
            trial.status, trial.error = "failed", f"{type(error).__name__}: {error}"
        trial.seconds = time.monotonic() - start
        if otrial is not None:
            if trial.ndcg is None:
                state.study.tell(otrial, state=optuna.trial.TrialState.FAIL)
            else:
                state.study.tell(otrial, trial.ndcg)
        state.trials.append(trial)
        trials.append(trial)
        logger.debug("trial %s", trial.to_dict())

    # Portfolio first: every family's defaults, in order, while they fit in the time left.
    while any(s.portfolio for s in states):
        for state in states:
            if state.portfolio and budget.remaining() > state.needed_seconds:
                run(state)
            elif state.portfolio:
                state.portfolio.clear()
                trials.append(RecTrial(state.name, {}, status="skipped", error="time budget"))
    while True:
        leader = max((s.best for s in states), default=-math.inf)
        open_states = [
            s
            for s in states
            if s.study is not None
            and s.trials
            and budget.remaining() > s.needed_seconds
            and _weight(s, leader) > 0
            and len(s.trials) < MAX_TRIALS_PER_FAMILY
        ]
        if not open_states:
            waiting = [
                s
                for s in states
                if s.study is not None
                and s.trials
                and _weight(s, leader) > 0
                and len(s.trials) < MAX_TRIALS_PER_FAMILY
            ]
            stop_reason = (
                "time budget"
                if waiting
                else "every family reached its trial cap or fell over 10% behind the leader"
            )
            break
        weights = np.array([_weight(s, leader) for s in open_states])
        run(open_states[int(np.argmax(weights))])
    for state in states:
        if state.trials:
            progress.note(
                f"{state.name}: {len(state.trials)} trial(s), best validation NDCG@10 "
                f"{state.best:.4f}, {sum(t.seconds for t in state.trials):.1f} s"
            )
    return trials, stop_reason
