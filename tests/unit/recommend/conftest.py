"""Fixtures of the recommender tests (the planted data lives in ``_planted.py``)."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.unit.recommend._planted import planted_interactions


@pytest.fixture(scope="module")
def interactions() -> pd.DataFrame:
    return planted_interactions()


@pytest.fixture(scope="session")
def planted_model():
    """item-kNN and ALS fitted on the planted data once, for every test that only reads it."""
    from rightfit.recommend import fit_recommender

    return fit_recommender(
        planted_interactions(),
        user="customer",
        item="product",
        strength="quantity",
        models="item_knn,als",
        time_budget=8,
    )
