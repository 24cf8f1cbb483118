"""Recency: trending popularity, recency-weighted histories, and the trending family finding a
planted seasonal signal that all-time popularity cannot see."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from tests.unit.recommend._seasonal import seasonal_purchases

from rightfit.recommend import FAMILIES, fit_recommender
from rightfit.recommend._families import fit_family, popularity_of
from rightfit.recommend._recency import recent_history, trending_popularity
from rightfit.recommend._repeat import EventLog, event_log
from rightfit.recommend._split import build_matrix

DAY = 86_400.0


def _log():
    """Four users: 'old' was bought by three of them a year ago, 'new' by two last week."""
    frame = pd.DataFrame(
        {
            "user": ["a", "b", "c", "a", "d", "d"],
            "item": ["old", "old", "old", "new", "new", "old"],
            "value": 1.0,
            "time": np.array([0, 0, 0, 358, 360, 365]) * DAY,
        }
    )
    users, items = pd.Index(["a", "b", "c", "d"]), pd.Index(["new", "old"])
    return frame, users, items


def test_trending_ranks_what_sells_now_and_tends_to_popularity():
    frame, users, items = _log()
    log = event_log(frame, users, items)
    history = build_matrix(frame, users, items, "implicit")
    plain = popularity_of(history)
    assert plain[1] > plain[0]  # all-time: 'old' (4 users) over 'new' (2)
    recent = trending_popularity(log, 30.0)
    assert recent[0] > recent[1]  # this month: 'new'
    # user d bought 'old' at the very end: only that latest purchase of the pair counts
    assert recent[1] == pytest.approx((1 + 3 * 0.5 ** (365 / 30)) / 4)
    assert trending_popularity(log, 1e9) == pytest.approx(plain)


def test_recent_history_decays_each_users_older_items():
    frame, users, items = _log()
    log = event_log(frame, users, items)
    history = build_matrix(frame, users, items, "implicit")
    recent = recent_history(history, log, 7.0)
    assert recent.nnz == history.nnz  # every seen item stays seen (masked from the lists)
    a = users.get_loc("a")
    # user a: 'new' is their latest item (weight kept), 'old' is 358 days older
    assert recent[a, 0] == pytest.approx(history[a, 0])
    assert recent[a, 1] == pytest.approx(history[a, 1] * 0.5 ** (358 / 7))
    bad = EventLog(np.array([0]), np.array([0]), np.zeros(1), history.shape, np.zeros(1))
    with pytest.raises(ValueError, match="does not cover"):
        recent_history(history, bad, 7.0)


def test_half_lives_change_item_knn_prior_and_cold_start_fallback():
    frame, users, items = _log()
    log = event_log(frame, users, items)
    history = build_matrix(frame, users, items, "implicit")
    plain = popularity_of(history)
    params = dict(FAMILIES["item_knn"].defaults[0])
    off = fit_family("item_knn", history, plain, params, 0, 1, events=log)
    assert off.popularity == pytest.approx(plain)
    params.update(popularity_half_life_days=15.0, history_half_life_days=15.0)
    on = fit_family("item_knn", history, plain, params, 0, 1, events=log)
    # the prior, and what cold-start users are served, is now what sells recently
    assert int(np.argmax(on.popularity)) == items.get_loc("new")
    assert sp.linalg.norm(on.history - off.history) > 0
    with pytest.raises(ValueError, match="event log"):
        FAMILIES["item_knn"].fit(history, plain, params, 0, 1)


def test_every_default_sets_every_searched_parameter():
    # the tuner enqueues the defaults into Optuna: a parameter they leave out is drawn at random
    for family in FAMILIES.values():
        for default in family.defaults:
            assert set(family.space) <= set(default), family.name


def test_trending_beats_popularity_on_a_seasonal_catalogue():
    model = fit_recommender(
        seasonal_purchases(),
        user="customer",
        item="product",
        strength="quantity",
        models="trending",
        time_budget=8,
    )
    record = model.record
    assert record["chosen"]["family"] == "trending"  # chosen on validation
    trending = next(c for c in record["candidates"] if c["family"] == "trending")
    assert trending["lift_ci"]["ndcg_at_10"]["ci95"][0] > 0
    assert trending["verdict"].startswith("beats popularity")
    assert trending["params"]["half_life_days"] < 1000
    # cold-start users are served what is trending, at evaluation and at predict time
    unknown = model.recommend_frame(pd.DataFrame({"customer": ["nobody"]}), top_k=3)
    assert list(unknown["item"]) == list(
        model.scorer.item_ids[np.argsort(-np.asarray(model.scorer.popularity))[:3]]
    )


def test_stationary_log_does_not_need_trending(interactions):
    # the planted taste groups have no season: weighting recent choices more finds nothing
    model = fit_recommender(
        interactions,
        user="customer",
        item="product",
        strength="quantity",
        models="trending",
        time_budget=5,
    )
    trending = next(c for c in model.record["candidates"] if c["family"] == "trending")
    assert trending["lift_ci"]["ndcg_at_10"]["ci95"][0] <= 0
