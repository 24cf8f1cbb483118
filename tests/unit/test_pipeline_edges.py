"""Edge cases of the orchestrator that only show up in a whole run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rightfit.pipeline import run
from rightfit.split import make_split

pytestmark = pytest.mark.slow


def test_log_target_model_is_not_refit_on_a_blind_test_holding_a_zero_target():
    rng = np.random.default_rng(0)
    n = 200
    x = rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "z": rng.normal(size=n), "price": np.exp(2 * x + 5)})
    test_rows = make_split(frame["price"], "regression", seed=0).test_rows
    frame.loc[test_rows[0], "price"] = 0.0  # only the blind test sees a non-positive target
    result = run(frame, "price", time_budget=6, models=["linear"], seed=0)
    chosen = result.record["chosen"]["members"][0]["params"]
    if chosen.get("log_target"):
        assert "log(target)" in result.record["delivered_model"]["note"]
    assert np.isfinite(result.predictor.predict(frame.drop(columns="price"))).all()


def test_a_search_that_stops_before_the_budget_says_what_the_rest_is_kept_for():
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    frame["y"] = np.where(frame["a"] + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    result = run(frame, "y", time_budget=8, models=["linear", "lightgbm"], seed=0)
    reason = result.record["search"]["stop_reason"]
    if reason.startswith("time budget reached"):
        assert "kept for the refits of" in reason and "the review" in reason
    else:  # every candidate finished: the search says so instead
        assert "no remaining candidate" in reason or "cap" in reason
    assert result.record["timings"]["total"] <= 8 * 1.05
