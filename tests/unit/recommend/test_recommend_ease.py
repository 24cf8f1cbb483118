"""EASE, the evaluation protocol (new items only, user groups) and the tuning's isolation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from tests.unit.recommend._tiny import tiny_log

from rightfit.data import read_table
from rightfit.recommend import _ease, _fit
from rightfit.recommend._data import read_interactions
from rightfit.recommend._ease import ease_weights, fit_ease, prune_by_magnitude
from rightfit.recommend._evaluate import evaluate_scorer
from rightfit.recommend._families import FAMILIES, popularity_of
from rightfit.recommend._split import build_matrix, relevant_items, time_split


def _split_matrices(frame: pd.DataFrame):
    frame = frame.rename(columns={"customer": "user", "product": "item", "quantity": "value"})
    frame = frame.assign(user=frame["user"].astype(str), time=frame["date"].astype("int64") / 1e9)
    split = time_split(frame)
    users = pd.Index(sorted(split.train["user"].unique()))
    items = pd.Index(sorted(split.train["item"].unique()))
    history = build_matrix(split.train, users, items, "implicit")
    return split, users, items, history


def test_ease_weights_solve_the_constrained_ridge_regression():
    rng = np.random.default_rng(0)
    x = (rng.random((40, 6)) < 0.4).astype(float)
    b = ease_weights(sp.csr_matrix(x), 2.0)
    assert np.allclose(np.diag(b), 0)
    # column j regresses item j on the other items with an L2 penalty of 2
    for j in range(6):
        others = [i for i in range(6) if i != j]
        a = x[:, others]
        direct = np.linalg.solve(a.T @ a + 2.0 * np.eye(5), a.T @ x[:, j])
        assert np.allclose(b[others, j], direct)


def test_pruning_keeps_the_largest_weights_by_magnitude():
    weights = np.array([[0.0, -5.0, 0.1], [0.2, 0.0, -0.3], [3.0, 0.4, 0.0]])
    pruned = prune_by_magnitude(weights, keep=1).toarray()
    assert pruned[:, 0].tolist() == [0.0, 0.0, 3.0]
    assert pruned[:, 1].tolist() == [-5.0, 0.0, 0.0]
    assert pruned[:, 2].tolist() == [0.0, -0.3, 0.0]
    assert (pruned != 0).sum(axis=0).max() == 1


def test_ease_refuses_big_catalogues(monkeypatch):
    monkeypatch.setattr(_ease, "MAX_EASE_ITEMS", 3)
    history = sp.csr_matrix(np.ones((4, 5)))
    with pytest.raises(ValueError, match="over its limit"):
        fit_ease(history, np.ones(5) / 5, {"l2": 1.0}, 0, 1)


def test_ease_beats_popularity_on_planted_tastes(interactions):
    split, users, items, history = _split_matrices(interactions)
    relevant = relevant_items(split.train, split.test, None)
    popularity = popularity_of(history)
    base = evaluate_scorer(
        FAMILIES["popularity"].fit(history, popularity, {}, 0, 1), users, items, relevant
    )
    ease = evaluate_scorer(
        fit_ease(history, popularity, dict(FAMILIES["ease"].defaults[0]), 0, 1),
        users,
        items,
        relevant,
    )
    for group in ("at_10", "at_10_known_users"):
        assert ease[group]["ndcg"] > 1.5 * base[group]["ndcg"], (group, ease, base)
        assert ease[group]["recall"] > 1.5 * base[group]["recall"], (group, ease, base)
    # cold-start users get popular items from both: identical figures
    assert ease["at_10_cold_start_users"] == base["at_10_cold_start_users"]
    assert ease["n_known"] + ease["n_cold_start"] == ease["n_users"]


def test_targets_are_new_items_and_served_lists_never_hold_seen_ones():
    # user a already bought x; x is in a's held-out basket but cannot be a target for a,
    # and popularity (x is the best-seller) must not be credited for recommending it
    train, test, users, items, history = tiny_log()
    relevant = relevant_items(train, test, None)
    assert relevant == {"a": {"z"}}
    scorer = FAMILIES["popularity"].fit(history, popularity_of(history), {}, 0, 1)
    result = evaluate_scorer(scorer, users, items, relevant, cutoffs=(1, 10))
    assert result["at_1"]["recall"] == 1.0  # x and y masked for a: z comes first


@pytest.mark.slow
def test_tuning_never_sees_the_test_holdout(interactions, monkeypatch):
    seen: list[pd.DataFrame] = []
    real_tune = _fit.tune

    def spy(train, *args, **kwargs):
        seen.append(train.copy())
        return real_tune(train, *args, **kwargs)

    monkeypatch.setattr(_fit, "tune", spy)
    model = _fit.fit_recommender(
        interactions,
        user="customer",
        item="product",
        strength="quantity",
        models="ease",
        time_budget=6,
    )
    (tuned,) = seen
    assert len(tuned) == model.record["split"]["train_interactions"]
    clean = read_interactions(
        read_table(interactions), "customer", "product", strength="quantity"
    ).frame
    outer = time_split(clean)
    assert not set(tuned["row"]) & set(outer.test["row"])  # no held-out row reaches the tuner
    record = model.record
    assert record["protocol"]["same_rule_for_every_candidate"] is True
    assert "NOT in that user's training history" in record["protocol"]["targets"]
    for candidate in record["candidates"]:
        if candidate["status"] == "ok":
            assert {"at_10", "at_10_known_users", "at_10_cold_start_users"} <= set(candidate)
    assert (
        record["metrics_at_10"]["ease"]["ndcg"]
        > 1.5 * record["metrics_at_10"]["popularity"]["ndcg"]
    )
