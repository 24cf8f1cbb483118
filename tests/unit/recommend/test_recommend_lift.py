"""Per-user metrics and the paired bootstrap of the lift over popularity, on data small enough
to know the answer."""

from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest
from tests.unit.recommend._tiny import tiny_log

from rightfit.recommend import ranking_metrics
from rightfit.recommend._evaluate import evaluate_scorer
from rightfit.recommend._families import FAMILIES, popularity_of
from rightfit.recommend._lift import lift_evidence, paired_bootstrap, verdict
from rightfit.recommend._metrics import user_metrics


def test_user_metrics_by_hand_and_their_means_are_the_aggregates():
    m = user_metrics([["a", "b"], ["c", "a"]], [{"a"}, {"a", "d"}], k=2)
    second = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert m["ndcg"].tolist() == pytest.approx([1.0, second])
    assert m["recall"].tolist() == [1.0, 0.5]
    assert m["precision"].tolist() == [0.5, 0.5]
    rng = random.Random(3)
    items = [f"i{j}" for j in range(60)]
    recommended = [rng.sample(items, rng.randint(0, 12)) for _ in range(300)]
    relevant = [set(rng.sample(items, rng.randint(1, 8))) for _ in range(300)]
    per_user = user_metrics(recommended, relevant, 10)
    means = ranking_metrics(recommended, relevant, 10, len(items))
    for name in ("precision", "recall", "ndcg", "map"):
        assert per_user[name].mean() == pytest.approx(means[name], abs=1e-12)
    assert per_user["ndcg"].std() > 0  # real per-user values, not the mean repeated


def test_evaluate_scorer_returns_per_user_values_in_relevant_order_and_same_means():
    *_, users, items, history = tiny_log()
    relevant = {"zz": {"x"}, "a": {"z", "y"}, "b": {"y"}}  # zz: cold start
    scorer = FAMILIES["popularity"].fit(history, popularity_of(history), {}, 0, 1)
    plain = evaluate_scorer(scorer, users, items, relevant)
    full = evaluate_scorer(scorer, users, items, relevant, per_user=True)
    assert "per_user_at_10" not in plain
    block = full.pop("per_user_at_10")
    assert full == plain  # the aggregate figures do not move
    assert block["users"] == ["zz", "a", "b"]
    assert block["known"].tolist() == [False, True, True]
    assert len(block["ndcg"]) == len(block["recall"]) == 3
    assert block["ndcg"].mean() == pytest.approx(plain["at_10"]["ndcg"], abs=1e-5)
    assert block["recall"].mean() == pytest.approx(plain["at_10"]["recall"], abs=1e-5)
    assert block["ndcg"][block["known"]].mean() == pytest.approx(
        plain["at_10_known_users"]["ndcg"], abs=1e-5
    )
    assert block["ndcg"][0] == 1.0  # zz gets the best-seller x, its only target


def test_bootstrap_separates_better_worse_and_indistinguishable():
    rng = np.random.default_rng(0)
    base = rng.random(2000)
    better = paired_bootstrap({"m": base + 0.05}, {"m": base})["m"]
    assert better["difference"] == pytest.approx(0.05)
    assert better["ci95"][0] > 0 and better["p_better"] == 1.0
    same = paired_bootstrap({"m": base}, {"m": base})["m"]
    assert same == {"difference": 0.0, "ci95": [0.0, 0.0], "p_better": 0.0}
    noise = paired_bootstrap({"m": rng.permutation(base)}, {"m": base})["m"]
    assert noise["ci95"][0] < 0 < noise["ci95"][1] and 0.02 < noise["p_better"] < 0.98
    worse = paired_bootstrap({"m": base - 0.05}, {"m": base})["m"]
    assert worse["ci95"][1] < 0 and worse["p_better"] == 0.0


def test_bootstrap_is_paired_and_its_interval_has_the_normal_width():
    rng = np.random.default_rng(1)
    base = rng.random(1000)  # users differ a lot...
    candidate = base + 0.01 + rng.normal(0, 0.02, 1000)  # ...the candidate, a little better
    out = paired_bootstrap({"m": candidate}, {"m": base})["m"]
    # paired: the user-to-user spread cancels, so +0.01 is clear; two unpaired intervals
    # (each about +-0.018 wide) would overlap and say nothing
    assert out["ci95"][0] > 0
    diff = candidate - base
    half = 1.96 * diff.std(ddof=1) / math.sqrt(len(diff))
    low, high = out["ci95"]
    assert (high - low) / 2 == pytest.approx(half, rel=0.15)
    assert low < diff.mean() < high


def test_bootstrap_is_seeded_and_fast_on_ten_thousand_users():
    rng = np.random.default_rng(2)
    n = 10_000
    family = {"ndcg": rng.random(n), "recall": rng.random(n)}
    base = {"ndcg": rng.random(n), "recall": rng.random(n)}
    start = time.perf_counter()
    first = paired_bootstrap(family, base, seed=7)
    seconds = time.perf_counter() - start
    assert seconds < 2.0, seconds  # measured about 0.1 s (1,000 resamples, both metrics)
    assert paired_bootstrap(family, base, seed=7) == first
    assert paired_bootstrap(family, base, seed=8) != first
    with pytest.raises(ValueError):
        paired_bootstrap({"m": np.array([])}, {"m": np.array([])})


def test_verdict_words():
    ci = {"ndcg_at_10": {"difference": 0.031, "ci95": [0.012, 0.05], "p_better": 1.0}}
    assert verdict(ci, 1204) == "beats popularity: NDCG@10 +0.031 [+0.012, +0.050] over 1,204 users"
    ci["ndcg_at_10"].update(difference=0.006, ci95=[-0.008, 0.019])
    assert verdict(ci, 89) == (
        "not distinguishable from popularity: NDCG@10 +0.006 [-0.008, +0.019] over 89 users "
        "(interval includes 0)"
    )
    ci["ndcg_at_10"].update(difference=-0.026, ci95=[-0.057, -0.003])
    assert verdict(ci, 63, "users with a history").startswith("worse than popularity: ")
    # a tiny interval above 0 must not print as +0.000: more digits
    ci["ndcg_at_10"].update(difference=0.0009, ci95=[0.0002, 0.0016])
    assert "+0.0009 [+0.0002, +0.0016]" in verdict(ci, 10)


def _per_user(values: dict[str, np.ndarray], known: np.ndarray) -> dict:
    return {"users": [f"u{i}" for i in range(len(known))], "known": known, **values}


def test_lift_evidence_reports_all_users_and_users_with_a_history():
    rng = np.random.default_rng(4)
    known = np.arange(400) >= 100  # the first 100 are cold start: same popular items for all
    base = {"ndcg": rng.random(400), "recall": rng.random(400)}
    family = {k: np.where(known, v + 0.1, v) for k, v in base.items()}
    out = lift_evidence(_per_user(family, known), _per_user(base, known), seed=0)
    assert set(out) == {"lift_ci", "verdict", "lift_ci_known_users", "verdict_known_users"}
    assert set(out["lift_ci"]) == {"ndcg_at_10", "recall_at_10"}
    assert out["lift_ci"]["ndcg_at_10"]["difference"] == pytest.approx(0.075)  # diluted
    assert out["lift_ci_known_users"]["ndcg_at_10"]["difference"] == pytest.approx(0.1)
    assert out["verdict"].startswith("beats popularity") and "over 400 users" in out["verdict"]
    assert "over 300 users with a history" in out["verdict_known_users"]
    only_cold = lift_evidence(
        _per_user(base, np.zeros(400, bool)), _per_user(base, np.zeros(400, bool))
    )
    assert set(only_cold) == {"lift_ci", "verdict"}
    shuffled = _per_user(base, known)
    shuffled["users"] = shuffled["users"][::-1]
    with pytest.raises(ValueError, match="same users"):
        lift_evidence(shuffled, _per_user(base, known))


def test_cold_start_users_differ_by_exactly_zero():
    *_, users, items, history = tiny_log()
    relevant = {"new1": {"x"}, "new2": {"y"}, "a": {"z"}}
    popularity = popularity_of(history)
    blocks = [
        evaluate_scorer(
            FAMILIES[name].fit(history, popularity, dict(FAMILIES[name].defaults[0]), 0, 1),
            users,
            items,
            relevant,
            per_user=True,
        )["per_user_at_10"]
        for name in ("popularity", "item_knn")
    ]
    cold = ~blocks[0]["known"]
    assert cold.sum() == 2
    assert (blocks[0]["ndcg"][cold] == blocks[1]["ndcg"][cold]).all()
