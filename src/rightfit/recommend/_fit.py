"""fit_recommender: read, split by time, tune, evaluate every family on held-out data, deliver."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from rightfit import __version__
from rightfit.budget import Budget
from rightfit.data import read_table
from rightfit.errors import ConfigError, DataError, did_you_mean
from rightfit.progress import Progress, SilentProgress
from rightfit.recommend._data import read_interactions
from rightfit.recommend._evaluate import evaluate_scorer
from rightfit.recommend._families import FAMILIES, fit_family, popularity_of
from rightfit.recommend._lift import lift_evidence
from rightfit.recommend._lift import method as lift_method
from rightfit.recommend._model import Recommender
from rightfit.recommend._repeat import event_log
from rightfit.recommend._split import (
    build_matrix,
    relevance_threshold,
    relevant_items,
    repeat_share,
    time_split,
)
from rightfit.recommend._tune import RecTrial, tune

logger = logging.getLogger(__name__)

BASELINE = "popularity"


def _families(models: str | Sequence[str] | None, repeats: bool = False) -> list[str]:
    # with repeats the repeat-aware family comes right after the baseline: it is the point of
    # the option, so a tight budget must not spend itself on the others first
    offered = [BASELINE]
    offered += [n for n in FAMILIES if repeats and FAMILIES[n].repeats_only]
    offered += [n for n in FAMILIES if n not in offered and not FAMILIES[n].repeats_only]
    if models is None:
        return offered
    names = [m.strip() for m in models.split(",")] if isinstance(models, str) else list(models)
    for name in names:
        if name in FAMILIES and name not in offered:
            raise ConfigError(
                f"The {name!r} family recommends already-bought items; it needs --repeats "
                "(repeats=True), which also makes re-purchases count in the evaluation."
            )
        if name not in FAMILIES:
            raise ConfigError(
                f"Unknown recommender family {name!r}.{did_you_mean(name, offered)} "
                f"Families: {', '.join(offered)}."
            )
    names = sorted(names, key=lambda n: not FAMILIES[n].repeats_only)  # stable: see above
    return [BASELINE, *[n for n in names if n != BASELINE]]  # the baseline is always measured


def _n_threads() -> int:
    value = os.environ.get("RIGHTFIT_N_JOBS")
    return max(1, int(value)) if value and value.isdigit() else 0


def _best_trials(trials: list[RecTrial]) -> dict[str, RecTrial]:
    """Each family's configuration to evaluate: the one-standard-error rule.

    Validation sets are small, so the top validation score is partly luck (more so after many
    trials). Among the trials within one standard error of the family's best, the earliest
    wins: the strong defaults come first, then configurations in the order they were tried.
    """
    scored = [t for t in trials if t.ndcg is not None]
    best: dict[str, RecTrial] = {}
    for family in dict.fromkeys(t.family for t in scored):
        own = [t for t in scored if t.family == family]
        leader = max(own, key=lambda t: t.ndcg)
        best[family] = next(t for t in own if t.ndcg >= leader.ndcg - leader.ndcg_se)
    return best


def _lift(value: float, baseline: float) -> float | None:
    return None if baseline <= 0 else round(value / baseline - 1, 4)


def _known_user_entry(result: dict, base: dict) -> dict[str, Any]:
    """Metrics on the users with a training history only (cold-start users left out)."""
    if "at_10_known_users" not in result:
        return {}
    known, known_base = result["at_10_known_users"], base["at_10_known_users"]
    entry = {
        "at_10_known_users": known,
        "lift_over_popularity_known_users": {
            "ndcg_at_10": _lift(known["ndcg"], known_base["ndcg"]),
            "recall_at_10": _lift(known["recall"], known_base["recall"]),
        },
    }
    if "at_10_cold_start_users" in result:
        entry["at_10_cold_start_users"] = result["at_10_cold_start_users"]
    return entry


def _verdict_text(evidence: dict[str, Any]) -> str:
    """The chosen family's verdicts for the reason text (none for the baseline itself)."""
    return "".join(f"; {evidence[k]}" for k in ("verdict", "verdict_known_users") if k in evidence)


def _protocol(split, n_known: int, n_cold: int, repeats: bool) -> dict[str, Any]:
    """The evaluation rules, written down: the same for every candidate, popularity included."""
    if repeats:
        rules = {
            "repeats": "allowed: already-bought items may be recommended",
            "targets": "per user, every held-out item, re-purchases of items in that user's "
            "training history included",
            "served_lists": "the top 10 items of each candidate with NOTHING masked (the user's "
            "own history neither; popularity included, so the baseline is compared fairly); "
            "users without a training history get the most popular items (recently popular "
            "ones for trending and candidates with a popularity half-life)",
            "repeat_note": "held-out (user, item) pairs of users with a history that repeat an "
            "item from their training history; they are targets under this protocol",
        }
    else:
        rules = {
            "repeats": "excluded: already-bought items are never recommended (the default)",
            "targets": "per user, the held-out items NOT in that user's training history",
            "served_lists": "the top 10 items the user has not interacted with in training (the "
            "same masking as `rightfit predict`); users without a training history get the "
            "most popular items (recently popular ones for trending and candidates with a "
            "popularity half-life)",
            "repeat_note": "held-out (user, item) pairs of users with a history that repeat an "
            "item from their training history; they are not targets, as served lists exclude "
            "them (rerun with --repeats to recommend and count them)",
        }
    return {
        "repeats_allowed": repeats,
        **rules,
        "same_rule_for_every_candidate": True,
        "users_counted": f"{n_known + n_cold:,} users with at least one "
        f"{'held-out target' if repeats else 'new held-out item'}: "
        f"{n_known:,} with a training history (at_10_known_users) and {n_cold:,} cold-start "
        "users (at_10_cold_start_users); at_10 averages over all of them",
        "repeat_share_of_held_out_pairs": repeat_share(split.train, split.test),
    }


def fit_recommender(
    data: str | os.PathLike | pd.DataFrame,
    *,
    user: str,
    item: str,
    rating: str | None = None,
    strength: str | None = None,
    time_column: str | None = None,
    models: str | Sequence[str] | None = None,
    time_budget: float | Budget = 60.0,
    seed: int = 0,
    progress: Progress | None = None,
    repeats: bool = False,
) -> Recommender:
    """Learn to recommend items from user-item interactions, evaluated on each user's latest.

    Parameters
    ----------
    data : path to a CSV/Parquet file, or a DataFrame; one row per interaction.
    user, item : the user and item id columns.
    rating : explicit ratings column; or ``strength`` for implicit amounts (quantity, views);
        with neither, every row counts once.
    time_column : the column giving the time order (default: the date column found, else
        the file order).
    models : families to try (popularity, trending, ease, item_knn, als, two_tower); popularity
        is always measured as the baseline.
    time_budget : float or Budget, default=60
        Wall-clock seconds for the whole run.
    seed : random seed.
    progress : reporter of stages (default: silent).
    repeats : bool, default=False
        Already-bought items may be recommended ("buy again"). The evaluation then counts
        re-purchases as targets and masks no candidate's lists, the repeat-aware family is
        tried, and the delivered model serves repeats unless asked otherwise. Without it,
        items in a user's history are excluded everywhere.

    Returns
    -------
    Recommender

    Examples
    --------
    >>> model = fit_recommender("orders.csv", user="customer", item="sku")  # doctest: +SKIP
    >>> model.recommend_frame(pd.DataFrame({"customer": ["c1"]}), top_k=5)  # doctest: +SKIP
    """
    budget = time_budget if isinstance(time_budget, Budget) else Budget(time_budget)
    progress = progress or SilentProgress()
    families = _families(models, repeats)
    n_threads = _n_threads()
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 3)
        clock = now

    table = read_table(data)
    interactions = read_interactions(table, user, item, rating, strength, time_column)
    frame = interactions.frame
    for note in interactions.notes:
        progress.note(note)
    threshold = relevance_threshold(frame, interactions.feedback)
    split = time_split(frame)
    relevant = relevant_items(split.train, split.test, threshold, repeats)
    if not relevant:
        raise DataError(
            "No user has a held-out interaction"
            + ("" if repeats else " with an item new to them")
            + ", so recommendations cannot be evaluated. Check --user/--item (and --time), "
            "or pass more interactions."
        )
    progress.stage("split", split.description)
    lap("prepare")

    progress.stage("search", f"{', '.join(families)}; validation on each user's latest events")
    trials, stop_reason = tune(
        split.train,
        interactions.feedback,
        threshold,
        families,
        budget.child(0.6),
        seed,
        n_threads,
        progress,
        repeats,
    )
    lap("search")
    best = _best_trials(trials)
    if BASELINE not in best:
        if not trials or budget.remaining() <= 0:
            from rightfit.errors import BudgetError

            raise BudgetError(
                "No recommender finished within the time budget, not even the popularity "
                "baseline. Increase --time-budget."
            )
        raise DataError("The popularity baseline could not be fitted; the data is too small.")

    users = pd.Index(sorted(split.train["user"].unique()))
    items = pd.Index(sorted(split.train["item"].unique()))
    history = build_matrix(split.train, users, items, interactions.feedback)
    popularity = popularity_of(history)
    needs_events = any(FAMILIES[f].needs_events for f in best)
    events = event_log(split.train, users, items) if needs_events else None
    progress.stage("evaluate", f"best configuration of each family on {len(relevant):,} users")
    results: dict[str, dict[str, Any]] = {}
    for family, trial in best.items():
        start = time.monotonic()
        scorer = fit_family(
            family, history, popularity, trial.params, seed, n_threads, events=events
        )
        results[family] = {
            **evaluate_scorer(
                scorer, users, items, relevant, exclude_seen=not repeats, per_user=True
            ),
            "fit_seconds": round(time.monotonic() - start, 3),
        }
        if family != BASELINE and budget.remaining() < 2 * (time.monotonic() - start):
            break
    base = results[BASELINE]
    chosen = max(
        (f for f in results), key=lambda f: (best[f].ndcg, f == BASELINE)
    )  # validation decides; the test figures below are reported, never used to choose
    evidence = {
        f: lift_evidence(results[f]["per_user_at_10"], base["per_user_at_10"], seed)
        for f in results
        if f != BASELINE
    }
    lap("evaluate")
    candidates = []
    for family in families:
        entry: dict[str, Any] = {
            "family": family,
            "description": FAMILIES[family].description,
            "n_trials": sum(1 for t in trials if t.family == family and t.status == "ok"),
        }
        if family in results:
            r = results[family]
            entry.update(
                params=best[family].to_dict()["params"],
                validation_ndcg_at_10=round(best[family].ndcg, 5),
                at_10=r["at_10"],
                at_5=r["at_5"],
                lift_over_popularity={
                    "ndcg_at_10": _lift(r["at_10"]["ndcg"], base["at_10"]["ndcg"]),
                    "recall_at_10": _lift(r["at_10"]["recall"], base["at_10"]["recall"]),
                },
                **_known_user_entry(r, base),
                **evidence.get(family, {}),
                fit_seconds=r["fit_seconds"],
                status="ok",
            )
        else:
            # tuned but never evaluated (the budget ran out first): its last trial may be "ok",
            # which must not read as a candidate with held-out metrics
            failed = [t for t in trials if t.family == family and family not in best]
            entry.update(
                status=failed[-1].status if failed else "skipped",
                error=failed[-1].error
                if failed
                else "time budget: not evaluated on the held-out data",
            )
        candidates.append(entry)
    reason = (
        f"{chosen}: best validation NDCG@10 ({best[chosen].ndcg:.4f}) on the training users' "
        "latest events; held-out test NDCG@10 "
        f"{results[chosen]['at_10']['ndcg']:.4f} vs popularity {base['at_10']['ndcg']:.4f}"
        + _verdict_text(evidence.get(chosen, {}))
    )
    progress.note(f"chosen: {reason}")

    # Deliver: refit on every interaction, so the latest behaviour counts, if time allows.
    all_users = pd.Index(sorted(frame["user"].unique()))
    all_items = pd.Index(sorted(frame["item"].unique()))
    fit_cost = results[chosen]["fit_seconds"] * len(frame) / max(1, len(split.train))
    if budget.remaining() > 1.5 * fit_cost + 0.5:
        full = build_matrix(frame, all_users, all_items, interactions.feedback)
        full_events = event_log(frame, all_users, all_items) if needs_events else None
        delivered = fit_family(
            chosen,
            full,
            popularity_of(full),
            best[chosen].params,
            seed,
            n_threads,
            events=full_events,
        )
        delivered_info = {"fitted_on": "all interactions", "n_interactions": len(frame)}
    else:
        all_users, all_items = users, items
        delivered = fit_family(
            chosen, history, popularity, best[chosen].params, seed, n_threads, events=events
        )
        delivered_info = {
            "fitted_on": "training interactions",
            "n_interactions": len(split.train),
            "note": "the refit on all interactions would not fit in the time budget",
        }
    delivered.user_ids = np.asarray(all_users, dtype=str)
    delivered.item_ids = np.asarray(all_items, dtype=str)
    delivered_info.update(n_users=len(all_users), n_items=len(all_items))
    lap("refit")
    timings["total"] = round(budget.elapsed(), 3)
    n_cold = base["n_cold_start"]
    record = {
        "kind": "recommendation",
        "task": "recommendation",
        "rightfit_version": __version__,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "time_budget": budget.seconds,
        "seed": seed,
        "data": table.to_dict(),
        "interactions": interactions.to_dict(),
        "split": split.to_dict(),
        "repeats": repeats,
        "relevance": (
            (
                "every held-out item, re-purchases included"
                if repeats
                else "held-out items the user had not interacted with in training"
            )
            + ("" if threshold is None else f", rated at least {threshold:g} (the median rating)")
        ),
        "protocol": _protocol(split, base["n_known"], base["n_cold_start"], repeats),
        "metric": "ndcg_at_10",
        "baseline": BASELINE,
        "candidates": candidates,
        "metrics_at_10": {f: results[f]["at_10"] for f in results},
        "metrics_at_5": {f: results[f]["at_5"] for f in results},
        "chosen": {
            "family": chosen,
            "params": best[chosen].to_dict()["params"],
            "reason": reason,
            **{k: v for k, v in evidence.get(chosen, {}).items() if k.startswith("verdict")},
        },
        "lift_over_popularity": next(
            c["lift_over_popularity"] for c in candidates if c["family"] == chosen
        ),
        "lift_uncertainty": lift_method(seed),
        "cold_start": {
            "evaluated_users": base["n_users"],
            "cold_start_users": n_cold,
            "note": f"{n_cold:,} of {base['n_users']:,} evaluated users had no training "
            "interactions and were served the most popular items by every candidate (recently "
            "popular ones by trending and candidates with a popularity half-life); at "
            "predict time every unknown user is served the same way",
        },
        "search": {
            "seconds": timings["search"],
            "n_trials": len(trials),
            "stop_reason": stop_reason,
            "selection": "per family, the earliest trial within one standard error of its best "
            "validation NDCG@10 (the strong defaults come first); across families, the best "
            "validation NDCG@10",
        },
        "trials": [t.to_dict() for t in trials],
        "delivered_model": delivered_info,
        "timings": timings,
    }
    return Recommender(delivered, record)
