"""Stability of a clustering (agreement on bootstrap resamples) and the choice among candidates."""

from __future__ import annotations

import logging
import time
import warnings

import numpy as np

from rightfit.budget import Budget
from rightfit.segment._candidates import Candidate, fit_labels

logger = logging.getLogger(__name__)

N_RESAMPLES = 8
# Adjusted Rand agreement of at least this much between the clustering and its refits on
# resampled rows: the segments are a property of the data, not of one random start.
STABLE = 0.75
# Candidates within this much silhouette of the best are treated as tied; the more stable wins.
SILHOUETTE_TIE = 0.02
MAX_MEASURED = 40


def _assign_all(algorithm: str, model: object, X_fit: np.ndarray, labels, X: np.ndarray):
    if algorithm in ("kmeans", "gmm"):
        return model.predict(X)
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=1).fit(X_fit, labels).predict(X)


def stability(candidate: Candidate, X: np.ndarray, seed: int, budget: Budget) -> float | None:
    """Mean adjusted Rand index between the candidate's labels and refits on bootstrap samples.

    Each refit sees a bootstrap resample of the rows; every row is then assigned by the refit
    (``predict``, or its nearest resampled neighbour for agglomerative/HDBSCAN) and compared
    with the original labels. Returns None when the budget allows no resample.
    """
    from sklearn.metrics import adjusted_rand_score

    rows = candidate.rows
    Xr = X[rows]
    rng = np.random.default_rng(seed + 17)
    scores = []
    started = time.monotonic()
    for b in range(N_RESAMPLES):
        per_refit = (time.monotonic() - started) / b if b else candidate.seconds
        if budget.remaining() < per_refit * 1.5 + 0.2:
            break
        pick = rng.choice(len(Xr), len(Xr), replace=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                labels, model = fit_labels(candidate.algorithm, candidate.k, Xr[pick], seed + b + 1)
                assigned = _assign_all(candidate.algorithm, model, Xr[pick], labels, Xr)
            except (ValueError, np.linalg.LinAlgError) as error:
                logger.debug("resample %d of %s failed: %s", b, candidate.algorithm, error)
                continue
        scores.append(adjusted_rand_score(candidate.labels, assigned))
    if len(scores) < 2:
        return None
    return float(np.mean(scores))


def measure_stability(candidates: list[Candidate], X: np.ndarray, seed: int, budget: Budget):
    """Stability of the eligible candidates, best silhouette first, while the budget lasts."""
    ranked = sorted((c for c in candidates if c.eligible), key=lambda c: -(c.silhouette or -1.0))
    for candidate in ranked[:MAX_MEASURED]:
        if budget.remaining() < 0.5:
            break
        candidate.stability = stability(candidate, X, seed, budget)


def choose(candidates: list[Candidate]) -> tuple[Candidate, str]:
    """The candidate to deliver and the reason, in words.

    Among eligible candidates whose stability reached ``STABLE``, the best silhouette wins;
    candidates within ``SILHOUETTE_TIE`` of it count as tied and the most stable of them wins.
    """
    eligible = [c for c in candidates if c.eligible and c.silhouette is not None]
    if not eligible:
        usable = [c for c in candidates if c.status == "ok" and c.silhouette is not None]
        if not usable:
            from rightfit.errors import BudgetError

            raise BudgetError(
                "No clustering candidate finished within the time budget. Increase "
                "--time-budget, or pass --k N or --algorithms kmeans to try fewer candidates."
            )
        best = max(usable, key=lambda c: c.silhouette)
        return best, (
            f"no candidate met the eligibility rules (noise, tiny segments); {best.algorithm} "
            f"with k={best.k} has the best silhouette ({best.silhouette:.3f})"
        )
    stable = [c for c in eligible if c.stability is not None and c.stability >= STABLE]
    pool = stable or eligible
    top = max(c.silhouette for c in pool)
    tied = [c for c in pool if c.silhouette >= top - SILHOUETTE_TIE]
    best = max(tied, key=lambda c: (c.stability or 0.0, c.silhouette))
    evidence = (
        f"silhouette {best.silhouette:.3f}, Davies–Bouldin {best.davies_bouldin:.3f}, "
        f"Calinski–Harabasz {best.calinski_harabasz:,.1f}"
        + (f", stability {best.stability:.2f}" if best.stability is not None else "")
    )
    if not stable:
        why = (
            f"no candidate reached stability {STABLE} (agreement on bootstrap resamples), so "
            "these segments are weak; the best silhouette was taken"
        )
    elif len(tied) > 1:
        leader = max(tied, key=lambda c: c.silhouette)
        why = (
            f"the most stable of {len(tied)} candidates within {SILHOUETTE_TIE} of the best "
            f"silhouette ({leader.algorithm} k={leader.k}, {leader.silhouette:.3f}) among those "
            f"with stability ≥ {STABLE}"
        )
    else:
        why = f"best silhouette among the candidates with stability ≥ {STABLE}"
    return best, f"{best.algorithm} with k={best.k}: {why} ({evidence})"
