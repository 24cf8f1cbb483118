"""Counts with many zeros: the boosted trees also try a Poisson objective; the search decides."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest

from rightfit.models import FitContext, get_spec, poisson_helps

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _ctx(poisson: bool) -> FitContext:
    return FitContext(
        task="regression", n_rows=1_000, n_numeric=4, n_categorical=0, n_jobs=1,
        poisson_target=poisson,
    )  # fmt: skip


def _counts(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Visits whose rate multiplies with each cause: many zeros and a long tail."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["age", "illness", "income", "noise"])
    rate = np.exp(-0.7 + 0.6 * X["age"] + 0.8 * X["illness"] - 0.3 * X["income"])
    return X, rng.poisson(rate).astype(float)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (_counts(500)[1], True),
        (np.exp(np.random.default_rng(0).normal(size=500)), False),  # positive: log target
        (np.r_[np.zeros(100), np.random.default_rng(0).normal(50, 5, 400)], False),  # not skewed
        (np.r_[-1.0, _counts(500)[1]], False),  # negative values
        (np.zeros(50), False),
    ],
)
def test_poisson_is_offered_for_skewed_non_negative_targets_with_zeros(values, expected):
    assert poisson_helps(values) is expected


@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
def test_the_portfolio_and_sampler_offer_poisson_only_for_count_targets(family):
    spec = get_spec(family)
    entries = spec.portfolio(_ctx(True))
    assert [e["objective"] for e in entries].count("poisson") == 1
    assert all(e["objective"] in ("regression", "poisson") for e in entries)
    assert all("objective" not in e for e in spec.portfolio(_ctx(False)))
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    drawn = {spec.sample(study.ask(), _ctx(True))["objective"] for _ in range(20)}
    assert drawn == {"regression", "poisson"}
    assert "objective" not in spec.sample(study.ask(), _ctx(False))


@pytest.mark.parametrize(
    ("family", "objective"), [("lightgbm", "poisson"), ("xgboost", "count:poisson")]
)
def test_poisson_beats_squared_error_on_counts_and_never_predicts_below_zero(family, objective):
    X, y = _counts(3_000)
    fit, val = slice(0, 2_000), slice(2_000, None)
    spec = get_spec(family)
    entries = spec.portfolio(_ctx(True))
    # The Poisson entry is the next one's settings with another objective.
    poisson, same = entries[1], entries[2]
    assert {**poisson, "objective": "regression"} == same
    rmse = {}
    for name, params in (("poisson", poisson), ("regression", same)):
        model = spec.build({**params, "n_estimators": 300}, _ctx(True))
        model.fit(X.iloc[fit], y[fit])
        predicted = model.predict(X.iloc[val])
        rmse[name] = float(np.sqrt(np.mean((predicted - y[val]) ** 2)))
        if name == "poisson":
            assert model[-1].objective == objective and predicted.min() >= 0
    assert rmse["poisson"] < rmse["regression"], rmse
