import json
import math

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, roc_auc_score

from rightfit.errors import ConfigError, DataError
from rightfit.evaluate import (
    REPORTED_METRICS,
    Evaluation,
    baseline_output,
    evaluate,
)


def _binary(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1)
    return y, np.column_stack([1 - p, p])


def test_binary_evaluation_reports_metrics_with_intervals_and_baseline():
    y, proba = _binary()
    ev = evaluate("binary", y, proba, baseline_output("binary", y, len(y)), classes=["No", "Yes"])
    assert [m.name for m in ev.metrics] == list(REPORTED_METRICS["binary"])
    auc = ev.metric("roc_auc")
    assert auc.value == pytest.approx(roc_auc_score(y, proba[:, 1]))
    assert auc.low < auc.value < auc.high
    assert auc.baseline == 0.5 and auc.greater_is_better
    assert ev.metric("log_loss").greater_is_better is False
    assert ev.classes == ("No", "Yes") and ev.threshold == 0.5
    expected = confusion_matrix(y, proba[:, 1] >= 0.5)
    assert ev.confusion_matrix == tuple(tuple(int(c) for c in row) for row in expected)
    assert ev.source == f"blind test: {len(y)} rows never used for fitting or model selection"
    assert ev.baseline.startswith("majority class (")


def test_threshold_changes_label_metrics_and_confusion_matrix():
    y, proba = _binary()
    base = baseline_output("binary", y, len(y))
    low = evaluate("binary", y, proba, base, threshold=0.2, n_resamples=0)
    default = evaluate("binary", y, proba, base, n_resamples=0)
    assert low.metric("recall").value > default.metric("recall").value
    assert low.metric("roc_auc").value == default.metric("roc_auc").value
    assert low.threshold == 0.2 and low.confusion_matrix != default.confusion_matrix


def test_multiclass_and_regression_metric_sets():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    proba = rng.dirichlet([1, 1, 1], 300)
    ev = evaluate("multiclass", y, proba, baseline_output("multiclass", y, 300))
    assert [m.name for m in ev.metrics] == list(REPORTED_METRICS["multiclass"])
    assert np.array(ev.confusion_matrix).sum() == 300 and ev.threshold is None
    target = rng.normal(5, 1, 300)
    ev = evaluate("regression", target, target + 0.1, baseline_output("regression", target, 300))
    assert [m.name for m in ev.metrics] == ["rmse", "mae", "r2", "mape"]
    assert ev.metric("mae").value == pytest.approx(0.1)
    assert ev.confusion_matrix is None and ev.classes is None
    assert ev.baseline.startswith("mean of training target (")


def test_mape_with_zero_target_is_nan_with_a_note():
    y = np.array([0.0, 1.0, 2.0, 3.0])
    ev = evaluate("regression", y, y + 0.5, baseline_output("regression", y, 4), n_resamples=20)
    mape = ev.metric("mape")
    assert math.isnan(mape.value) and math.isnan(mape.low)
    assert mape.note == "undefined: target has zeros"
    assert "mape undefined: target has zeros" in ev.summary_lines()


def test_single_class_rows_give_nan_auc_not_a_crash():
    y = np.ones(10, dtype=int)
    proba = np.column_stack([np.linspace(0, 1, 10), np.linspace(1, 0, 10)])
    ev = evaluate("binary", y, proba, baseline_output("binary", [0, 1], 10), n_resamples=20)
    assert math.isnan(ev.metric("roc_auc").value)
    assert "one class" in ev.metric("roc_auc").note
    assert ev.metric("accuracy").value == pytest.approx(0.5)


def test_intervals_skip_resamples_where_the_metric_is_undefined():
    y = np.zeros(60, dtype=int)
    y[0] = 1  # a resample misses the only positive about a third of the time
    p = np.linspace(0.1, 0.9, 60)
    ev = evaluate("binary", y, p, baseline_output("binary", y, 60), n_resamples=200)
    auc = ev.metric("roc_auc")
    assert not math.isnan(auc.low) and auc.low <= auc.value <= auc.high


def test_round_trips_through_strict_json():
    y, proba = _binary(100)
    ev = evaluate(
        "binary",
        np.asarray(y),
        proba,
        baseline_output("binary", y, 100),
        n_resamples=20,
        classes=np.array(["a", "b"]),
    )
    text = json.dumps(ev.to_dict(), allow_nan=False)
    assert Evaluation.from_dict(json.loads(text)) == ev
    target = np.array([0.0, 1.0, 2.0])
    ev = evaluate("regression", target, target, baseline_output("regression", target, 3))
    again = Evaluation.from_dict(json.loads(json.dumps(ev.to_dict(), allow_nan=False)))
    assert math.isnan(again.metric("mape").value)


def test_summary_lines_format():
    y, proba = _binary()
    ev = evaluate("binary", y, proba, baseline_output("binary", y, len(y)))
    auc = ev.metric("roc_auc")
    line = f"roc_auc {auc.value:.3f} [{auc.low:.3f}, {auc.high:.3f}]  (baseline 0.500)"
    assert line in ev.summary_lines()
    assert ev.summary_lines()[0].startswith("Evaluated on blind test")


def test_metric_lookup_accepts_aliases_and_suggests_names():
    y, proba = _binary(50)
    ev = evaluate("binary", y, proba, baseline_output("binary", y, 50), n_resamples=0)
    assert ev.metric("auc").name == "roc_auc"
    with pytest.raises(ConfigError, match="Did you mean 'recall'"):
        ev.metric("recal")


def test_results_are_deterministic_for_a_seed():
    y, proba = _binary()
    base = baseline_output("binary", y, len(y))
    assert evaluate("binary", y, proba, base) == evaluate("binary", y, proba, base)
    other = evaluate("binary", y, proba, base, random_state=1)
    assert other.metric("roc_auc").low != evaluate("binary", y, proba, base).metric("roc_auc").low


def test_baseline_output_priors_and_mean():
    out = baseline_output("multiclass", np.array([0, 0, 1, 1]), 3, n_classes=3)
    assert out.shape == (3, 3) and out[0].tolist() == [0.5, 0.5, 0.0]
    assert baseline_output("regression", [1.0, 3.0], 2).tolist() == [2.0, 2.0]


def test_bad_inputs_name_the_fix():
    y, proba = _binary(20)
    with pytest.raises(DataError, match="one output per evaluated row"):
        evaluate("binary", y, proba[:10], proba)
    with pytest.raises(DataError, match="label encoder"):
        evaluate("binary", y, proba, proba, classes=["a", "b", "c"])
    with pytest.raises(ConfigError, match="Did you mean 'regression'"):
        evaluate("regresion", y, proba, proba)
