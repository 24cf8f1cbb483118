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
