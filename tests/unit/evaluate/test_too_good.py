"""A near-perfect blind test is reported as a possible leak, naming the columns leaned on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rightfit.evaluate import baseline_output, evaluate
from rightfit.evaluate._too_good import MIN_ROWS, near_perfect


def _binary(n: int, noise: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p1 = np.clip(np.where(y == 1, 0.9, 0.1) + rng.normal(0, noise, n), 0.001, 0.999)
    output = np.column_stack([1 - p1, p1])
    return evaluate("binary", y, output, baseline_output("binary", y, n, 2), n_resamples=20)


def test_a_perfect_ranking_is_flagged_with_the_columns_leaned_on():
    importance = {
        "permutation": {
            "columns": [
                {"column": "upper", "importance": 0.4},
                {"column": "lower", "importance": 0.3},
                {"column": "age", "importance": 0.0},
            ]
        }
    }
    text = near_perfect(_binary(400, 0.0), importance)
    assert text.startswith("the blind test is near-perfect (") and "roc_auc 1.000" in text
    assert "leans most on 'upper', 'lower'." in text and "'age'" not in text


def test_an_ordinary_score_and_a_tiny_blind_test_are_not_flagged():
    assert near_perfect(_binary(400, 0.45)) is None  # AUC well below 0.999
    assert near_perfect(_binary(MIN_ROWS - 1, 0.0)) is None  # perfect on a few rows: luck


def test_a_rare_class_does_not_make_an_ordinary_model_look_perfect():
    # 0.05 % positives: accuracy and log loss are near their limits from the priors alone.
    rng = np.random.default_rng(2)
    n = 40_000
    y = (rng.random(n) < 0.0005).astype(int)
    p1 = np.where(y == 1, rng.uniform(0.0, 0.01, n), rng.uniform(0.0, 0.002, n))
    output = np.column_stack([1 - p1, p1])
    ev = evaluate("binary", y, output, baseline_output("binary", y, n, 2), n_resamples=10)
    assert ev.metric("accuracy").value > 0.999 and ev.metric("log_loss").value < 0.01
    assert ev.metric("roc_auc").value < 0.999
    assert near_perfect(ev) is None


@pytest.mark.parametrize("task", ["multiclass", "regression"])
def test_other_tasks_use_their_own_metrics(task):
    rng = np.random.default_rng(1)
    n = 200
    if task == "regression":
        y = rng.normal(size=n)
        output, baseline = y + 1e-3, np.full(n, y.mean())
        expected = "r2 1.000"
    else:
        y = rng.integers(0, 3, n)
        output = np.eye(3)[y] * 0.998 + 0.001
        baseline = baseline_output("multiclass", y, n, 3)
        expected = "log_loss 0.001"
    ev = evaluate(task, y, output, baseline, n_resamples=10)
    assert expected in near_perfect(ev)


@pytest.mark.slow
def test_a_leak_spread_over_two_columns_is_reported_by_a_whole_run():
    # The answer is fixed by whether the recorded lower bound equals the bid: neither column
    # alone predicts it (the profile's one-column screen passes both), their difference does.
    from rightfit.pipeline import run

    rng = np.random.default_rng(0)
    n = 600
    bid = rng.uniform(0, 100, n)
    answer = np.where(rng.random(n) < 0.5, "yes", "no")
    lower = np.where(answer == "yes", bid, bid - rng.uniform(10, 50, n))
    frame = pd.DataFrame(
        {"bid": bid, "lower": lower, "age": rng.integers(18, 80, n), "answer": answer}
    )
    result = run(frame, "answer", time_budget=10, models=["linear"], seed=0)
    record = result.record
    assert not record["profile"]["leakage_suspects"]
    text = record["blind_test"]["near_perfect"]
    assert "near-perfect" in text and "'lower'" in text and "'bid'" in text
    # ... in the report, under the blind-test metrics, and in the CLI's closing summary.
    from rightfit.cli._show import evaluation_lines
    from rightfit.report import render_report

    assert "Too good to be true? The blind test is near-perfect" in render_report(record)
    assert evaluation_lines(record)[-1] == f"  [warning] {text}"
