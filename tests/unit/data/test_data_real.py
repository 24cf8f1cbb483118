"""read_table and infer_schema on the real shared datasets (skipped when they are absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightfit.data import infer_schema, prepare_features, read_table
from rightfit.errors import DataError

pytestmark = pytest.mark.shared


def _datasets() -> Path:
    root = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
    path = root.parent / "shared" / "datasets"
    if not path.is_dir():
        pytest.skip(f"../shared/datasets not found: {path}")
    return path


def _tabular() -> list[dict]:
    root = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
    manifest = root.parent / "shared" / "datasets" / "manifest.json"
    if not manifest.exists():
        reason = "../shared/datasets/manifest.json not found (the shared datasets are absent)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-shared-datasets")]
    entries = json.loads(manifest.read_text())
    return [e for e in entries if e["format"] in ("csv", "csv.gz")]


@pytest.mark.parametrize("entry", _tabular(), ids=lambda e: e["path"])
def test_every_tabular_dataset_reads_with_the_published_shape(entry):
    table = read_table(_datasets() / entry["path"])
    assert table.frame.shape == (entry["rows"], entry["columns"])


def test_headerless_german_credit_is_refused_with_the_fix():
    with pytest.raises(DataError, match=r"header=None"):
        read_table(_datasets() / "german_credit" / "german.csv")


def test_telco_roles():
    table = read_table(_datasets() / "telco_customer_churn" / "Telco-Customer-Churn.csv")
    schema = infer_schema(table.frame, "Churn")
    assert schema.column("customerID").role == "id"
    assert schema.column("TotalCharges").role == "numeric"
    assert "11 values that are not numbers (' ')" in schema.column("TotalCharges").reason
    assert schema.task == "binary" and schema.classes == ("No", "Yes")
    features = prepare_features(table.frame, schema)
    assert features["TotalCharges"].isna().sum() == 11


def test_ames_na_strings_are_missing_and_id_is_set_aside():
    table = read_table(_datasets() / "ames_house_prices" / "house.csv")
    schema = infer_schema(table.frame, "SalePrice")
    assert schema.task == "regression" and schema.classes is None
    assert schema.column("Id").role == "id"
    assert table.frame["Alley"].isna().sum() == 1369


def test_online_shoppers_bool_target_and_columns():
    path = _datasets() / "online_shoppers_intention" / "online_shoppers_intention.csv"
    schema = infer_schema(read_table(path).frame, "Revenue")
    assert schema.task == "binary" and schema.classes == (False, True)
    assert schema.column("Weekend").role == "boolean"
    assert schema.column("Month").role == "categorical"


def test_bom_and_question_marks_in_real_files():
    fraud = read_table(_datasets() / "vehicle_insurance_fraud" / "fraud_oracle.csv.gz")
    assert fraud.encoding == "utf-8-sig" and fraud.frame.columns[0] == "Month"
    assert infer_schema(fraud.frame, "FraudFound_P").column("PolicyNumber").role == "id"
    diabetes = read_table(_datasets() / "diabetes_readmission" / "diabetic_data.csv.gz")
    assert diabetes.frame["race"].isna().sum() == 2273
    assert diabetes.frame["weight"].isna().sum() == 98569
