"""Scoring the blind test on both cores must not start worker processes (memory)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from rightfit.ensemble import WeightedEnsemble
from rightfit.models import set_threads, single_threaded
from rightfit.models._calibrated import CalibratedModel


def _pipeline():
    X = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) % 3})
    y = (np.arange(40) % 2).astype(int)
    prep = ColumnTransformer([("n", "passthrough", ["a", "b"])])
    model = LGBMClassifier(n_estimators=5, min_child_samples=2, verbose=-1, n_jobs=1)
    return Pipeline([("prep", prep), ("model", model)]).fit(X, y), X, y


def test_threads_go_to_the_model_not_to_the_column_transformer():
    pipe, _, _ = _pipeline()
    other, _, _ = _pipeline()
    ensemble = WeightedEnsemble.from_fitted([pipe, other], [0.5, 0.5], "binary", 2)
    calibrated = CalibratedModel.from_params(ensemble, "sigmoid", {"a": 1.0, "b": 0.0})
    set_threads(calibrated, 2)
    for member in (pipe, other):
        assert member.named_steps["model"].get_params()["n_jobs"] == 2
        # ColumnTransformer parallelises with processes: one ~200 MB interpreter per job.
        assert member.named_steps["prep"].get_params()["n_jobs"] is None
    single_threaded(calibrated)
    assert all(m.named_steps["model"].get_params()["n_jobs"] == 1 for m in (pipe, other))


class _ThreadSpy(LGBMClassifier):
    """Records the thread count each prediction ran with."""

    seen: ClassVar[list] = []

    def predict_proba(self, X, *args, **kwargs):
        _ThreadSpy.seen.append(self.get_params()["n_jobs"])
        return super().predict_proba(X, *args, **kwargs)


def test_large_batches_use_the_cores_and_the_model_goes_back_to_one_thread(monkeypatch):
    from rightfit.models._serving import THREADED_BATCH_ROWS, batch_threads

    monkeypatch.setenv("RIGHTFIT_N_JOBS", "2")
    X = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) % 3})
    y = (np.arange(40) % 2).astype(int)
    spy = _ThreadSpy(n_estimators=5, min_child_samples=2, verbose=-1, n_jobs=1)
    model = Pipeline([("prep", ColumnTransformer([("n", "passthrough", ["a", "b"])])), ("m", spy)])
    model.fit(X, y)
    _ThreadSpy.seen = []
    big = pd.concat([X] * (THREADED_BATCH_ROWS // len(X) + 1), ignore_index=True)
    for rows in (X.iloc[:1], X, big):
        with batch_threads(model, len(rows)):
            model.predict_proba(rows)
        assert spy.get_params()["n_jobs"] == 1  # served requests stay on one thread
    assert _ThreadSpy.seen == [1, 1, 2]

    monkeypatch.setenv("RIGHTFIT_N_JOBS", "1")  # one core: nothing to gain
    with batch_threads(model, len(big)):
        model.predict_proba(big)
    assert _ThreadSpy.seen[-1] == 1
