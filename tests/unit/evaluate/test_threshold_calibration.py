"""Threshold tuning, calibration, paired comparisons and drift on data with known answers."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from rightfit.errors import ConfigError
from rightfit.evaluate._calibration import choose_calibration
from rightfit.evaluate._compare import paired_comparison
from rightfit.evaluate._drift import drift_report, feature_reference
from rightfit.evaluate._threshold import (
    choose_threshold,
    confusion_at,
    parse_objective,
)
from rightfit.models._calibrated import CalibratedModel, apply_calibration


def _scores(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(np.int64)
    p = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + 2.0 * y - 1.5)))
    return y, p


@pytest.mark.parametrize("text", ["recall>0.9x", "accuracy>=0.9", "recall>=1.5", "precision>=0"])
def test_unknown_objectives_are_refused_with_the_syntax(text):
    with pytest.raises(ConfigError, match=re.escape("recall>=0.9")):
        parse_objective(text)


def test_cost_needs_both_sides():
    with pytest.raises(ConfigError, match="fp=1,fn=20"):
        parse_objective(cost="fn=20")
    with pytest.raises(ConfigError, match="not both"):
        parse_objective("f1", cost="fp=1,fn=2")


def test_recall_target_is_met_with_the_fewest_false_positives():
    y, p = _scores()
    choice = choose_threshold(y, p, parse_objective("recall>=0.9"))
    assert choice.achieved["recall"] >= 0.9
    # Any higher threshold loses the recall target: the choice is the tightest one.
    higher = p[p > choice.value]
    if len(higher):
        assert confusion_at(y, p, higher.min())["recall"] < 0.9


def test_precision_target_keeps_the_most_recall():
    y, p = _scores()
    choice = choose_threshold(y, p, parse_objective("precision>=0.8"))
    assert choice.achieved["precision"] >= 0.8
    lower = p[p < choice.value]
    assert confusion_at(y, p, lower.max())["precision"] < 0.8


def test_cost_threshold_matches_brute_force():
    y, p = _scores(1500, seed=3)
    objective = parse_objective(cost="fp=1,fn=20")
    choice = choose_threshold(y, p, objective)

    def total(t):
        c = confusion_at(y, p, t)
        return c["fp"] * 1 + c["fn"] * 20

    best = min(np.unique(p), key=total)
    assert total(choice.value) == total(best)


def test_unreachable_precision_says_so():
    y = np.array([0, 1, 0, 1, 0, 1])
    p = np.array([0.9, 0.9, 0.8, 0.8, 0.7, 0.7])
    choice = choose_threshold(y, p, parse_objective("precision>=0.99"))
    assert "not reached" in choice.note


def test_miscalibrated_probabilities_get_calibrated_and_log_loss_drops():
    rng = np.random.default_rng(0)
    true_p = rng.uniform(0.05, 0.95, 5000)
    y = (rng.random(5000) < true_p).astype(np.int64)
    squashed = true_p**3  # systematically too low
    proba = np.column_stack([1 - squashed, squashed])
    choice = choose_calibration(y, proba, "binary")
    assert choice.method in ("sigmoid", "isotonic")
    assert choice.log_loss[choice.method] < choice.log_loss["none"] - 0.01
    calibrated = apply_calibration(proba, choice.method, choice.params)
    assert np.allclose(calibrated.sum(axis=1), 1)


def test_calibrated_probabilities_are_left_alone():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.95, 5000)
    y = (rng.random(5000) < p).astype(np.int64)
    choice = choose_calibration(y, np.column_stack([1 - p, p]), "binary")
    assert choice.method == "none"


def test_multiclass_uses_temperature_and_the_model_wrapper_applies_it():
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 1, (3000, 3)) * 4  # overconfident
    y = np.array([rng.choice(3, p=np.exp(r / 4) / np.exp(r / 4).sum()) for r in logits])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    choice = choose_calibration(y, proba, "multiclass")
    assert choice.method == "temperature"
    assert choice.params["temperature"] == pytest.approx(4.0, rel=0.25)

    class Fixed:
        classes_ = np.arange(3)

        def predict_proba(self, X):
            return proba[: len(X)]

    model = CalibratedModel.from_params(Fixed(), choice.method, choice.params)
    out = model.predict_proba(np.zeros((10, 1)))
    assert np.allclose(out, apply_calibration(proba[:10], "temperature", choice.params))


def test_paired_comparison_separates_real_gains_from_noise():
    y, p = _scores(2000)
    good = np.column_stack([1 - p, p])
    noise = np.random.default_rng(5).uniform(size=2000)
    bad = np.column_stack([1 - noise, noise])
    better = paired_comparison(y, good, bad, "roc_auc", a="model", b="noise", rows="test")
    assert better.significant and better.diff > 0.2 and better.low > 0
    same = paired_comparison(y, good, good, "roc_auc", a="model", b="itself", rows="test")
    assert not same.significant and same.diff == 0
    assert "not significantly better" in same.verdict


def test_drift_flags_a_shifted_column_and_keeps_a_stable_one():
    rng = np.random.default_rng(0)
    words = np.array(["good", "bad", "fine", "slow", "fast", "late"])

    def texts(n, low, high):
        lengths = rng.integers(low, high, n)
        return pd.Series([" ".join(rng.choice(words, k)) for k in lengths], dtype=pd.StringDtype())

    # Shaped like prepare_features output: labels as object, free text as the str dtype.
    train = pd.DataFrame(
        {
            "age": rng.normal(40, 10, 3000),
            "plan": pd.Series(rng.choice(["a", "b", "c"], 3000), dtype=object),
            "income": rng.lognormal(10, 0.5, 3000),
            "note": texts(3000, 3, 9),
        }
    )
    new = pd.DataFrame(
        {
            "age": rng.normal(55, 10, 800),
            "plan": pd.Series(rng.choice(["a", "b", "c"], 800, p=[0.8, 0.1, 0.1]), dtype=object),
            "income": rng.lognormal(10, 0.5, 800),
            "note": texts(800, 12, 30),
        }
    )
    reference = feature_reference(train)
    # Free text is summarised by its length: no raw text goes into the record.
    assert reference["note"]["kind"] == "numeric" and "good" not in str(reference["note"])
    report = drift_report(reference, new)
    status = {f["column"]: f["status"] for f in report["features"]}
    assert status["age"] == "drift" and status["plan"] == "drift" and status["note"] == "drift"
    assert status["income"] == "stable"
    age = next(f for f in report["features"] if f["column"] == "age")
    assert "+1.5" in age["evidence"] or "+1.4" in age["evidence"] or "+1.6" in age["evidence"]


def test_drift_flags_a_column_that_became_empty_and_not_small_samples_of_itself():
    rng = np.random.default_rng(3)
    train = pd.DataFrame({f"x{i}": rng.normal(size=2000) for i in range(30)})
    reference = feature_reference(train)
    empty = train.head(300).copy()
    empty["x0"] = np.nan
    report = drift_report(reference, empty)
    assert report["drifted"] == ["x0"]
    assert "every value is missing" in report["features"][0]["evidence"]
    # Samples of the training data itself: the Bonferroni-corrected test stays quiet.
    false_alarms = sum(
        bool(drift_report(reference, train.sample(100, random_state=k))["drifted"])
        for k in range(20)
    )
    assert false_alarms <= 1
