"""fit_segments: load, profile, clean, scale, try the candidates, choose, profile the segments."""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from rightfit import __version__
from rightfit.budget import Budget
from rightfit.clean import clean_table
from rightfit.data import FEATURE_ROLES, infer_schema, prepare_features, read_table
from rightfit.errors import ConfigError, DataError, did_you_mean
from rightfit.profile import profile_table
from rightfit.progress import Progress, SilentProgress
from rightfit.segment._assign import SegmentAssigner, distance_preprocessor
from rightfit.segment._candidates import (
    ALGORITHMS,
    Candidate,
    cpu_threads,
    k_grid,
    make_clusterer,
)
from rightfit.segment._candidates import run_candidates as _run_candidates
from rightfit.segment._model import Segmenter
from rightfit.segment._profiles import profile_segments
from rightfit.segment._rfm import RFMSpec, rfm_table
from rightfit.segment._stability import N_RESAMPLES, STABLE, choose, measure_stability

logger = logging.getLogger(__name__)

MIN_ROWS = 20
MAP_POINTS = 2000
MAX_K = 30


def _parse_k(k: int | str | None, n_rows: int) -> int | None:
    if k is None or (isinstance(k, str) and k.strip().lower() == "auto"):
        return None
    try:
        value = int(k)
    except (TypeError, ValueError):
        raise ConfigError(f"--k must be 'auto' or a whole number of segments, got {k!r}.") from None
    if not 2 <= value <= min(MAX_K, n_rows // 2):
        raise ConfigError(
            f"--k {value} is out of range: ask for 2 to {min(MAX_K, n_rows // 2)} segments for "
            f"{n_rows:,} rows, or --k auto to let the criteria choose."
        )
    return value


def _algorithms(algorithms: str | Sequence[str] | None) -> tuple[str, ...]:
    if algorithms is None:
        return ALGORITHMS
    names = (
        [a.strip() for a in algorithms.split(",")] if isinstance(algorithms, str) else algorithms
    )
    for name in names:
        if name not in ALGORITHMS:
            raise ConfigError(
                f"Unknown clustering algorithm {name!r}.{did_you_mean(name, ALGORITHMS)} "
                f"Choose among {', '.join(ALGORITHMS)}."
            )
    return tuple(dict.fromkeys(names))


def _select_features(schema, features: Sequence[str] | None):
    """Exclude the feature columns not named in ``features``; return (schema, keep list)."""
    if not features:
        return schema, ()
    names = [c.name for c in schema.columns]
    for name in features:
        if name not in names:
            raise ConfigError(
                f"--features names {name!r}, which is not a column of the data."
                f"{did_you_mean(name, names)} Columns: {', '.join(map(repr, names[:20]))}."
            )
    for column in schema.columns:
        if column.name not in features and column.role in FEATURE_ROLES:
            schema = schema.with_role(column.name, "excluded", "excluded: not in --features")
    keep = tuple(c.name for c in schema.columns if c.name in features)
    return schema, keep


def _final_assigner(best: Candidate, X: np.ndarray, preprocessor, seed: int):
    """The clusterer that places rows, and the raw label of every training row."""
    if best.algorithm in ("kmeans", "gmm"):
        model = best.model
        if len(best.rows) < len(X):  # compared on a sample: refit on every row
            from threadpoolctl import threadpool_limits

            with threadpool_limits(cpu_threads()):
                model = make_clusterer(best.algorithm, best.k, len(X), seed).fit(X)
        raw = model.predict(X)
    else:
        from sklearn.neighbors import KNeighborsClassifier

        # Ward and HDBSCAN cannot place new points; their nearest labelled neighbours can.
        neighbours = min(5, len(best.rows))
        model = KNeighborsClassifier(n_neighbors=neighbours, weights="distance")
        model.fit(X[best.rows], best.labels)
        raw = best.labels if len(best.rows) == len(X) else model.predict(X)
    # Segment numbers 1..k by size, largest first; HDBSCAN's noise (-1) becomes segment 0.
    found = [label for label in np.unique(raw) if label >= 0]
    found.sort(key=lambda label: -(raw == label).sum())
    raw_labels = [*found, *([-1] if (raw < 0).any() else [])]
    segments = [*range(1, len(found) + 1), *([0] if (raw < 0).any() else [])]
    if best.algorithm == "gmm":  # predict_proba columns follow the component order
        raw_labels = list(range(best.k))
        empty = iter(range(len(found) + 1, best.k + 1))
        segments = [found.index(c) + 1 if c in found else next(empty) for c in raw_labels]
    assigner = SegmentAssigner(preprocessor, model, np.array(raw_labels), np.array(segments))
    return assigner, assigner._map(raw)


def _segment_map(X: np.ndarray, segments: np.ndarray, seed: int) -> dict[str, Any]:
    from sklearn.decomposition import PCA

    n_components = min(2, X.shape[1])
    pca = PCA(n_components=n_components, random_state=seed).fit(X)
    rows = np.arange(len(X))
    if len(X) > MAP_POINTS:
        rows = np.sort(np.random.default_rng(seed).choice(len(X), MAP_POINTS, replace=False))
    xy = pca.transform(X[rows])
    y = xy[:, 1] if n_components > 1 else np.zeros(len(rows))
    return {
        "method": "pca",
        "explained_variance": [round(float(v), 4) for v in pca.explained_variance_ratio_],
        "n_points": len(rows),
        "x": np.round(xy[:, 0], 4).tolist(),
        "y": np.round(y, 4).tolist(),
        "segment": segments[rows].astype(int).tolist(),
    }


def fit_segments(
    data: str | os.PathLike | pd.DataFrame,
    *,
    k: int | str | None = "auto",
    features: Sequence[str] | None = None,
    rfm: str | RFMSpec | None = None,
    algorithms: str | Sequence[str] | None = None,
    time_budget: float | Budget = 60.0,
    seed: int = 0,
    progress: Progress | None = None,
) -> Segmenter:
    """Find customer segments: candidates compared by internal criteria and stability.

    Parameters
    ----------
    data : path to a CSV/Parquet file, or a DataFrame (one row per customer, or a
        transaction log with ``rfm``).
    k : "auto" (default) or the number of segments.
    features : columns to segment on (default: every usable column).
    rfm : ``"customer=COL,date=COL,amount=COL[*COL][,invoice=COL]"`` to aggregate a
        transaction log into recency, frequency and monetary per customer first.
    algorithms : candidates to try, among kmeans, gmm, agglomerative, hdbscan (default: all).
    time_budget : float or Budget, default=60
        Wall-clock seconds for the whole run.
    seed : random seed of the clusterers, resamples and samples.
    progress : reporter of stages (default: silent).

    Returns
    -------
    Segmenter

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(300, centers=3, random_state=0)
    >>> seg = fit_segments(pd.DataFrame(X, columns=["a", "b"]), time_budget=20)
    >>> seg.k
    3
    """
    budget = time_budget if isinstance(time_budget, Budget) else Budget(time_budget)
    progress = progress or SilentProgress()
    chosen_algorithms = _algorithms(algorithms)
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 3)
        clock = now

    table = read_table(data)
    frame = table.frame
    rfm_record = None
    if rfm is not None:
        spec = rfm if isinstance(rfm, RFMSpec) else RFMSpec.parse(rfm)
        result = rfm_table(frame, spec)
        frame = result.frame
        rfm_record = {
            "spec": spec.to_dict(),
            "reference_date": result.reference_date,
            "notes": list(result.notes),
        }
        for note in result.notes:
            progress.note(note)
    progress.stage("profile", f"{len(frame):,} rows x {frame.shape[1]} columns")
    schema = infer_schema(frame, target=None)
    schema, keep = _select_features(schema, features)
    profile = profile_table(frame, schema, random_state=seed)
    cleaned = clean_table(frame, schema, profile, keep_columns=keep)
    schema = cleaned.schema
    if not schema.feature_columns():
        raise DataError(
            "No usable column to segment on: every column looks like an id, text, a constant "
            "or is empty. Name the columns with --features, or aggregate a transaction log "
            "with --rfm."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        prepared = prepare_features(cleaned.frame, schema)
    n_rows = len(prepared)
    if n_rows < MIN_ROWS:
        raise DataError(
            f"Only {n_rows} rows to segment; at least {MIN_ROWS} are needed for segments to "
            "mean anything. Pass more rows (or a transaction log with --rfm)."
        )
    fixed_k = _parse_k(k, n_rows)
    lap("prepare")

    preprocessor = distance_preprocessor(n_rows).fit(prepared)
    X = np.asarray(preprocessor.transform(prepared), dtype=float)
    logged = list(preprocessor.named_steps["log_skewed"].columns_)
    ks = k_grid(n_rows, fixed_k)
    progress.stage(
        "segment",
        f"{len(chosen_algorithms)} algorithms, k in {ks[0]}..{ks[-1]}, "
        f"on {X.shape[1]} scaled inputs",
    )
    candidates = _run_candidates(
        X, ks, chosen_algorithms, budget.child(0.55), seed, fixed_k is not None
    )
    lap("candidates")
    progress.stage("stability", f"{N_RESAMPLES} bootstrap refits per leading candidate")
    measure_stability(candidates, X, seed, budget.child(0.7))
    lap("stability")
    best, reason = choose(candidates)
    assigner, segments = _final_assigner(best, X, preprocessor, seed)
    progress.note(f"chosen: {reason}")
    names = " ".join(str(c).lower() for c in table.frame.columns)
    noun = "customers" if rfm is not None or "customer" in names or "client" in names else "rows"
    shown = prepared.copy()
    for column in schema.columns:  # yes/no reads better than the 1.0/0.0 the models see
        if column.role == "boolean" and column.name in shown.columns:
            shown[column.name] = shown[column.name].map({1.0: "yes", 0.0: "no"}).astype(object)
    profiles = profile_segments(shown, segments, noun)
    for p in profiles:
        progress.note(p["sentence"])
    segment_map = _segment_map(X, segments, seed)
    lap("profiles")
    timings["total"] = round(budget.elapsed(), 3)
    record = {
        "kind": "segmentation",
        "task": "segmentation",
        "rightfit_version": __version__,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "time_budget": budget.seconds,
        "seed": seed,
        "data": {**table.to_dict(), "n_segmented_rows": n_rows},
        "rfm": rfm_record,
        "schema": schema.to_dict(),
        "profile": profile.to_dict(),
        "cleaning_log": cleaned.log.to_dict(),
        "features": list(prepared.columns),
        "preprocessing": {
            "log1p_columns": logged,
            "steps": "log1p on skewed non-negative columns; clip to the 1st-99th percentile; "
            "median imputation; standard scaling; one-hot categoricals weighted 1/sqrt(2) so "
            "a differing category counts as one standard deviation",
            "n_inputs": int(X.shape[1]),
        },
        "k_requested": "auto" if fixed_k is None else fixed_k,
        "k": len([s for s in np.unique(segments) if s > 0]),
        "chosen": {
            "algorithm": best.algorithm,
            "k": best.k,
            "reason": reason,
            "criteria": best.to_dict(),
        },
        "candidates": [c.to_dict() for c in candidates],
        "stability": {
            "method": f"mean adjusted Rand index between the clustering and {N_RESAMPLES} refits "
            "on bootstrap resamples (1 = identical segments every time)",
            "threshold": STABLE,
            "chosen": None if best.stability is None else round(best.stability, 4),
        },
        "selection_rule": "eligible = no segment under 2% of rows and under 30% noise; among "
        f"those with stability >= {STABLE}, the best silhouette wins; candidates within 0.02 "
        "silhouette of it are tied and the most stable of them wins",
        "segment_sizes": {str(p["segment"]): p["size"] for p in profiles},
        "profiles": profiles,
        "map": segment_map,
        "timings": timings,
    }
    return Segmenter(assigner, record)
