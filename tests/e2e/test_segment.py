"""`rightfit segment` → info --json → predict, as a user runs them, and on the shared sets."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from tests._data import shared_dataset
from tests.e2e._cli import run_cli

pytestmark = pytest.mark.slow


def _info(path) -> dict:
    result = run_cli("info", path, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    root = tmp_path_factory.mktemp("segment")
    X, truth = make_blobs(300, centers=3, n_features=2, cluster_std=0.7, random_state=2)
    frame = pd.DataFrame(
        {
            "id": [f"C{i:04d}" for i in range(len(X))],
            "visits": np.round(10 + 3 * X[:, 0], 2),
            "basket": np.round(50 + 10 * X[:, 1], 2),
            "channel": np.where(truth == 0, "web", "store"),
        }
    )
    data = root / "customers.csv"
    frame.to_csv(data, index=False)
    out = root / "segments"
    result = run_cli("segment", data, "--out", out, "--time-budget", 20, "--quiet")
    assert result.returncode == 0, result.stderr
    return {"root": root, "frame": frame, "out": out, "stdout": result.stdout}


def test_segment_prints_the_choice_and_profiles(segmented):
    stdout = segmented["stdout"]
    assert "3 segments of 300 rows" in stdout
    assert "Segment 1, " in stdout and "why:" in stdout


def test_info_json_holds_k_criteria_stability_profiles(segmented):
    record = _info(segmented["out"])
    assert record["kind"] == "segmentation" and record["k"] == 3
    assert {
        "algorithm",
        "k",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
        "bic",
        "stability",
    } <= set(record["candidates"][0])
    assert record["stability"]["chosen"] > 0.8
    assert len(record["profiles"]) == 3
    assert all(p["sentence"] for p in record["profiles"])


def test_predict_assigns_new_rows(segmented):
    new = segmented["frame"].sample(25, random_state=0)
    path = segmented["root"] / "new.csv"
    new.to_csv(path, index=False)
    pred = segmented["root"] / "pred.csv"
    result = run_cli("predict", segmented["out"], path, "--out", pred)
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(pred)
    assert len(out) == 25 and "segment" in out.columns
    assert set(out["segment"]) <= {1, 2, 3}


def test_bad_k_is_one_line_with_the_fix(segmented):
    result = run_cli(
        "segment",
        segmented["root"] / "customers.csv",
        "--k",
        "1",
        "--out",
        segmented["root"] / "bad",
    )
    assert result.returncode == 2
    assert "error:" in result.stderr and "--k auto" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.shared
def test_mall_customers(tmp_path):
    data = shared_dataset("mall_customers/Mall_Customers.csv")
    result = run_cli("segment", data, "--out", tmp_path / "mall", "-b", 20, "-q")
    assert result.returncode == 0, result.stderr
    record = _info(tmp_path / "mall")
    assert "CustomerID" not in record["features"]
    assert 3 <= record["k"] <= 6
    assert record["stability"]["chosen"] >= 0.75
    frame = pd.read_csv(data)
    assert sum(p["size"] for p in record["profiles"]) == len(frame)
    # the well-known high-income, high-spending group shows up as a segment
    rich_spenders = [
        p
        for p in record["profiles"]
        if any(
            f["feature"] == "Spending Score (1-100)" and f["effect"] > 0.8 for f in p["features"]
        )
        and any(f["feature"] == "Annual Income (k$)" and f["effect"] > 0.5 for f in p["features"])
    ]
    assert rich_spenders, [p["sentence"] for p in record["profiles"]]


@pytest.mark.shared
def test_wholesale_customers(tmp_path):
    data = shared_dataset("wholesale_customers/wholesale.csv")
    result = run_cli("segment", data, "--out", tmp_path / "wholesale", "-b", 20, "-q")
    assert result.returncode == 0, result.stderr
    record = _info(tmp_path / "wholesale")
    # spending columns are heavily skewed: they are clustered on a log scale
    assert {"Fresh", "Grocery", "Detergents_Paper"} <= set(record["preprocessing"]["log1p_columns"])
    chosen = record["chosen"]["criteria"]
    assert chosen["silhouette"] > 0.25 and record["stability"]["chosen"] >= 0.75
    ok = [c for c in record["candidates"] if c["silhouette"] is not None]
    assert chosen["silhouette"] >= max(c["silhouette"] for c in ok) - 0.1


@pytest.mark.shared
def test_online_retail_rfm(tmp_path):
    data = shared_dataset("online_retail_germany/germany.csv")
    result = run_cli(
        "segment",
        data,
        "--rfm",
        "customer=CustomerID,date=InvoiceDate,amount=Quantity*UnitPrice,invoice=InvoiceNo",
        "--out",
        tmp_path / "rfm",
        "-b",
        20,
        "-q",
    )
    assert result.returncode == 0, result.stderr
    record = _info(tmp_path / "rfm")
    assert record["data"]["n_segmented_rows"] == 95  # customers, not purchase lines
    assert record["features"] == ["recency_days", "frequency", "monetary"]
    frame = pd.read_csv(data, encoding="utf-8-sig")
    raw = frame.assign(amount=frame["Quantity"] * frame["UnitPrice"])
    spend = raw.groupby("CustomerID")["amount"].sum()
    # the profiles' medians are true of the data: recompute them from the raw log
    pred = tmp_path / "pred.csv"
    result = run_cli("predict", tmp_path / "rfm", data, "--only-predictions", "--out", pred)
    assert result.returncode == 0, result.stderr
    segments = pd.read_csv(pred).set_index("CustomerID")["segment"]
    for profile in record["profiles"]:
        members = segments.index[segments == profile["segment"]]
        monetary = next(f for f in profile["features"] if f["feature"] == "monetary")
        assert monetary["segment_median"] == pytest.approx(spend.loc[members].median(), rel=1e-3)
