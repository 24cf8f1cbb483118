import time

import numpy as np
import pytest
from sklearn.base import clone

from rightfit.models import FitContext, TrialTimeout, get_spec, single_threaded
from rightfit.models._timed_forests import TimedExtraTreesClassifier, TimedRandomForestRegressor


def _xy(n=3000):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 8))
    return X, (X[:, 0] + rng.normal(size=n) > 0).astype(int)


def test_forest_with_a_deadline_grows_all_trees_when_time_allows():
    X, y = _xy()
    model = TimedExtraTreesClassifier(n_estimators=40, random_state=0)
    model.fit(X, y, deadline=time.monotonic() + 60)
    assert len(model.estimators_) == 40
    assert model.n_estimators == 40 and model.warm_start is False
    plain = clone(model).fit(X, y)
    assert len(plain.estimators_) == 40


def test_forest_stops_between_chunks_once_the_deadline_passed():
    X, y = _xy(20_000)
    model = TimedRandomForestRegressor(n_estimators=400, random_state=0)
    start = time.monotonic()
    with pytest.raises(TrialTimeout, match="of 400 trees"):
        model.fit(X, y.astype(float), deadline=start + 0.3)
    assert time.monotonic() - start < 10
    assert model.n_estimators == 400 and model.warm_start is False


def test_a_second_fit_starts_from_scratch():
    X, y = _xy()
    model = TimedExtraTreesClassifier(n_estimators=20, random_state=0)
    model.fit(X, y, deadline=time.monotonic() + 60)
    model.fit(X[:500], y[:500], deadline=time.monotonic() + 60)
    assert len(model.estimators_) == 20


def test_single_threaded_sets_n_jobs_on_every_step():
    X, y = _xy(300)
    import pandas as pd

    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    ctx = FitContext("binary", 300, 8, 0, 2, 0, 2)
    spec = get_spec("random_forest")
    model = spec.build(spec.portfolio(ctx)[0], ctx).fit(frame, y)
    single_threaded(model)
    assert model.named_steps["model"].n_jobs == 1
