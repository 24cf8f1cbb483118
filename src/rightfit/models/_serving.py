"""Make a fitted model cheap to call one row at a time."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion, Pipeline


def single_threaded(estimator):
    """Set ``n_jobs=1`` on every step of a fitted model, in place, and return it.

    Thread pools cost more than they save on the small batches a served model sees (a forest
    with ``n_jobs=2`` spends milliseconds per call starting workers); training keeps its cores.
    """
    return set_threads(estimator, 1)


def set_threads(estimator, n_jobs: int):
    """Set ``n_jobs`` on every step of a fitted model (ensemble members, calibrated and
    log-target wrappers included), in place, and return it. Scoring thousands of blind-test
    rows uses the cores; the delivered model goes back to one thread."""
    from rightfit.models._calibrated import CalibratedModel

    fitted_inner = getattr(estimator, "regressor_", None)  # TransformedTargetRegressor
    if fitted_inner is None and isinstance(estimator, CalibratedModel):
        fitted_inner = estimator.estimator
    if fitted_inner is not None:
        set_threads(fitted_inner, n_jobs)
        return estimator
    members = getattr(estimator, "estimators", None)
    if isinstance(members, list) and not isinstance(estimator, Pipeline):
        for member in members:
            set_threads(member, n_jobs)
        return estimator
    steps = estimator.steps if isinstance(estimator, Pipeline) else [(None, estimator)]
    for _, step in steps:
        if n_jobs > 1 and isinstance(step, (ColumnTransformer, FeatureUnion)):
            continue  # these parallelise with worker processes (~200 MB each), not threads
        if "n_jobs" in step.get_params(deep=False):
            step.set_params(n_jobs=n_jobs)
        inner = getattr(step, "estimator", None)  # e.g. CalibratedClassifierCV(SVC)
        if inner is not None and "n_jobs" in inner.get_params(deep=False):
            inner.set_params(n_jobs=n_jobs)
    return estimator


# From this many rows a batch repays each booster's or forest's thread pool: on two cores,
# 10,788 diamonds rows scored 1.7x faster and 6,513 adult rows 1.3x; a served request (a few
# rows) is faster on one thread, which is how bundles are saved.
THREADED_BATCH_ROWS = 2_000
_THREADS_LOCK = threading.Lock()  # two large batches must not reset each other's threads


def available_cores() -> int:
    """All cores this process may use (up to 8), or ``RIGHTFIT_N_JOBS`` when set (e.g. when
    runs share a machine)."""
    configured = os.environ.get("RIGHTFIT_N_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


@contextmanager
def batch_threads(estimator, n_rows: int) -> Iterator[None]:
    """Score a batch of ``n_rows`` on every core when it is large enough to gain from it, then
    put the single-threaded serving setting back."""
    cores = available_cores()
    if n_rows < THREADED_BATCH_ROWS or cores == 1:
        yield
        return
    with _THREADS_LOCK:
        set_threads(estimator, cores)
        try:
            yield
        finally:
            set_threads(estimator, 1)
