import pytest

from rightfit.advise import DataFacts, choose_candidates
from rightfit.errors import ConfigError


def _facts(n_rows, budget=60.0, width=10, task="binary"):
    return DataFacts(task, n_rows, width, 2, 0.0, 0.3, budget)


def test_large_data_skips_svm_and_knn_with_measured_reasons():
    plan = choose_candidates(_facts(120_000), "roc_auc")
    assert "svm" in plan.excluded and "120,000 rows" in plan.excluded["svm"]
    assert "knn" in plan.excluded
    assert {"linear", "lightgbm", "xgboost", "random_forest"} <= set(plan.names)


def test_small_data_keeps_svm_and_knn():
    plan = choose_candidates(_facts(800), "roc_auc")
    assert {"svm", "knn"} <= set(plan.names)
    assert all(c.reason for c in plan.candidates)


def test_likeliest_winner_comes_first():
    from rightfit.models import get_spec

    plan = choose_candidates(_facts(800), "roc_auc")
    ranks = [get_spec(n).priority for n in plan.names]
    assert plan.names[0] == "lightgbm"
    assert ranks == sorted(ranks)


def test_requested_families_are_honoured_and_unknown_ones_suggest_a_name():
    plan = choose_candidates(_facts(800), "roc_auc", ["lightgbm"])
    assert plan.names == ["lightgbm"]
    from rightfit.models import parse_models

    with pytest.raises(ConfigError, match="Did you mean 'lightgbm'"):
        parse_models("lightgmb")


def test_a_table_network_joins_only_when_the_budget_can_tune_it():
    from rightfit.advise._plan import KERAS_BUDGET_SHARE, KERAS_MIN_ROUNDS, first_round_seconds

    facts = _facts(20_000, budget=300)
    seconds = first_round_seconds("keras_mlp", facts)
    needed = seconds * KERAS_MIN_ROUNDS / KERAS_BUDGET_SHARE
    assert needed > 300  # 20,000 rows: a round costs more than a 300 s budget can repeat
    plan = choose_candidates(facts, "roc_auc")
    assert "keras_mlp" in plan.excluded and "cannot tune it" in plan.excluded["keras_mlp"]
    assert "keras_mlp" in choose_candidates(_facts(20_000, budget=needed + 1), "roc_auc").names
    asked = choose_candidates(facts, "roc_auc", ["lightgbm", "keras_mlp"])
    assert "keras_mlp" in asked.names  # --models still gets it, with the note
