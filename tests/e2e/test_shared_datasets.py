"""The whole workflow on the real churn, house-price and cart-abandonment sets in ../shared."""

from __future__ import annotations

import pytest

import rightfit
from tests._data import shared_dataset

pytestmark = [pytest.mark.slow, pytest.mark.shared]


def _metric(model, name):
    return next(m for m in model.evaluation["metrics"] if m["name"] == name)


def test_telco_churn_binary():
    path = shared_dataset("telco_customer_churn/Telco-Customer-Churn.csv")
    model = rightfit.fit(path, target="Churn", time_budget=25, verbose=0)
    record = model.record
    roles = {c["name"]: c["role"] for c in record["schema"]["columns"]}
    assert roles["customerID"] == "id"
    assert roles["TotalCharges"] == "numeric"
    assert record["task"] == "binary" and record["metric"] == "roc_auc"
    auc = _metric(model, "roc_auc")
    # Published results on this set are around 0.84-0.85 ROC AUC.
    assert auc["value"] > 0.80 and auc["low"] < auc["value"] < auc["high"]
    assert auc["baseline"] == pytest.approx(0.5)
    assert record["timings"]["total"] < 25 * 1.1 + 2


def test_ames_house_prices_regression():
    path = shared_dataset("ames_house_prices/house.csv")
    model = rightfit.fit(path, target="SalePrice", time_budget=25, verbose=0)
    assert model.record["task"] == "regression" and model.record["metric"] == "rmse"
    r2 = _metric(model, "r2")
    rmse = _metric(model, "rmse")
    assert r2["value"] > 0.8
    assert rmse["value"] < 0.5 * rmse["baseline"]
    roles = {c["name"]: c["role"] for c in model.record["schema"]["columns"]}
    assert roles["Id"] == "id"


def test_online_shoppers_cart_abandonment():
    path = shared_dataset("online_shoppers_intention/online_shoppers_intention.csv")
    model = rightfit.fit(path, target="Revenue", time_budget=25, verbose=0)
    auc = _metric(model, "roc_auc")
    assert auc["value"] > 0.88
    assert model.record["split"]["strategy"] == "stratified"
    frame = model.leaderboard()
    assert frame["family"].nunique() >= 3
