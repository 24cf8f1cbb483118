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
