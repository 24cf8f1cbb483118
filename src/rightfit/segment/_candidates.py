"""Fit every (algorithm, k) candidate on the scaled matrix and measure the internal criteria."""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rightfit.budget import Budget

logger = logging.getLogger(__name__)

ALGORITHMS = ("kmeans", "gmm", "agglomerative", "hdbscan")
# Ward linkage and HDBSCAN need pairwise work (memory and time grow with n²); above this many
# rows they run on a random sample and new points are placed by nearest neighbours anyway.
PAIRWISE_MAX_ROWS = 4000
# k-means and mixtures compare candidates on a sample this large; the chosen one is refitted
# on every row. The criteria barely move between 10,000 rows and more, the seconds do.
CANDIDATE_MAX_ROWS = 10_000
SILHOUETTE_SAMPLE = 2000
# A "segment" of under 2 % of customers is an outlier group, not a segment to act on.
MIN_SEGMENT_SHARE = 0.02
MAX_NOISE_SHARE = 0.3


@dataclass
class Candidate:
    """One clustering: its labels on the rows it was fitted on, and the criteria."""

    algorithm: str
    k: int
    labels: np.ndarray | None = None
    rows: np.ndarray | None = None  # row indices of the matrix the labels belong to
    silhouette: float | None = None
    davies_bouldin: float | None = None
    calinski_harabasz: float | None = None
    bic: float | None = None
    smallest_share: float | None = None
    noise_share: float = 0.0
    stability: float | None = None
    seconds: float = 0.0
    status: str = "ok"
    note: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    model: object = None  # the fitted clusterer (kept for delivery, not in the record)

    @property
    def eligible(self) -> bool:
        return self.status == "ok" and not self.note.startswith("not eligible")

    def to_dict(self) -> dict[str, Any]:
        def r(value):
            return None if value is None or not np.isfinite(value) else round(float(value), 4)

        return {
            "algorithm": self.algorithm,
            "k": self.k,
            "silhouette": r(self.silhouette),
            "davies_bouldin": r(self.davies_bouldin),
            "calinski_harabasz": r(self.calinski_harabasz),
            "bic": r(self.bic),
            "smallest_share": r(self.smallest_share),
            "noise_share": r(self.noise_share),
            "stability": r(self.stability),
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "note": self.note,
            "params": self.params,
        }


def make_clusterer(algorithm: str, k: int, n_rows: int, seed: int):
    """A fresh scikit-learn clusterer for ``algorithm`` with ``k`` clusters."""
    from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
    from sklearn.mixture import GaussianMixture

    if algorithm == "kmeans":
        return KMeans(n_clusters=k, n_init=4, random_state=seed)
    if algorithm == "gmm":
        return GaussianMixture(
            n_components=k, covariance_type="full", n_init=2, reg_covar=1e-4, random_state=seed
        )
    if algorithm == "agglomerative":
        return AgglomerativeClustering(n_clusters=k, linkage="ward")
    if algorithm == "hdbscan":
        return HDBSCAN(min_cluster_size=hdbscan_min_size(n_rows), copy=True)
    raise ValueError(algorithm)


def hdbscan_min_size(n_rows: int) -> int:
    return max(5, round(MIN_SEGMENT_SHARE * n_rows))


def cpu_threads() -> int | None:
    """``RIGHTFIT_N_JOBS`` when set: on a shared machine, oversubscribed OpenMP threads make
    k-means ten times slower."""
    value = os.environ.get("RIGHTFIT_N_JOBS", "")
    return max(1, int(value)) if value.isdigit() else None


def fit_labels(algorithm: str, k: int, X: np.ndarray, seed: int) -> tuple[np.ndarray, object]:
    """Cluster labels of the rows of ``X`` (HDBSCAN noise is -1) and the fitted clusterer."""
    from threadpoolctl import threadpool_limits

    model = make_clusterer(algorithm, k, len(X), seed)
    with warnings.catch_warnings(), threadpool_limits(cpu_threads()):
        warnings.simplefilter("ignore")
        labels = model.fit_predict(X)
    return np.asarray(labels), model


def measure(candidate: Candidate, X: np.ndarray, model: object, seed: int) -> None:
    """Fill in the internal criteria of a fitted candidate (on every row, noise included)."""
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    labels = candidate.labels
    assigned = labels >= 0
    candidate.noise_share = float(1 - assigned.mean())
    found = np.unique(labels[assigned])
    candidate.k = len(found)
    if candidate.algorithm == "gmm":
        candidate.bic = float(model.bic(X))
    if len(found) < 2:
        candidate.status = "failed"
        candidate.note = "found fewer than 2 clusters"
        return
    counts = np.bincount(labels[assigned])
    candidate.smallest_share = float(counts[counts > 0].min() / len(labels))
    scored = labels
    if not assigned.all():
        # Leaving the hardest rows out would flatter HDBSCAN; score every row, noise counted
        # in the cluster of its nearest assigned neighbour.
        from sklearn.neighbors import KNeighborsClassifier

        nearest = KNeighborsClassifier(n_neighbors=1).fit(X[assigned], labels[assigned])
        scored = labels.copy()
        scored[~assigned] = nearest.predict(X[~assigned])
    sample = min(SILHOUETTE_SAMPLE, len(X))
    candidate.silhouette = float(silhouette_score(X, scored, sample_size=sample, random_state=seed))
    candidate.davies_bouldin = float(davies_bouldin_score(X, scored))
    candidate.calinski_harabasz = float(calinski_harabasz_score(X, scored))
    if candidate.noise_share > MAX_NOISE_SHARE:
        candidate.note = (
            f"not eligible: leaves {candidate.noise_share:.0%} of rows unassigned (noise)"
        )
    elif candidate.smallest_share < MIN_SEGMENT_SHARE:
        candidate.note = (
            f"not eligible: smallest segment holds {candidate.smallest_share:.1%} of rows "
            f"(under {MIN_SEGMENT_SHARE:.0%})"
        )


def k_grid(n_rows: int, k: int | None) -> list[int]:
    """The k values to try: the one asked for, else 2..10 (fewer on small data)."""
    if k is not None:
        return [k]
    top = max(2, min(10, n_rows // 15))
    return list(range(2, top + 1))


def run_candidates(
    X: np.ndarray,
    ks: list[int],
    algorithms: tuple[str, ...],
    budget: Budget,
    seed: int,
    fixed_k: bool,
) -> list[Candidate]:
    """Fit each algorithm at each k while the budget lasts; what does not fit is 'skipped'."""
    rng = np.random.default_rng(seed)
    n = len(X)
    large = np.arange(n)
    if n > CANDIDATE_MAX_ROWS:
        large = np.sort(rng.choice(n, CANDIDATE_MAX_ROWS, replace=False))
    sample = large
    if n > PAIRWISE_MAX_ROWS:
        sample = np.sort(rng.choice(n, PAIRWISE_MAX_ROWS, replace=False))
    # k-major order, HDBSCAN after the first round: a short budget still sees every algorithm
    plan = [(a, k) for k in ks for a in algorithms if a != "hdbscan"]
    if "hdbscan" in algorithms:
        plan.insert(len(algorithms) - 1, ("hdbscan", 0))
    candidates = []
    for algorithm, k in plan:
        candidate = Candidate(algorithm, k)
        candidates.append(candidate)
        if algorithm == "hdbscan":
            candidate.params = {"min_cluster_size": hdbscan_min_size(len(sample))}
            if fixed_k:
                candidate.status = "skipped"
                candidate.note = "HDBSCAN chooses its own number of clusters; --k was given"
                continue
        if budget.remaining() < 0.5:
            candidate.status = "skipped"
            candidate.note = "time budget ran out"
            continue
        rows = sample if algorithm in ("agglomerative", "hdbscan") else large
        start = time.monotonic()
        try:
            labels, model = fit_labels(algorithm, k, X[rows], seed)
            candidate.labels, candidate.rows, candidate.model = labels, rows, model
            measure(candidate, X[rows], model, seed)
        except (ValueError, np.linalg.LinAlgError) as error:
            candidate.status = "failed"
            candidate.note = f"{type(error).__name__}: {error}"
        candidate.seconds = time.monotonic() - start
        logger.debug("candidate %s k=%s: %s", algorithm, k, candidate.to_dict())
    return candidates
