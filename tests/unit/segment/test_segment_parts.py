"""RFM aggregation, skew handling and segment profiles, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rightfit.errors import ConfigError, DataError
from rightfit.segment import LogSkewed, RFMSpec, fit_segments, profile_segments, rfm_table


def _log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Invoice": ["1", "1", "2", "3", "C4", "5"],
            "Customer": [7, 7, 7, 8, 8, np.nan],
            "When": [
                "2021-01-01 10:00",
                "2021-01-01 10:00",
                "2021-01-10 09:00",
                "2021-01-05 12:00",
                "2021-01-06 12:00",
                "2021-01-07",
            ],
            "Qty": [2, 1, 4, -1, -1, 3],
            "Price": [1.5, 10.0, 2.0, 5.0, 5.0, 1.0],
        }
    )


def test_rfm_table_computes_recency_frequency_monetary():
    spec = RFMSpec.parse("customer=Customer,date=When,amount=Qty*Price,invoice=Invoice")
    result = rfm_table(_log(), spec)
    frame = result.frame.set_index("Customer")
    assert result.reference_date == "2021-01-11"
    assert frame.loc[7, "frequency"] == 2  # invoices 1 and 2
    assert frame.loc[7, "monetary"] == pytest.approx(2 * 1.5 + 10 + 8)
    assert frame.loc[7, "recency_days"] == pytest.approx(1 - 9 / 24, abs=0.01)
    assert frame.loc[8, "frequency"] == 0  # only negative amounts: no purchase counted
    assert frame.loc[8, "monetary"] == pytest.approx(-10.0)
    assert any("no customer" in note for note in result.notes)


def test_rfm_spec_errors_name_the_fix():
    with pytest.raises(ConfigError, match="Did you mean 'customer'"):
        RFMSpec.parse("custmer=a,date=b,amount=c")
    with pytest.raises(ConfigError, match="needs date"):
        RFMSpec.parse("customer=a,amount=c")
    with pytest.raises(ConfigError, match="product of two"):
        RFMSpec.parse("customer=a,date=b,amount=c*d*e")
    with pytest.raises(DataError, match="Did you mean 'Price'"):
        rfm_table(_log(), RFMSpec.parse("customer=Customer,date=When,amount=Qty*Prise"))


@pytest.mark.slow
def test_segment_a_transaction_log_and_predict_from_one():
    rng = np.random.default_rng(0)
    rows = []
    for c in range(120):
        loyal = c % 2 == 0
        for _ in range(int(rng.integers(8, 14) if loyal else rng.integers(1, 3))):
            day = int(rng.integers(300, 365) if loyal else rng.integers(0, 120))
            rows.append(
                (
                    c,
                    pd.Timestamp("2022-01-01") + pd.Timedelta(days=day),
                    float(rng.integers(50, 90) if loyal else rng.integers(5, 15)),
                )
            )
    log = pd.DataFrame(rows, columns=["cust", "day", "spend"])
    seg = fit_segments(log, rfm="customer=cust,date=day,amount=spend", time_budget=15)
    assert seg.record["rfm"]["spec"]["customer"] == "cust"
    assert seg.record["features"] == ["recency_days", "frequency", "monetary"]
    assert seg.record["k"] == 2
    out = seg.predict_frame(log)
    assert list(out.columns[:2]) == ["cust", "segment"]
    assert len(out) == 120
    loyal = out.set_index("cust")["segment"]
    assert loyal[loyal.index % 2 == 0].nunique() == 1
    assert loyal[loyal.index % 2 == 0].iloc[0] != loyal[loyal.index % 2 == 1].iloc[0]
    with pytest.raises(DataError, match="transaction log"):
        seg.predict_frame(pd.DataFrame({"x": [1]}))


def test_log_skewed_only_touches_skewed_non_negative_columns():
    frame = pd.DataFrame(
        {
            "spend": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 5000],
            "delta": [-5000.0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    step = LogSkewed().fit(frame)
    assert step.columns_ == ["spend"]
    out = step.transform(frame)
    assert out["spend"].iloc[-1] == pytest.approx(np.log1p(5000))
    assert (out["delta"] == frame["delta"]).all()


def test_profile_sentence_has_the_numbers():
    frame = pd.DataFrame(
        {
            "age": [25.0, 27, 29, 31, 50, 52, 54, 56],
            "plan": ["gold", "gold", "gold", "basic", "basic", "basic", "basic", "basic"],
        }
    )
    profiles = profile_segments(frame, np.array([2, 2, 2, 2, 1, 1, 1, 1]))
    young = next(p for p in profiles if p["segment"] == 2)
    assert young["share"] == 0.5
    assert "Segment 2, 50% of customers (4 of 8)" in young["sentence"]
    assert "age 26.5–29.5 (median 28 vs 40.5 overall)" in young["sentence"]
    assert "plan gold 75% (vs 38% overall)" in young["sentence"]
