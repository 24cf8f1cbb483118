"""profile_table on the real shared datasets (skipped when they are absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightfit.data import infer_schema, read_table
from rightfit.profile import profile_table

pytestmark = pytest.mark.shared


def _load(relative: str, target: str):
    root = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
    path = root.parent / "shared" / "datasets" / relative
    if not path.exists():
        pytest.skip(f"../shared/datasets not found: {path}")
    frame = read_table(path).frame
    return frame, infer_schema(frame, target)


def test_telco_profile():
    frame, schema = _load("telco_customer_churn/Telco-Customer-Churn.csv", "Churn")
    profile = profile_table(frame, schema)
    issues = {(i.kind, i.columns) for i in profile.issues}
    assert ("id_column", ("customerID",)) in issues
    assert ("mixed_types", ("TotalCharges",)) in issues
    assert profile.column("TotalCharges").n_missing == 11
    assert profile.leakage_suspects == ()


@pytest.mark.slow
def test_bank_marketing_duration_is_not_a_one_column_leak():
    frame, schema = _load("bank_marketing/bank.csv.gz", "deposit")
    profile = profile_table(frame, schema)
    # duration is a known leak, but alone it scores ROC AUC ~0.8: below the 0.99 threshold.
    assert "duration" not in profile.leakage_suspects
    assert any(i.kind == "imbalance" and i.severity == "warning" for i in profile.issues)


def test_online_shoppers_duplicates():
    frame, schema = _load("online_shoppers_intention/online_shoppers_intention.csv", "Revenue")
    assert profile_table(frame, schema).n_duplicate_rows == 125
