"""fit_recommender on planted tastes: beats popularity, records every candidate, serves top-k."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import rightfit
from rightfit.errors import ConfigError, SchemaMismatchError
from rightfit.recommend import Recommender, fit_recommender

pytestmark = pytest.mark.slow


@pytest.fixture
def model(planted_model) -> Recommender:
    return planted_model


def test_beats_popularity_clearly_on_held_out_interactions(model):
    record = model.record
    assert record["kind"] == "recommendation"
    metrics = record["metrics_at_10"]
    assert set(metrics) == {"popularity", "item_knn", "als"}
    chosen = record["chosen"]["family"]
    assert chosen in ("item_knn", "als")
    assert metrics[chosen]["ndcg"] > 1.5 * metrics["popularity"]["ndcg"]
    assert metrics[chosen]["recall"] > 1.5 * metrics["popularity"]["recall"]
    assert record["lift_over_popularity"]["ndcg_at_10"] > 0.5
    for name in ("precision", "recall", "ndcg", "map", "coverage"):
        assert 0 <= metrics[chosen][name] <= 1
    assert set(record["metrics_at_5"]) == set(metrics)


def test_record_describes_split_and_cold_start(model):
    record = model.record
    assert record["split"]["cold_start_users"] == 2
    assert record["cold_start"]["cold_start_users"] == 2
    assert "2 of" in record["cold_start"]["note"]
    assert record["interactions"]["time_column"] == "date"
    assert record["delivered_model"]["fitted_on"] == "all interactions"
    trials = record["trials"]
    assert {t["family"] for t in trials} >= {"popularity", "item_knn", "als"}
    assert record["search"]["n_trials"] == len(trials)
    assert record["search"]["stop_reason"]
    # the one-standard-error rule: the evaluated configuration is within one SE of the best
    for family in ("item_knn", "als"):
        own = [t for t in trials if t["family"] == family and t["status"] == "ok"]
        leader = max(own, key=lambda t: t["validation_ndcg_at_10"])
        chosen = next(c for c in record["candidates"] if c["family"] == family)
        assert chosen["validation_ndcg_at_10"] >= (
            leader["validation_ndcg_at_10"] - leader["validation_ndcg_standard_error"] - 1e-9
        )
    json.dumps(record, allow_nan=False)


def test_recommend_frame_excludes_what_was_bought(model, interactions):
    users = pd.DataFrame({"customer": [0, 1, 0, 424242]})
    out = model.recommend_frame(users, top_k=5)
    assert list(out.columns) == ["user", "rank", "item", "score"]
    assert out["user"].unique().tolist() == ["0", "1", "424242"]  # each user once, in order
    assert (out.groupby("user")["rank"].apply(list) == [[1, 2, 3, 4, 5]] * 3).all()
    bought = set(interactions.loc[interactions["customer"] == 0, "product"])
    assert not bought & set(out.loc[out["user"] == "0", "item"])
    scores = out.loc[out["user"] == "0", "score"].to_numpy()
    assert (np.diff(scores) <= 1e-12).all()
    # an unknown user gets the most popular items
    popular = interactions.groupby("product")["customer"].nunique().sort_values(ascending=False)
    cold = out.loc[out["user"] == "424242", "item"].tolist()
    assert set(cold) <= set(popular.index[:8])
    with_seen = model.recommend_frame(users.head(1), top_k=20, exclude_seen=False)
    assert bought & set(with_seen["item"])
    assert len(model.predict_frame(users)) == 30


def test_bundle_round_trip(model, tmp_path):
    path = model.save(tmp_path / "recs")
    loaded = rightfit.load(path)
    assert isinstance(loaded, Recommender)
    users = pd.DataFrame({"customer": ["3", "7"]})
    pd.testing.assert_frame_equal(loaded.recommend_frame(users), model.recommend_frame(users))


def test_bad_requests_name_the_fix(model, interactions):
    with pytest.raises(SchemaMismatchError, match="'customer' column"):
        model.recommend_frame(pd.DataFrame({"client": [1]}))
    with pytest.raises(ConfigError, match="top_k"):
        model.recommend_frame(pd.DataFrame({"customer": [1]}), top_k=0)
    with pytest.raises(ConfigError, match="Did you mean 'als'"):
        fit_recommender(interactions, user="customer", item="product", models="alss")


def test_explicit_ratings(interactions):
    rated = interactions.assign(stars=(interactions["quantity"] % 5) + 1)
    model = fit_recommender(
        rated, user="customer", item="product", rating="stars", models="item_knn", time_budget=4
    )
    assert model.record["interactions"]["feedback"] == "explicit"
    assert "median rating" in model.record["relevance"]
    assert {"popularity", "item_knn"} <= set(model.record["metrics_at_10"])


def test_two_tower_keras_model_learns_the_tastes(interactions):
    model = fit_recommender(
        interactions,
        user="customer",
        item="product",
        strength="quantity",
        models="two_tower",
        time_budget=30,
    )
    metrics = model.record["metrics_at_10"]
    assert "two_tower" in metrics, model.record["candidates"]
    assert metrics["two_tower"]["ndcg"] > 1.3 * metrics["popularity"]["ndcg"]
