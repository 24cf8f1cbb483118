"""Make a fitted model cheap to call one row at a time."""

from __future__ import annotations

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
