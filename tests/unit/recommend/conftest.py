"""Fixtures of the recommender tests (the planted data lives in ``_planted.py``)."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.unit.recommend._planted import planted_interactions


@pytest.fixture(scope="module")
def interactions() -> pd.DataFrame:
    return planted_interactions()
