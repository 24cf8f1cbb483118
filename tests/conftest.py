"""Shared fixtures."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from tests._data import make_table

# pytest-xdist runs two workers on two cores: one thread per fit keeps them from oversubscribing
# the cores (OpenMP threads of two processes spin against each other and slow fits tenfold).
# Subprocesses (the CLI tests) inherit it.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("RIGHTFIT_N_JOBS", "1")


@pytest.fixture
def binary_table() -> pd.DataFrame:
    return make_table(300, "binary")


@pytest.fixture
def regression_table() -> pd.DataFrame:
    return make_table(300, "regression")


@pytest.fixture
def multiclass_table() -> pd.DataFrame:
    return make_table(300, "multiclass")
