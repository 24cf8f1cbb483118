"""Top-k ranking metrics on held-out interactions: precision, recall, NDCG, MAP, coverage.

The per-user values are kept (:func:`user_metrics`), not only their means: comparing two
recommenders on the same users needs them, paired, for an interval on the difference.
"""

from __future__ import annotations

import numpy as np

METRIC_NAMES = ("precision", "recall", "ndcg", "map")


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` highest scores per row, best first (ties: lower index)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def user_metrics(
    recommended: list[list[str]], relevant: list[set[str]], k: int
) -> dict[str, np.ndarray]:
    """Precision@k, recall@k, NDCG@k and AP@k of each user, in the order given.

    Examples
    --------
    >>> m = user_metrics([["a", "b"], ["c", "a"]], [{"a"}, {"a", "d"}], k=2)
    >>> m["recall"].tolist(), m["ndcg"].round(4).tolist()
    ([1.0, 0.5], [1.0, 0.3869])
    """
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    values = {name: np.zeros(len(relevant)) for name in METRIC_NAMES}
    for u, (items, truth) in enumerate(zip(recommended, relevant, strict=True)):
        items = items[:k]
        hits = np.array([item in truth for item in items], dtype=bool)
        n_hits = int(hits.sum())
        values["precision"][u] = n_hits / k
        values["recall"][u] = n_hits / len(truth)
        ideal = discounts[: min(len(truth), k)].sum()
        values["ndcg"][u] = float(discounts[: len(items)][hits].sum() / ideal)
        if n_hits:
            precision_at_hits = np.cumsum(hits)[hits] / (np.flatnonzero(hits) + 1)
            values["map"][u] = float(precision_at_hits.sum() / min(len(truth), k))
    return values


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
    per_user = user_metrics(recommended, relevant, k)
    n = max(1, len(relevant))
    out = {}
    for name, values in per_user.items():
        total = 0.0
        for value in values.tolist():  # in user order, as always: the figures stay identical
            total += value
        out[name] = total / n
    shown: set[str] = set()
    for items in recommended:
        shown.update(items[:k])
    out["coverage"] = len(shown) / max(1, n_items)
    if with_spread:
        ndcg = per_user["ndcg"]
        spread = np.std(ndcg, ddof=1) if len(ndcg) > 1 else 0.0
        out["ndcg_se"] = float(spread / np.sqrt(max(1, len(ndcg))))
    return out
