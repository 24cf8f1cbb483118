"""Members with the same fitted preprocessing share one encoding of a batch."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from tests.unit.models.test_fastpath import fit_member, raw_table

from rightfit.data import infer_schema, prepare_features
from rightfit.ensemble import WeightedEnsemble
from rightfit.models import predict_output


def _member_by_member(ensemble, X):
    return sum(
        weight * predict_output(member, X, ensemble.task, ensemble.n_classes)
        for member, weight in ensemble.members_and_weights()
    )


@pytest.mark.parametrize(
    ("task", "families"),
    [
        ("binary", ["lightgbm", "xgboost", "linear"]),  # two tree encodings, one dense
        ("regression", ["lightgbm", "xgboost"]),  # log-target wrappers around pipelines
    ],
)
def test_shared_encoding_gives_the_member_by_member_average(task, families, monkeypatch):
    frame = raw_table(task=task)
    schema = infer_schema(frame, target="label", task=task)
    members = [fit_member(frame, schema, family) for family in families]
    n_classes = None if task == "regression" else 2
    weights = [1 / len(members)] * len(members)
    ensemble = WeightedEnsemble.from_fitted(members, weights, task, n_classes)
    X = prepare_features(frame.drop(columns="label"), schema)
    expected = _member_by_member(ensemble, X)

    calls = []
    original = ColumnTransformer.transform

    def counting(self, X, **params):
        calls.append(id(self))
        return original(self, X, **params)

    monkeypatch.setattr(ColumnTransformer, "transform", counting)
    got = ensemble.predict(X) if task == "regression" else ensemble.predict_proba(X)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    # the tree members encode once between them; the dense one (linear) on its own
    assert len(calls) == len(families) - 1

    # the cache is not part of the saved model, and a copy rebuilds it
    restored = pickle.loads(pickle.dumps(ensemble))
    assert "_shared" not in restored.__dict__
    out = restored.predict(X) if task == "regression" else restored.predict_proba(X)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_replaced_members_are_not_served_from_a_stale_cache():
    frame = raw_table(task="binary")
    schema = infer_schema(frame, target="label", task="binary")
    X = prepare_features(frame.drop(columns="label"), schema)
    lightgbm, linear = (fit_member(frame, schema, f) for f in ("lightgbm", "linear"))
    ensemble = WeightedEnsemble.from_fitted([lightgbm, lightgbm], [0.5, 0.5], "binary", 2)
    ensemble.predict_proba(X)  # builds the cache
    ensemble.set_params(estimators=[linear, linear])
    np.testing.assert_allclose(ensemble.predict_proba(X), _member_by_member(ensemble, X))
