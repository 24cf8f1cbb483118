"""Top-k ranking metrics on held-out interactions: precision, recall, NDCG, MAP, coverage."""

from __future__ import annotations

import numpy as np

METRIC_NAMES = ("precision", "recall", "ndcg", "map")


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` highest scores per row, best first (ties: lower index)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def ranking_metrics(
    recommended: list[list[str]],
    relevant: list[set[str]],
    k: int,
    n_items: int,
    with_spread: bool = False,
) -> dict[str, float]:
    """Mean precision@k, recall@k, NDCG@k and MAP@k over users, plus catalogue coverage.

    Parameters
    ----------
    recommended : per user, the recommended items, best first (at least ``k`` when possible).
    relevant : per user, the held-out relevant items (non-empty).
    k : cut-off.
    n_items : catalogue size, for coverage (share of items recommended to anyone).
    with_spread : also return ``ndcg_se``, the standard error of the mean NDCG over users.

    Examples
    --------
    >>> m = ranking_metrics([["a", "b"], ["c", "a"]], [{"a"}, {"a", "d"}], k=2, n_items=4)
    >>> m["precision"], m["recall"], round(m["ndcg"], 4), m["coverage"]
    (0.5, 0.75, 0.6934, 0.75)
    """
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    sums = dict.fromkeys(METRIC_NAMES, 0.0)
    shown: set[str] = set()
    per_user_ndcg = []
    for items, truth in zip(recommended, relevant, strict=True):
        items = items[:k]
        shown.update(items)
        hits = np.array([item in truth for item in items], dtype=bool)
        n_hits = int(hits.sum())
        sums["precision"] += n_hits / k
        sums["recall"] += n_hits / len(truth)
        ideal = discounts[: min(len(truth), k)].sum()
        per_user_ndcg.append(float(discounts[: len(items)][hits].sum() / ideal))
        sums["ndcg"] += per_user_ndcg[-1]
        if n_hits:
            precision_at_hits = np.cumsum(hits)[hits] / (np.flatnonzero(hits) + 1)
            sums["map"] += float(precision_at_hits.sum() / min(len(truth), k))
    n = max(1, len(relevant))
    out = {name: value / n for name, value in sums.items()}
    out["coverage"] = len(shown) / max(1, n_items)
    if with_spread:
        spread = np.std(per_user_ndcg, ddof=1) if len(per_user_ndcg) > 1 else 0.0
        out["ndcg_se"] = float(spread / np.sqrt(max(1, len(per_user_ndcg))))
    return out
