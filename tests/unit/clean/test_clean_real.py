"""clean_table on the real shared datasets (skipped when they are absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightfit.clean import clean_table
from rightfit.data import infer_schema, read_table
from rightfit.profile import profile_table

pytestmark = pytest.mark.shared


def _clean(relative: str, target: str):
    root = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
    path = root.parent / "shared" / "datasets" / relative
    if not path.exists():
        pytest.skip(f"../shared/datasets not found: {path}")
    frame = read_table(path).frame
    schema = infer_schema(frame, target)
    return clean_table(frame, schema, profile_table(frame, schema))


def test_telco_clean_log():
    cleaned = _clean("telco_customer_churn/Telco-Customer-Churn.csv", "Churn")
    reasons = [c.reason for c in cleaned.log.changes]
    assert "TotalCharges: 11 values that are not numbers (' ') will be treated as missing" in (
        reasons
    )
    assert "customerID" not in cleaned.schema.feature_columns()
    assert len(cleaned.frame) == 7043


def test_vehicle_fraud_exact_duplicate_dropped():
    cleaned = _clean("vehicle_insurance_fraud/fraud_oracle.csv.gz", "FraudFound_P")
    dropped = next(c for c in cleaned.log.changes if c.action == "drop_duplicate_rows")
    assert dropped.rows_affected == 1 and len(cleaned.frame) == 15422
