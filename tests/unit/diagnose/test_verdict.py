"""The fit verdict on clear cases: the curves are real fits, the rules must call them right."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from rightfit.diagnose import Curve, diagnose, judge, skill
from rightfit.metrics import score


def _fold(n: int, seed: int = 0):
    rows = np.random.default_rng(seed).permutation(n)
    cut = int(n * 0.75)
    return np.sort(rows[:cut]), np.sort(rows[cut:])


def _diagnose(family, params, X, y, task, metric, **kwargs):
    fold = _fold(len(X))
    baseline = kwargs.pop("baseline", None)
    if baseline is None:
        if task == "regression":
            baseline = score(metric, y[fold[1]], np.full(len(fold[1]), y[fold[0]].mean()))
        else:
            p = np.bincount(y[fold[0]], minlength=2) / len(fold[0])
            baseline = score(metric, y[fold[1]], np.tile(p, (len(fold[1]), 1)), 2)
    return diagnose(
        family,
        params,
        X,
        y,
        fold,
        task=task,
        metric=metric,
        n_classes=None if task == "regression" else 2,
        baseline_score=baseline,
        fold_seconds=0.5,
        deadline=time.monotonic() + 60,
        n_jobs=1,
        **kwargs,
    )


@pytest.mark.slow
def test_deep_trees_on_small_wide_data_are_called_overfit():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(160, 120)), columns=[f"x{i}" for i in range(120)])
    y = ((X["x0"] + rng.normal(0, 2.0, 160)) > 0).astype(np.int64).to_numpy()
    result = _diagnose(
        "random_forest",
        {"max_features": 0.5, "min_samples_leaf": 1, "class_weight": None},
        X,
        y,
        "binary",
        "roc_auc",
    )
    assert result.verdict == "overfit", result.explanation
    assert result.evidence["train_skill"] > 0.9
    assert result.evidence["gap"] >= 0.2
    assert any("min_samples_leaf" in r for r in result.remedies)
    assert result.learning_curve["values"] and result.validation_curve["values"]


@pytest.mark.slow
def test_linear_model_on_a_strongly_nonlinear_target_is_called_underfit():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.uniform(-3, 3, size=(1500, 2)), columns=["a", "b"])
    y = (np.sin(2 * X["a"]) * np.cos(2 * X["b"]) + rng.normal(0, 0.1, 1500)).to_numpy()
    # What a flexible model reaches on the same rows: the evidence that signal is there.
    fold = _fold(len(X))
    from lightgbm import LGBMRegressor

    booster = LGBMRegressor(n_estimators=300, verbose=-1).fit(X.iloc[fold[0]], y[fold[0]])
    flexible = score("rmse", y[fold[1]], booster.predict(X.iloc[fold[1]]))
    result = _diagnose(
        "linear", {"alpha": 1.0}, X, y, "regression", "rmse", best_other_validation=flexible
    )
    assert result.verdict == "underfit", result.explanation
    assert result.evidence["train_skill"] < 0.5
    assert abs(result.evidence["gap"]) < 0.1
    assert any("non-linear" in r for r in result.remedies)


@pytest.mark.slow
def test_linear_model_on_linear_data_is_a_good_fit():
    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.normal(size=(2000, 5)), columns=list("abcde"))
    y = X.to_numpy() @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]) + rng.normal(0, 0.5, 2000)
    result = _diagnose("linear", {"alpha": 1.0}, X, y, "regression", "rmse")
    assert result.verdict == "good_fit", result.explanation
    assert result.evidence["validation_skill"] > 0.7


def _curve(values, train, validation, param="n_train_rows", chosen=None):
    return Curve(param, list(values), list(train), list(validation), [0.1] * len(values), chosen)


def test_judge_reads_a_rising_validation_curve_as_needing_more_data():
    learning = _curve([100, 250, 500, 1000], [0.95, 0.93, 0.92, 0.91], [0.70, 0.74, 0.78, 0.82])
    result = judge("lightgbm", "chosen", "roc_auc", 0.5, learning, None)
    assert result.verdict == "needs_more_data"
    assert result.evidence["slope_per_doubling"] == pytest.approx(
        0.08, abs=0.005
    )  # skill 0.56 -> 0.64


def test_judge_uses_the_validation_curve_as_evidence_of_overfitting():
    learning = _curve([100, 1000], [0.99, 0.99], [0.85, 0.85])
    validation = _curve(
        [8, 16, 32, 64],
        [0.9, 0.95, 0.98, 0.99],
        [0.86, 0.86, 0.855, 0.85],
        param="num_leaves",
        chosen=64,
    )
    result = judge("lightgbm", "chosen", "roc_auc", 0.5, learning, validation)
    assert result.verdict == "overfit"  # gap 0.28 skill, and fewer leaves validate as well
    assert result.evidence["simpler_setting_validates_as_well"]


def test_judge_calls_low_skill_without_better_models_a_good_fit_with_a_note():
    learning = _curve([100, 1000], [0.56, 0.55], [0.55, 0.55])
    result = judge("lightgbm", "chosen", "roc_auc", 0.5, learning, None, best_other_validation=0.55)
    assert result.verdict == "good_fit"
    assert "little signal" in result.explanation


def test_skill_puts_scores_and_losses_on_one_scale():
    assert skill(0.75, 0.5, "roc_auc") == pytest.approx(0.5)
    assert skill(5.0, 10.0, "rmse") == pytest.approx(0.5)
    assert np.isnan(skill(1.0, 1.0, "roc_auc"))


@pytest.mark.slow
def test_with_no_other_family_the_reference_model_is_the_evidence_of_underfit():
    # A run that tried only the linear family: the diagnosis fits a default LightGBM on the
    # same fold itself. Called directly with a generous deadline: as a whole 20-30 s run on a
    # loaded CI machine, a slow refit (8.7 s once) left the review no time at all.
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.uniform(-3, 3, size=(3000, 2)), columns=["a", "b"])
    y = (np.sin(2 * X["a"]) * np.cos(2 * X["b"]) + rng.normal(0, 0.1, 3000)).to_numpy()
    result = _diagnose("linear", {"alpha": 1.0}, X, y, "regression", "rmse")
    assert result.verdict == "underfit", result.explanation
    assert any(note.startswith("reference: lightgbm") for note in result.notes)
