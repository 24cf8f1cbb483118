"""EASE (Steck 2019): a closed-form ridge regression of every item on every other item.

B = I - P / diag(P) with P = (XᵀX + λI)⁻¹, the diagonal of B forced to zero so an item cannot
predict itself. One items x items inversion, no iterations: strong on small and medium implicit
data, where factorisations and networks have too few interactions to learn from. It is only
tried up to ``MAX_EASE_ITEMS`` items (the inversion costs n³ time and n² memory).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from rightfit.recommend._scorer import InteractionScorer

MAX_EASE_ITEMS = 10_000
# Each target item keeps its largest weights by magnitude: the bundle stays small (a dense
# 10,000² matrix is 800 MB) and the tail of tiny weights moves almost no ranking.
KEEP_PER_ITEM = 300
# Seconds per (1,000 items)³ for the inversion on one slow core; the a-priori cost estimate.
SECONDS_PER_GIGA_CELL = 0.15


def ease_weights(matrix: sp.csr_matrix, l2: float) -> np.ndarray:
    """Dense (n_items, n_items) EASE weights with a zero diagonal.

    Examples
    --------
    >>> x = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]], dtype=float))
    >>> b = ease_weights(x, 0.5)
    >>> bool(np.all(np.diag(b) == 0)), bool(b[0, 1] > b[2, 1])
    (True, True)
    """
    gram = np.asarray((matrix.T @ matrix).toarray(), dtype=np.float64)
    gram[np.diag_indices_from(gram)] += l2
    inverse = np.linalg.inv(gram)
    weights = -inverse / np.diag(inverse)[None, :]  # B_ij = -P_ij / P_jj for i != j
    np.fill_diagonal(weights, 0.0)
    return weights


def prune_by_magnitude(weights: np.ndarray, keep: int = KEEP_PER_ITEM) -> sp.csr_matrix:
    """CSR copy keeping, per column (target item), the ``keep`` weights largest in magnitude."""
    n = weights.shape[0]
    if n <= keep:
        return sp.csr_matrix(weights)
    rows = np.argpartition(-np.abs(weights), keep - 1, axis=0)[:keep]
    cols = np.broadcast_to(np.arange(n), rows.shape)
    values = weights[rows, cols]
    return sp.csr_matrix((values.ravel(), (rows.ravel(), cols.ravel())), shape=weights.shape)


def fit_ease(
    history: sp.csr_matrix,
    popularity: np.ndarray,
    params: dict[str, Any],
    seed: int,
    n_threads: int,
    deadline: float | None = None,
    events=None,
) -> InteractionScorer:
    """Fit EASE on the user x item weights (``weighting``: binary or the log strengths); with a
    ``popularity_half_life_days`` above 0 the popularity prior is trending popularity."""
    n_items = history.shape[1]
    if n_items > MAX_EASE_ITEMS:
        raise ValueError(
            f"EASE inverts an items x items matrix; {n_items:,} items is over its limit of "
            f"{MAX_EASE_ITEMS:,}"
        )
    # the inversion cannot stop half-way: do not start one that would overrun the budget
    estimate = SECONDS_PER_GIGA_CELL * (n_items / 1000) ** 3
    if deadline is not None and time.monotonic() + estimate > deadline:
        raise RuntimeError(
            f"EASE on {n_items:,} items (~{estimate:.0f} s) would overrun the budget"
        )
    weights = history.copy().astype(np.float64)
    if params.get("weighting", "binary") == "binary":
        weights.data = np.ones_like(weights.data)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(n_threads if n_threads > 0 else None, "blas"):
        similarity = prune_by_magnitude(ease_weights(weights, float(params["l2"])))
    from rightfit.recommend._families import recent_prior

    return InteractionScorer(
        "similarity",
        recent_prior(popularity, params, events),
        weights.tocsr(),
        similarity=similarity,
        popularity_weight=float(params.get("popularity_weight", 0.0)),
    )
