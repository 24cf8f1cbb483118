"""Top-k lists for known users (seen items masked unless repeats are allowed) and their metrics.

Besides the means, :func:`evaluate_scorer` can hand back each user's NDCG@10 and recall@10 in
one fixed user order, so two candidates are compared user by user (a paired bootstrap).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rightfit.recommend._metrics import ranking_metrics, top_k, user_metrics
from rightfit.recommend._scorer import InteractionScorer

# Users scored at a time: a dense users x items block of at most this many scores (160 MB).
CHUNK_CELLS = 20_000_000
CUTOFFS = (5, 10)


def top_items(
    scorer: InteractionScorer, user_rows: np.ndarray, k: int, exclude_seen: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Item columns (n, k) and scores (n, k) of each user's best items; -1 where none is left."""
    out_items, out_scores = [], []
    chunk = max(1, CHUNK_CELLS // max(1, len(scorer.popularity)))
    for start in range(0, len(user_rows), chunk):
        rows = user_rows[start : start + chunk]
        scores = scorer.scores(rows)
        if exclude_seen:
            seen = scorer.seen(rows).tocoo()
            scores[seen.row, seen.col] = -np.inf
        best = top_k(scores, k)
        picked = np.take_along_axis(scores, best, axis=1)
        best = np.where(np.isfinite(picked), best, -1)
        out_items.append(best)
        out_scores.append(picked)
    if not out_items:
        return np.empty((0, k), dtype=int), np.empty((0, k))
    return np.vstack(out_items), np.vstack(out_scores)


def popular_items(popularity: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` most popular item columns, most popular first."""
    return top_k(np.asarray(popularity, dtype=float)[None, :], k)[0]


def evaluate_scorer(
    scorer: InteractionScorer,
    users: pd.Index,
    items: pd.Index,
    relevant: dict[str, set[str]],
    cutoffs: tuple[int, ...] = CUTOFFS,
    with_spread: bool = False,
    exclude_seen: bool = True,
    per_user: bool = False,
) -> dict[str, Any]:
    """Metrics at each cut-off over the users with held-out relevant items.

    Users unknown to the scorer (cold start) get the most popular items, as at predict time
    (by the scorer's popularity: recency-weighted for trending and a popularity half-life).
    ``exclude_seen=False`` (the repeats protocol) serves lists that may hold the user's own
    past items; the same rule then applies to every candidate, popularity included.

    ``per_user=True`` adds ``per_user_at_10``: ``users`` (the order of ``relevant``, the same
    for every scorer), ``known`` (bool: the user has a training history) and the arrays
    ``ndcg`` and ``recall`` at 10, one value per user; the means above are unchanged.
    """
    eval_users = list(relevant)
    rows = users.get_indexer(eval_users)
    known = rows >= 0
    k = max(cutoffs)
    item_ids = np.asarray(items, dtype=object)
    columns, _ = top_items(scorer, rows[known], k, exclude_seen)
    fallback = [item_ids[c] for c in popular_items(scorer.popularity, k)]
    recommended: list[list[str]] = []
    known_lists = iter(columns)
    for is_known in known:
        if is_known:
            recommended.append([item_ids[c] for c in next(known_lists) if c >= 0])
        else:
            recommended.append(list(fallback))
    truth = [relevant[u] for u in eval_users]
    result: dict[str, Any] = {
        f"at_{cut}": {
            name: round(value, 5)
            for name, value in ranking_metrics(
                recommended, truth, cut, len(items), with_spread
            ).items()
        }
        for cut in cutoffs
    }
    # Cold-start users get the same popular items from every candidate; the users with a
    # history are where candidates differ, so both groups are always reported on their own.
    groups = {
        "at_10_known_users": [i for i, is_known in enumerate(known) if is_known],
        "at_10_cold_start_users": [i for i, is_known in enumerate(known) if not is_known],
    }
    for name, members in groups.items():
        if members:
            result[name] = {
                metric: round(value, 5)
                for metric, value in ranking_metrics(
                    [recommended[i] for i in members], [truth[i] for i in members], 10, len(items)
                ).items()
            }
    if per_user:
        values = user_metrics(recommended, truth, 10)
        result["per_user_at_10"] = {
            "users": eval_users,
            "known": known.copy(),
            "ndcg": values["ndcg"],
            "recall": values["recall"],
        }
    result["n_users"] = len(eval_users)
    result["n_cold_start"] = int((~known).sum())
    result["n_known"] = int(known.sum())
    return result
