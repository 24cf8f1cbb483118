"""The Keras table estimators: fit, output convention, bundle round trip, deadline, seeds."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from tests._data import make_table

from rightfit.data import infer_schema, prepare_features
from rightfit.errors import NotFittedError
from rightfit.models import FitContext, TrialTimeout, get_spec, predict_output
from rightfit.models.keras_tabular import KerasTabularClassifier, KerasTabularRegressor
from rightfit.store import load_bundle, save_bundle

pytestmark = pytest.mark.slow  # TensorFlow start-up alone takes seconds

SMALL = {
    "hidden_units": (16,),
    "max_epochs": 30,
    "batch_size": 64,
    "learning_rate": 1e-2,
    "n_jobs": 1,
}


def _prepared(task: str, n: int = 300, with_text: bool = False):
    frame = make_table(n, task)
    if with_text:
        rng = np.random.default_rng(3)
        words = np.array(["fast", "slow", "kind", "rude", "cheap", "pricey", "late", "early"])
        frame["note"] = [" ".join(rng.choice(words, 8)) + f" order {i}" for i in range(n)]
    schema = infer_schema(frame, "churn")
    X = prepare_features(frame, schema)
    y = frame["churn"].to_numpy()
    if task != "regression":
        y = np.searchsorted(np.unique(y), y)
    return X, y


@pytest.fixture(scope="module")
def fitted_classifier():
    X, y = _prepared("binary", with_text=True)
    return KerasTabularClassifier(**SMALL, random_state=0).fit(X, y), X, y


def test_text_and_categorical_inputs_reach_the_network(fitted_classifier):
    net, X, _ = fitted_classifier
    assert X["note"].dtype.name == "str"
    names = [i.name for i in net.model_.inputs]
    assert "numbers" in names and "category_0" in names  # 'plan' gets an embedding
    assert net.inputs_.n_dense_ > 4  # numbers + indicators + text SVD components


def test_classifier_follows_the_output_convention_and_learns(fitted_classifier):
    net, X, y = fitted_classifier
    proba = predict_output(net, X, "binary", 2)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert (proba.argmax(axis=1) == y).mean() > 0.7
    assert net.n_epochs_ >= 1 and not net.stopped_at_deadline_


def test_bundle_round_trip_predicts_identically(fitted_classifier, tmp_path):
    net, X, _ = fitted_classifier
    save_bundle(tmp_path / "m", net, {"target": "churn"})
    loaded, _ = load_bundle(tmp_path / "m")
    assert isinstance(loaded, KerasTabularClassifier)
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))


def test_unseen_category_and_missing_values_are_handled(fitted_classifier):
    net, X, _ = fitted_classifier
    odd = X.head(2).copy()
    odd["plan"] = np.array(["platinum", np.nan], dtype=object)
    odd["age"] = np.nan
    odd["note"] = pd.Series([np.nan, "never seen words"], dtype=X["note"].dtype)
    assert np.isfinite(net.predict_proba(odd)).all()


def test_same_seed_same_predictions_and_refit_starts_over():
    X, y = _prepared("regression", n=200)
    first = KerasTabularRegressor(**SMALL, random_state=7).fit(X, y)
    second = KerasTabularRegressor(**SMALL, random_state=7).fit(X, y)
    np.testing.assert_allclose(first.predict(X), second.predict(X), rtol=1e-5, atol=1e-5)
    twin = clone(first).fit(X, y)
    np.testing.assert_allclose(twin.predict(X), first.predict(X), rtol=1e-5, atol=1e-5)
    assert np.corrcoef(first.predict(X), y)[0, 1] > 0.5


def test_deadline_stops_training_and_is_reported_as_a_timeout():
    X, y = _prepared("binary", n=200)
    net = KerasTabularClassifier(hidden_units=(16,), max_epochs=10_000, patience=10_000, n_jobs=1)
    start = time.monotonic()
    with pytest.raises(TrialTimeout, match="deadline"):
        net.fit(X, y, deadline=time.monotonic() + 3.0)
    assert time.monotonic() - start < 30
    assert net.stopped_at_deadline_ and net.n_epochs_ < 10_000


def test_predict_before_fit_names_the_estimator():
    X, _ = _prepared("binary", n=50)
    with pytest.raises(NotFittedError, match="KerasTabularClassifier"):
        KerasTabularClassifier().predict_proba(X)


@pytest.mark.parametrize("family", ["keras_mlp", "keras_text"])
def test_spec_builds_from_portfolio_and_cost_is_positive(family):
    spec = get_spec(family)
    ctx = FitContext("multiclass", 1000, 3, 1, n_classes=3, n_jobs=1)
    for params in spec.portfolio(ctx):
        assert spec.cost(params, ctx) > 0
        est = spec.build(params, ctx)
        assert clone(est).get_params() == est.get_params()
    assert spec.neural and "keras" in family


def test_keras_text_encoder_reads_token_ids():
    X, y = _prepared("multiclass", n=240, with_text=True)
    spec = get_spec("keras_text")
    ctx = FitContext("multiclass", len(X), 3, 1, n_classes=3, n_jobs=1)
    params = {**spec.portfolio(ctx)[0], "max_epochs": 3, "sequence_length": 16}
    net = spec.build(params, ctx).fit(X, y)
    assert "text" in [i.name for i in net.model_.inputs]
    assert 10 < net.inputs_.vocabulary_size < 300  # 8 words, 240 order numbers, 2 markers
    assert predict_output(net, X, "multiclass", 3).shape == (len(X), 3)


def test_importing_the_neural_families_does_not_import_tensorflow():
    code = (
        "import sys, rightfit.models.keras_tabular, rightfit.models.keras_text, rightfit.image;"
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
