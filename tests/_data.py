"""Helpers shared by the tests: synthetic tables and the location of ../shared/datasets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "datasets"


def shared_dataset(relative: str) -> Path:
    """Path of a file in ../shared/datasets, or skip the test with a clear reason."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared/datasets/{relative} not found (the shared datasets are absent)")
    return path


def make_table(n: int = 300, task: str = "binary", seed: int = 0) -> pd.DataFrame:
    """A small mixed-type table whose target depends on numeric and categorical columns."""
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, n).round()
    income = rng.lognormal(10, 0.5, n)
    plan = rng.choice(["basic", "plus", "premium"], n, p=[0.5, 0.3, 0.2])
    tenure = rng.integers(0, 72, n).astype(float)
    tenure[rng.random(n) < 0.08] = np.nan
    signal = (
        0.04 * (age - 40)
        + 0.8 * (plan == "premium")
        - 0.03 * np.nan_to_num(tenure, nan=30)
        + rng.normal(0, 0.7, n)
    )
    frame = pd.DataFrame({"age": age, "income": income, "plan": plan, "tenure": tenure})
    if task == "binary":
        frame["churn"] = np.where(signal > np.median(signal), "yes", "no")
    elif task == "multiclass":
        frame["churn"] = pd.cut(signal, 3, labels=["low", "mid", "high"]).astype(str)
    else:
        frame["churn"] = 100 + 20 * signal
    return frame
