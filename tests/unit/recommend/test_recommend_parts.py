"""Ranking metrics, the time-aware split and relevance, on cases small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rightfit.data import read_table
from rightfit.errors import ConfigError, DataError, SchemaMismatchError
from rightfit.recommend import ranking_metrics, time_split
from rightfit.recommend._data import id_strings, read_interactions
from rightfit.recommend._split import relevant_items


def test_ranking_metrics_match_hand_computation():
    m = ranking_metrics([["a", "b"], ["c", "a"]], [{"a"}, {"a", "d"}], k=2, n_items=4)
    assert m["precision"] == pytest.approx(0.5)
    assert m["recall"] == pytest.approx((1 + 0.5) / 2)
    second = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert m["ndcg"] == pytest.approx((1 + second) / 2)
    assert m["map"] == pytest.approx((1 + 0.5 / 2) / 2)
    assert m["coverage"] == pytest.approx(3 / 4)


def test_perfect_and_empty_rankings():
    perfect = ranking_metrics([["a", "b", "c"]], [{"a", "b"}], k=3, n_items=10)
    assert perfect["ndcg"] == pytest.approx(1.0) and perfect["recall"] == 1.0
    assert perfect["map"] == pytest.approx(1.0)
    miss = ranking_metrics([["x", "y"]], [{"a"}], k=2, n_items=10)
    assert miss["ndcg"] == miss["recall"] == miss["map"] == 0.0


def test_time_split_holds_out_each_users_latest_events():
    frame = pd.DataFrame(
        {
            "user": ["a"] * 10 + ["b"] * 3 + ["c"] * 2,
            "item": [f"i{j}" for j in range(10)] + ["i1", "i2", "i3", "i4", "i5"],
            "value": 1.0,
            # c's two rows share one timestamp: one basket, one event
            "time": [*range(10), 5, 1, 3, 7, 7],
        }
    )
    split = time_split(frame)
    for user, rows in split.test.groupby("user"):
        train = split.train[split.train["user"] == user]
        if len(train):
            assert train["time"].max() < rows["time"].min()  # nothing from the future
    assert sorted(split.test[split.test["user"] == "a"]["item"]) == ["i8", "i9"]
    assert split.test[split.test["user"] == "b"]["item"].tolist() == ["i1"]
    assert split.cold_users == ("c",)
    assert split.to_dict()["cold_start_users"] == 1


def test_relevant_items_leave_out_what_the_user_already_had():
    train = pd.DataFrame({"user": ["a", "a"], "item": ["x", "y"], "value": [1.0, 1.0]})
    test = pd.DataFrame({"user": ["a", "a", "b"], "item": ["x", "z", "x"], "value": [1.0, 5, 2]})
    assert relevant_items(train, test, None) == {"a": {"z"}, "b": {"x"}}
    assert relevant_items(train, test, 3.0) == {"a": {"z"}}


def test_ids_read_the_same_from_numbers_and_text():
    assert id_strings(pd.Series([12662.0, 7.0])).tolist() == ["12662", "7"]
    assert id_strings(pd.Series([" 12662", "A-1"])).tolist() == ["12662", "A-1"]


def _table(frame):
    return read_table(frame)


def test_read_interactions_drops_returns_and_finds_the_date(interactions):
    frame = interactions.copy()
    frame.loc[:4, "quantity"] = -1
    data = read_interactions(_table(frame), "customer", "product", strength="quantity")
    assert len(data.frame) == len(frame) - 5
    assert data.time_column == "date"
    assert any("5 rows dropped" in note for note in data.notes)


def test_interaction_errors_name_the_fix(interactions):
    table = _table(interactions)
    with pytest.raises(SchemaMismatchError, match="Did you mean 'customer'"):
        read_interactions(table, "custmer", "product")
    with pytest.raises(ConfigError, match="not both"):
        read_interactions(table, "customer", "product", rating="quantity", strength="quantity")
    with pytest.raises(ConfigError, match="same column"):
        read_interactions(table, "customer", "customer")
    with pytest.raises(DataError, match="at least 20"):
        read_interactions(_table(interactions.head(5)), "customer", "product")
    bad = interactions.assign(quantity="none")
    with pytest.raises(DataError, match="no usable value"):
        read_interactions(_table(bad), "customer", "product", strength="quantity")
    assert np.isfinite(read_interactions(table, "customer", "product").frame["time"]).all()
