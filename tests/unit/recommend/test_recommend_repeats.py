"""Repeats allowed (``repeats=True`` / ``--repeats``): re-purchases are targets, no candidate
masks the user's history, the repeat-aware family beats popularity, the bundle carries it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.unit.recommend._synthetic import synthetic_purchases
from tests.unit.recommend._tiny import tiny_log

import rightfit
from rightfit.data import read_table
from rightfit.errors import ConfigError
from rightfit.recommend import _fit, _tune
from rightfit.recommend._data import read_interactions
from rightfit.recommend._evaluate import evaluate_scorer
from rightfit.recommend._families import FAMILIES, fit_family, popularity_of
from rightfit.recommend._repeat import event_log, own_history
from rightfit.recommend._split import build_matrix, relevant_items, time_split


def test_repeats_make_re_purchases_targets_and_unmask_popularity():
    train, test, users, items, history = tiny_log()
    assert relevant_items(train, test, None) == {"a": {"z"}}
    relevant = relevant_items(train, test, None, repeats=True)
    assert relevant == {"a": {"x", "z"}}
    scorer = FAMILIES["popularity"].fit(history, popularity_of(history), {}, 0, 1)
    unmasked = evaluate_scorer(scorer, users, items, relevant, cutoffs=(1,), exclude_seen=False)
    # x (already bought by a) is the best-seller: served and credited at rank 1
    assert unmasked["at_1"]["precision"] == 1.0
    masked = evaluate_scorer(scorer, users, items, relevant, cutoffs=(1,))
    assert masked["at_1"]["precision"] == 1.0 and masked["at_1"]["recall"] == 0.5  # z only


def test_own_history_decays_with_age_and_ranks_recent_first():
    frame = pd.DataFrame(
        {
            "user": ["a"] * 4,
            "item": ["old", "old", "new", "new"],
            "time": np.array([0.0, 1.0, 99.0, 100.0]) * 86_400,
        }
    )
    log = event_log(frame, pd.Index(["a"]), pd.Index(["new", "old"]))
    recent = own_history(log, 10.0).toarray()[0]
    assert recent[0] == pytest.approx(1 + 0.5**0.1)  # bought 1 and 0 days before the latest
    assert recent[0] > recent[1] > 0
    frequency = own_history(log, 1e6).toarray()[0]  # no decay: counts of events
    assert frequency == pytest.approx([2.0, 2.0], rel=1e-4)


def _synthetic_split(seed: int = 1):
    frame = read_interactions(
        read_table(synthetic_purchases(n_users=500, n_items=300, seed=seed)),
        "customer",
        "product",
        strength="quantity",
    ).frame
    split = time_split(frame)
    users = pd.Index(sorted(split.train["user"].unique()))
    items = pd.Index(sorted(split.train["item"].unique()))
    history = build_matrix(split.train, users, items, "implicit")
    return split, users, items, history


def test_repeat_aware_beats_popularity_when_customers_buy_again():
    split, users, items, history = _synthetic_split()
    relevant = relevant_items(split.train, split.test, None, repeats=True)
    popularity = popularity_of(history)
    events = event_log(split.train, users, items)
    results = {}
    for name in ("popularity", "repeat_aware"):
        params = dict(FAMILIES[name].defaults[0])
        scorer = fit_family(name, history, popularity, params, 0, 1, events=events)
        results[name] = evaluate_scorer(scorer, users, items, relevant, exclude_seen=False)
    base, repeat = results["popularity"], results["repeat_aware"]
    for group in ("at_10", "at_10_known_users"):
        assert repeat[group]["ndcg"] > 1.5 * base[group]["ndcg"], (group, repeat, base)
        assert repeat[group]["recall"] > 1.5 * base[group]["recall"], (group, repeat, base)


def test_repeat_aware_needs_repeats():
    frame = synthetic_purchases(n_users=60, n_items=40)
    with pytest.raises(ConfigError, match="--repeats"):
        _fit.fit_recommender(frame, user="customer", item="product", models="repeat_aware")
    assert "repeat_aware" not in _fit._families(None)
    # with repeats it is tried right after the baseline, before costlier families
    assert _fit._families("als,repeat_aware", repeats=True)[:2] == ["popularity", "repeat_aware"]
    assert _fit._families("als,item_knn") == ["popularity", "als", "item_knn"]  # order as given


@pytest.mark.slow
def test_fit_with_repeats_records_protocol_serves_repeats_and_never_tunes_on_test(
    monkeypatch, tmp_path
):
    frame = synthetic_purchases(n_users=400, n_items=200, seed=2)
    tuned: list[tuple[pd.DataFrame, bool]] = []
    real_tune = _fit.tune

    def spy(train, *args, **kwargs):
        tuned.append((train.copy(), args[-1] if len(args) > 7 else kwargs.get("repeats")))
        return real_tune(train, *args, **kwargs)

    monkeypatch.setattr(_fit, "tune", spy)
    evaluated: list[bool] = []
    real_evaluate = _tune.evaluate_scorer

    def evaluate_spy(*args, **kwargs):
        evaluated.append(kwargs.get("exclude_seen", True))
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(_tune, "evaluate_scorer", evaluate_spy)
    model = _fit.fit_recommender(
        frame,
        user="customer",
        item="product",
        strength="quantity",
        models="ease,repeat_aware",
        time_budget=10,
        repeats=True,
    )
    record = model.record
    ((train, repeats),) = tuned
    assert repeats is True and evaluated and not any(evaluated)  # validation unmasked too
    clean = read_interactions(read_table(frame), "customer", "product", strength="quantity").frame
    assert not set(train["row"]) & set(time_split(clean).test["row"])  # tuner: training rows only
    assert record["repeats"] is True and record["protocol"]["repeats_allowed"] is True
    assert "re-purchases" in record["protocol"]["targets"]
    assert "NOTHING masked" in record["protocol"]["served_lists"]
    metrics = record["metrics_at_10"]
    assert {"popularity", "ease", "repeat_aware"} <= set(metrics)
    assert metrics["repeat_aware"]["ndcg"] > 1.5 * metrics["popularity"]["ndcg"]
    # the bundle serves repeats by default; an explicit exclude_seen still overrides
    loaded = rightfit.load(model.save(tmp_path / "recs"))
    assert loaded.repeats is True
    user = frame.groupby("customer").size().idxmax()
    bought = set(frame.loc[frame["customer"] == user, "product"])
    served = loaded.recommend_frame(pd.DataFrame({"customer": [user]}), top_k=10)
    assert bought & set(served["item"])
    assert loaded.predict_frame(pd.DataFrame({"customer": [user]}))["item"].tolist() == (
        served["item"].tolist()
    )
    masked = loaded.recommend_frame(pd.DataFrame({"customer": [user]}), top_k=10, exclude_seen=True)
    assert not bought & set(masked["item"])


@pytest.mark.slow
def test_without_repeats_nothing_changes(interactions):
    model = _fit.fit_recommender(
        interactions,
        user="customer",
        item="product",
        strength="quantity",
        models="item_knn",
        time_budget=4,
    )
    record = model.record
    assert record["repeats"] is False and record["protocol"]["repeats_allowed"] is False
    assert "NOT in that user's training history" in record["protocol"]["targets"]
    assert "repeat_aware" not in record["metrics_at_10"]
    assert model.repeats is False
    bought = set(interactions.loc[interactions["customer"] == 0, "product"])
    served = model.recommend_frame(pd.DataFrame({"customer": [0]}), top_k=20)
    assert not bought & set(served["item"])


def test_serve_request_follows_the_bundle_unless_told():
    from rightfit.serve._app import _recommend_request

    assert _recommend_request({"users": ["u1"]}) == (["u1"], 10, None)  # None: bundle setting
    assert _recommend_request({"users": ["u1"], "exclude_seen": False})[2] is False


@pytest.mark.slow
def test_a_family_tuned_but_not_evaluated_is_reported_skipped(interactions, monkeypatch):
    # the budget runs out during the held-out evaluation: the record must not show the family
    # as "ok" without metrics (the CLI summary read its at_10 and crashed)
    from rightfit.budget import Budget

    class Ending(Budget):
        ended = False

        def remaining(self) -> float:
            return 0.0 if Ending.ended else super().remaining()

    real_evaluate = _fit.evaluate_scorer

    def evaluate_then_end(*args, **kwargs):
        Ending.ended = True
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(_fit, "evaluate_scorer", evaluate_then_end)
    model = _fit.fit_recommender(
        interactions,
        user="customer",
        item="product",
        strength="quantity",
        models="item_knn,ease",
        time_budget=Ending(8),
    )
    candidates = {c["family"]: c for c in model.record["candidates"]}
    assert set(model.record["metrics_at_10"]) == {"popularity", "item_knn"}
    assert (
        candidates["ease"]["status"] == "skipped" and "not evaluated" in candidates["ease"]["error"]
    )
    assert all("at_10" in c for c in candidates.values() if c["status"] == "ok")
