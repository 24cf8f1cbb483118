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


def test_knn_is_skipped_where_most_rows_are_ties_of_many_others():
    from dataclasses import replace

    from rightfit.advise._plan import KNN_MAX_TIED_SHARE

    facts = _facts(800)
    assert "knn" in choose_candidates(replace(facts, tied_share=0.2), "roc_auc").names
    plan = choose_candidates(replace(facts, tied_share=KNN_MAX_TIED_SHARE), "roc_auc")
    assert "knn" in plan.excluded and "ties" in plan.excluded["knn"]
    assert "50% of the rows share their exact feature values" in plan.excluded["knn"]
    assert {"lightgbm", "catboost", "svm"} <= set(plan.names)  # only k-NN has the problem


def test_tied_row_share_counts_rows_in_groups_of_identical_values():
    import numpy as np
    import pandas as pd

    from rightfit.advise import tied_row_share

    rng = np.random.default_rng(0)
    # a titanic-like table: three labels give 12 distinct rows among 1,000
    cells = pd.DataFrame(
        {
            "class": rng.choice(["1st", "2nd", "3rd"], 1000),
            "age": rng.choice(["adult", "child"], 1000),
            "sex": rng.choice(["man", "woman"], 1000),
        }
    )
    assert tied_row_share(cells) == 1.0
    measured = pd.DataFrame({"x": rng.normal(size=1000), "c": rng.choice(["a", "b"], 1000)})
    assert tied_row_share(measured) == 0.0
    # missing values are values too: 20 rows of (NaN, "a") are one group
    gaps = pd.DataFrame({"x": [np.nan] * 20 + list(range(20)), "c": ["a"] * 40})
    assert tied_row_share(gaps) == 0.5
    assert tied_row_share(gaps.iloc[:0]) == 0.0


def test_prepare_measures_ties_on_the_training_rows_and_the_plan_says_why():
    import numpy as np
    import pandas as pd

    from rightfit.budget import Budget
    from rightfit.pipeline._prepare import prepare
    from rightfit.progress import SilentProgress

    rng = np.random.default_rng(3)
    n = 600
    frame = pd.DataFrame(
        {
            "cabin": rng.choice(["1st", "2nd", "3rd", "crew"], n),
            "age": rng.choice(["adult", "child"], n),
            "sex": rng.choice(["man", "woman"], n),
        }
    )
    frame["survived"] = np.where(rng.random(n) < 0.3 + 0.4 * (frame["sex"] == "woman"), "y", "n")
    prepared = prepare(frame, "survived", budget=Budget(60), progress=SilentProgress())
    assert prepared.plan.facts.tied_share == 1.0
    assert "knn" in prepared.plan.excluded and "ties" in prepared.plan.excluded["knn"]
    frame["fare"] = rng.lognormal(size=n)  # a measured column: every row is its own
    prepared = prepare(frame, "survived", budget=Budget(60), progress=SilentProgress())
    assert prepared.plan.facts.tied_share == 0.0
    assert "knn" in prepared.plan.names
