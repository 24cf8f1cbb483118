"""Shared fixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from tests._data import make_table


@pytest.fixture
def binary_table() -> pd.DataFrame:
    return make_table(300, "binary")


@pytest.fixture
def regression_table() -> pd.DataFrame:
    return make_table(300, "regression")


@pytest.fixture
def multiclass_table() -> pd.DataFrame:
    return make_table(300, "multiclass")
