"""The candidate families: popularity, trending (recency-weighted popularity, ``_recency``), EASE,
item-to-item similarity, ALS, a Keras two-tower model, and (only when already-bought items may be
recommended) the repeat-aware blend of ``_repeat``.

Each family has a strong default portfolio (tried first), a search space for the tuner, and a
``fit`` that returns an :class:`InteractionScorer` (plain arrays).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from rightfit.recommend import _repeat
from rightfit.recommend._ease import fit_ease
from rightfit.recommend._recency import recent_history, trending_popularity
from rightfit.recommend._scorer import InteractionScorer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Family:
    """A recommender family: what it is, its defaults, its search space and how to fit it."""

    name: str
    description: str
    defaults: tuple[dict[str, Any], ...]
    space: dict[str, tuple]  # name -> ("int"|"float"|"log"|"choice", low/choices, high)
    fit: Callable[..., InteractionScorer]
    # trending, item-kNN, EASE and the repeat-aware family also read the event times (recency);
    # the repeat-aware family is only offered when already-bought items may be recommended
    needs_events: bool = False
    repeats_only: bool = False


def fit_family(
    name: str,
    history: sp.csr_matrix,
    popularity: np.ndarray,
    params: dict[str, Any],
    seed: int,
    n_threads: int,
    deadline: float | None = None,
    events: Any = None,
) -> InteractionScorer:
    """Fit family ``name``; ``events`` (an ``EventLog`` of ``history``) reach only the families
    that need them."""
    family = FAMILIES[name]
    extra = {"events": events} if family.needs_events else {}
    return family.fit(history, popularity, params, seed, n_threads, deadline, **extra)


def popularity_of(history: sp.csr_matrix) -> np.ndarray:
    """Share of training users who interacted with each item."""
    counts = np.asarray((history > 0).sum(axis=0)).ravel().astype(float)
    return counts / max(1, history.shape[0])


def _fit_popularity(
    history, popularity, params, seed, n_threads, deadline=None
) -> InteractionScorer:
    return InteractionScorer("popularity", popularity, history)


def recent_prior(popularity: np.ndarray, params: dict[str, Any], events: Any) -> np.ndarray:
    """The popularity prior of a personalised family: trending popularity when its
    ``popularity_half_life_days`` is above 0, else the plain share of users."""
    half_life = float(params.get("popularity_half_life_days", 0.0) or 0.0)
    if half_life <= 0:
        return popularity
    if events is None:
        raise ValueError("a popularity half-life needs the event log of the history matrix")
    return trending_popularity(events, half_life)


def _fit_trending(
    history, popularity, params, seed, n_threads, deadline=None, events=None
) -> InteractionScorer:
    if events is None:
        raise ValueError("the trending family needs the event log of its history matrix")
    trend = trending_popularity(events, float(params["half_life_days"]))
    return InteractionScorer("popularity", trend, history)


def _prune_columns(similarity: sp.csc_matrix, keep: int) -> sp.csr_matrix:
    """Keep the ``keep`` largest entries of each column (each target item's neighbours)."""
    similarity = similarity.tocsc()
    data, indices, indptr = [], [], [0]
    for j in range(similarity.shape[1]):
        start, end = similarity.indptr[j], similarity.indptr[j + 1]
        values, rows = similarity.data[start:end], similarity.indices[start:end]
        if len(values) > keep:
            top = np.argpartition(-values, keep - 1)[:keep]
            values, rows = values[top], rows[top]
        data.append(values)
        indices.append(rows)
        indptr.append(indptr[-1] + len(values))
    pruned = sp.csc_matrix(
        (np.concatenate(data), np.concatenate(indices), np.array(indptr)), shape=similarity.shape
    )
    return pruned.tocsr()


def _fit_item_knn(
    history, popularity, params, seed, n_threads, deadline=None, events=None
) -> InteractionScorer:
    weights = history.copy()
    if params["weighting"] == "binary":
        weights.data = np.ones_like(weights.data)
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=0)).ravel())
    gram = (weights.T @ weights).tocsr()
    gram.setdiag(0)
    gram.eliminate_zeros()
    coo = gram.tocoo()
    # cosine with shrinkage: pairs seen together by few users count less
    coo.data = coo.data / (norms[coo.row] * norms[coo.col] + params["shrink"])
    similarity = _prune_columns(coo.tocsc(), int(params["neighbours"]))
    recent = float(params.get("history_half_life_days", 0.0) or 0.0)
    if recent > 0:  # the user's recent items weigh more in the scores (not in the similarity)
        if events is None:
            raise ValueError("a history half-life needs the event log of the history matrix")
        weights = recent_history(weights, events, recent)
    return InteractionScorer(
        "similarity",
        recent_prior(popularity, params, events),
        weights,
        similarity=similarity,
        popularity_weight=float(params.get("popularity_weight", 0.0)),
    )


def _fit_als(history, popularity, params, seed, n_threads, deadline=None) -> InteractionScorer:
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    # implicit warns (and slows down) when BLAS runs its own threads inside its threads
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=int(params["factors"]),
            regularization=float(params["regularization"]),
            alpha=float(params["alpha"]),
            iterations=int(params["iterations"]),
            random_state=seed,
            num_threads=n_threads,
        )
        model.fit(history.astype(np.float32).tocsr(), show_progress=False)
    return InteractionScorer(
        "factors",
        popularity,
        history,
        user_factors=np.asarray(model.user_factors, dtype=np.float32),
        item_factors=np.asarray(model.item_factors, dtype=np.float32),
        popularity_weight=float(params.get("popularity_weight", 0.0)),
    )


def _fit_two_tower(
    history, popularity, params, seed, n_threads, deadline=None
) -> InteractionScorer:
    from rightfit.recommend._keras import fit_two_tower

    users, items, bias = fit_two_tower(history, params, seed, n_threads, deadline)
    return InteractionScorer(
        "factors",
        popularity,
        history,
        user_factors=users,
        item_factors=items,
        item_bias=bias,
        popularity_weight=float(params.get("popularity_weight", 0.0)),
    )


# Half-lives (days) of the recency options of item-kNN and EASE; 0 = off (all-time counts).
HALF_LIVES = (0.0, 15.0, 60.0, 240.0)

FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family(
            "popularity",
            "most popular items among training users (the baseline)",
            ({},),
            {},
            _fit_popularity,
        ),
        Family(
            "trending",
            "what is popular now: the share of users who chose each item, a user's choice "
            "counting less the longer ago it was (half-life tuned); suits seasonal catalogues",
            ({"half_life_days": 30.0}, {"half_life_days": 180.0}),
            {"half_life_days": ("log", 3.0, 1000.0)},
            _fit_trending,
            needs_events=True,
        ),
        Family(
            "ease",
            "EASE: closed-form ridge regression of each item on the others (Steck 2019), "
            "optionally blended with (recent) popularity; only up to 10,000 items",
            (
                # λ in the range the paper found best on large sets; small sets favour the
                # lower end, which the tuner reaches from here
                # every parameter of the space is given: a missing one would be drawn at random
                {
                    "l2": 100.0,
                    "weighting": "binary",
                    "popularity_weight": 0.0,
                    "popularity_half_life_days": 0.0,
                },
                {
                    "l2": 500.0,
                    "weighting": "binary",
                    "popularity_weight": 0.3,
                    "popularity_half_life_days": 0.0,
                },
            ),
            {
                "popularity_weight": ("float", 0.0, 2.0),
                "l2": ("log", 1.0, 1e4),
                "weighting": ("choice", ("binary", "log")),
                "popularity_half_life_days": ("choice", HALF_LIVES),
            },
            fit_ease,
            needs_events=True,
        ),
        Family(
            "item_knn",
            "item-to-item cosine similarity (with shrinkage) applied to the user's history "
            "(optionally with recent items counting more), blended with (recent) popularity",
            (
                {
                    "neighbours": 20,
                    "shrink": 0.0,
                    "weighting": "binary",
                    "popularity_weight": 0.3,
                    "popularity_half_life_days": 0.0,
                    "history_half_life_days": 0.0,
                },
                {
                    "neighbours": 100,
                    "shrink": 10.0,
                    "weighting": "log",
                    "popularity_weight": 0.0,
                    "popularity_half_life_days": 0.0,
                    "history_half_life_days": 0.0,
                },
            ),
            {
                "popularity_weight": ("float", 0.0, 2.0),
                "neighbours": ("int", 5, 500),
                "shrink": ("float", 0.0, 50.0),
                "weighting": ("choice", ("log", "binary")),
                "popularity_half_life_days": ("choice", HALF_LIVES),
                "history_half_life_days": ("choice", HALF_LIVES),
            },
            _fit_item_knn,
            needs_events=True,
        ),
        Family(
            "als",
            "matrix factorisation by implicit alternating least squares (implicit library)",
            (
                {
                    "factors": 32,
                    "regularization": 0.05,
                    "alpha": 10.0,
                    "iterations": 15,
                    "popularity_weight": 0.0,
                },
                {
                    "factors": 16,
                    "regularization": 1.0,
                    "alpha": 20.0,
                    "iterations": 15,
                    "popularity_weight": 0.5,
                },
            ),
            {
                "popularity_weight": ("float", 0.0, 2.0),
                "factors": ("int", 4, 128),
                "regularization": ("log", 1e-3, 10.0),
                "alpha": ("log", 0.3, 60.0),
                "iterations": ("int", 5, 30),
            },
            _fit_als,
        ),
        Family(
            "two_tower",
            "Keras two-tower network (user and item towers, dot product) trained with "
            "sampled negatives",
            (
                # the L2 penalty covers whole embedding tables: keep it small, or big catalogues
                # collapse to popularity (measured: NDCG@10 0.035 at 1e-4 vs 0.139 at 1e-6)
                {
                    "dim": 32,
                    "epochs": 10,
                    "negatives": 4,
                    "l2": 1e-6,
                    "learning_rate": 0.01,
                    "popularity_weight": 0.0,
                },
                {
                    "dim": 16,
                    "epochs": 20,
                    "negatives": 4,
                    "l2": 1e-4,
                    "learning_rate": 0.01,
                    "popularity_weight": 0.0,
                },
            ),
            {
                "popularity_weight": ("float", 0.0, 2.0),
                "dim": ("int", 8, 64),
                "epochs": ("int", 3, 20),
                "negatives": ("int", 1, 8),
                "l2": ("log", 1e-8, 1e-3),
                "learning_rate": ("log", 1e-3, 3e-2),
            },
            _fit_two_tower,
        ),
        Family(
            "repeat_aware",
            "buy again + discovery: the user's own past items (frequency with a recency "
            "decay) blended with EASE or item-kNN and popularity; only with repeats allowed",
            _repeat.DEFAULTS,
            _repeat.SPACE,
            _repeat.fit_repeat,
            needs_events=True,
            repeats_only=True,
        ),
    )
}
