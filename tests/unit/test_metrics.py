import numpy as np
import pytest
from sklearn import metrics as skm

from rightfit.errors import ConfigError, DataError
from rightfit.metrics import (
    METRICS,
    check_metric,
    default_metric,
    loss,
    metrics_for,
    score,
    score_resamples,
)

RNG = np.random.default_rng(0)
N = 500
Y_BIN = RNG.integers(0, 2, N)
P1 = np.round(np.clip(0.3 * Y_BIN + 0.7 * RNG.random(N), 0, 1), 2)  # rounded: many ties
P_BIN = np.column_stack([1 - P1, P1])
Y_MC = RNG.integers(0, 4, N)
P_MC = RNG.dirichlet(np.ones(4), N)
P_MC[np.arange(N), Y_MC] += 0.4
P_MC /= P_MC.sum(axis=1, keepdims=True)
Y_REG = RNG.normal(10, 3, N)
PRED_REG = Y_REG + RNG.normal(0, 1, N)

BINARY_REFERENCE = {
    "roc_auc": lambda: skm.roc_auc_score(Y_BIN, P1),
    "average_precision": lambda: skm.average_precision_score(Y_BIN, P1),
    "log_loss": lambda: skm.log_loss(Y_BIN, P_BIN),
    "accuracy": lambda: skm.accuracy_score(Y_BIN, P1 >= 0.5),
    "balanced_accuracy": lambda: skm.balanced_accuracy_score(Y_BIN, P1 >= 0.5),
    "f1": lambda: skm.f1_score(Y_BIN, P1 >= 0.5),
    "precision": lambda: skm.precision_score(Y_BIN, P1 >= 0.5),
    "recall": lambda: skm.recall_score(Y_BIN, P1 >= 0.5),
}
LABELS_MC = P_MC.argmax(axis=1)
MULTICLASS_REFERENCE = {
    "log_loss": lambda: skm.log_loss(Y_MC, P_MC),
    "roc_auc_ovr": lambda: skm.roc_auc_score(Y_MC, P_MC, multi_class="ovr"),
    "accuracy": lambda: skm.accuracy_score(Y_MC, LABELS_MC),
    "balanced_accuracy": lambda: skm.balanced_accuracy_score(Y_MC, LABELS_MC),
    "f1_macro": lambda: skm.f1_score(Y_MC, LABELS_MC, average="macro"),
}
REGRESSION_REFERENCE = {
    "rmse": lambda: skm.root_mean_squared_error(Y_REG, PRED_REG),
    "mae": lambda: skm.mean_absolute_error(Y_REG, PRED_REG),
    "r2": lambda: skm.r2_score(Y_REG, PRED_REG),
    "mape": lambda: skm.mean_absolute_percentage_error(Y_REG, PRED_REG),
}


@pytest.mark.parametrize("name", BINARY_REFERENCE)
def test_binary_metrics_match_sklearn(name):
    assert score(name, Y_BIN, P_BIN) == pytest.approx(BINARY_REFERENCE[name](), rel=1e-12)


@pytest.mark.parametrize("name", MULTICLASS_REFERENCE)
def test_multiclass_metrics_match_sklearn(name):
    assert score(name, Y_MC, P_MC) == pytest.approx(MULTICLASS_REFERENCE[name](), rel=1e-12)


@pytest.mark.parametrize("name", REGRESSION_REFERENCE)
def test_regression_metrics_match_sklearn(name):
    assert score(name, Y_REG, PRED_REG) == pytest.approx(REGRESSION_REFERENCE[name](), rel=1e-12)


def test_every_metric_is_tested_against_sklearn():
    tested = {*BINARY_REFERENCE, *MULTICLASS_REFERENCE, *REGRESSION_REFERENCE}
    assert tested == set(METRICS)


@pytest.mark.parametrize("name", ["roc_auc", "average_precision", "f1", "balanced_accuracy"])
def test_weights_equal_resampling_with_replacement(name):
    rows = np.random.default_rng(1).integers(0, N, N)
    counts = np.bincount(rows, minlength=N)
    expected = score(name, Y_BIN[rows], P_BIN[rows])
    assert score_resamples(name, Y_BIN, P_BIN, counts[None])[0] == pytest.approx(expected)


def test_one_dimensional_binary_score_is_probability_of_class_one():
    assert score("roc_auc", Y_BIN, P1) == score("roc_auc", Y_BIN, P_BIN)


def test_threshold_is_inclusive():
    y = np.array([1, 0])
    proba = np.array([[0.5, 0.5], [0.6, 0.4]])
    assert score("accuracy", y, proba) == 1.0
    assert score("accuracy", y, proba, threshold=0.35) == 0.5


def test_log_loss_works_on_a_fold_missing_a_class():
    y = np.array([0, 1, 0, 1])
    proba = np.array([[0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.1, 0.8, 0.1]])
    expected = skm.log_loss(y, proba, labels=[0, 1, 2])
    assert score("log_loss", y, proba) == pytest.approx(expected)


def test_log_loss_clips_zero_probabilities():
    value = score("log_loss", np.array([0, 1]), np.array([[0.0, 1.0], [0.0, 1.0]]))
    assert np.isfinite(value) and value > 10


def test_undefined_metrics_return_nan_instead_of_raising():
    ones = np.ones(5, dtype=int)
    assert np.isnan(score("roc_auc", ones, np.linspace(0, 1, 5)))
    assert np.isnan(score("roc_auc_ovr", np.zeros(3, int), np.eye(3)))
    assert np.isnan(score("mape", np.array([0.0, 1.0]), np.array([1.0, 1.0])))
    assert np.isnan(score("r2", np.array([2.0, 2.0]), np.array([1.0, 3.0])))


def test_roc_auc_ovr_averages_the_classes_present():
    y = np.array([0, 1, 0, 1])
    proba = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.3, 0.6, 0.1]])
    assert score("roc_auc_ovr", y, proba) == 1.0


def test_loss_is_oriented_lower_is_better():
    assert loss("roc_auc", Y_BIN, P_BIN) == -score("roc_auc", Y_BIN, P_BIN)
    assert loss("rmse", Y_REG, PRED_REG) == score("rmse", Y_REG, PRED_REG)


@pytest.mark.parametrize(
    ("task", "expected"),
    [("binary", "roc_auc"), ("multiclass", "log_loss"), ("regression", "rmse")],
)
def test_default_metric(task, expected):
    assert default_metric(task) == expected
    assert expected in metrics_for(task)


@pytest.mark.parametrize(
    ("name", "task", "expected"),
    [
        ("auc", "binary", "roc_auc"),
        ("LogLoss", "multiclass", "log_loss"),
        ("pr_auc", "binary", "average_precision"),
        ("roc-auc", "binary", "roc_auc"),
        ("roc_auc", "multiclass", "roc_auc_ovr"),
        ("f1", "multiclass", "f1_macro"),
        ("r2", "regression", "r2"),
    ],
)
def test_check_metric_accepts_aliases(name, task, expected):
    assert check_metric(name, task) == expected


def test_check_metric_suggests_the_closest_name():
    with pytest.raises(ConfigError, match="Did you mean 'roc_auc'"):
        check_metric("roc_aux", "binary")


def test_check_metric_names_the_valid_metrics_for_the_task():
    with pytest.raises(
        ConfigError, match="not defined for task regression; choose one of rmse, mae, r2, mape"
    ):
        check_metric("roc_auc", "regression")


def test_check_metric_explains_mse():
    with pytest.raises(ConfigError, match="Use 'rmse'"):
        check_metric("mse", "regression")


def test_unknown_task_is_a_config_error():
    with pytest.raises(ConfigError, match="Did you mean 'binary'"):
        default_metric("binery")


def test_labels_outside_the_encoding_name_the_fix():
    with pytest.raises(DataError, match="Encode the target"):
        score("accuracy", np.array([0, 2]), np.array([[0.5, 0.5], [0.5, 0.5]]))


def test_length_mismatch_is_reported():
    with pytest.raises(DataError, match="same number of rows"):
        score("rmse", np.ones(3), np.ones(2))


@pytest.mark.parametrize(
    ("name", "ties", "copies"),
    [
        ("roc_auc", True, 1.8),
        ("roc_auc", False, 2.2),
        ("average_precision", True, 1.8),
        ("average_precision", False, 3.3),
    ],
)
def test_ranking_metrics_on_resamples_hold_few_copies_of_the_weights(name, ties, copies):
    # The review bootstraps comparisons of whole out-of-fold outputs in chunks of resamples,
    # ~8 MB an array of a chunk's size. Masking the weights per class before sorting them kept
    # 2.3-4.1 such arrays alive at once (measured with the same data).
    import tracemalloc

    n, b = 4000, 250
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, n)
    scores = rng.random(n)
    if ties:
        scores = np.round(scores, 3)  # ~1,000 distinct scores: the tied-run sums are used
    weights = rng.poisson(1.0, size=(b, n)).astype(float)
    expected = score_resamples(name, y, scores, weights[:3])
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        values = score_resamples(name, y, scores, weights)
        extra = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert extra <= copies * weights.nbytes
    np.testing.assert_allclose(values[:3], expected)
    reference = skm.roc_auc_score if name == "roc_auc" else skm.average_precision_score
    assert values[0] == pytest.approx(reference(y, scores, sample_weight=weights[0]))


def test_a_bootstrap_sorts_the_scores_once_however_many_chunks(monkeypatch):
    """Sorting per chunk of resamples made the review grow with the square of the rows."""
    from rightfit import metrics
    from rightfit.evaluate import _bootstrap
    from rightfit.evaluate._bootstrap import bootstrap_ci
    from rightfit.evaluate._compare import paired_comparison

    calls = []
    real = metrics._tie_groups

    def counting(scores, descending):
        calls.append(descending)
        return real(scores, descending)

    monkeypatch.setattr(metrics, "_tie_groups", counting)
    monkeypatch.setattr(_bootstrap, "_CHUNK_CELLS", 500)  # 500 rows: one resample a chunk
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    a, b = rng.random(500), rng.random(500)
    bootstrap_ci(y, a, "roc_auc", n_resamples=40, random_state=0)
    assert len(calls) == 2  # the point estimate's sort, then the resamples' one
    calls.clear()
    paired_comparison(y, a, b, "average_precision", a="a", b="b", rows="r", n_resamples=40)
    assert calls == [True] * 4  # two point estimates, then one sort per model
