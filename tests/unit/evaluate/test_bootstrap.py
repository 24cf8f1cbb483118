import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error

from rightfit.errors import ConfigError
from rightfit.evaluate import Interval, bootstrap_ci


def test_docstring_example():
    assert bootstrap_ci([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4], "roc_auc", random_state=0).point == 1.0


def test_named_and_callable_metrics_agree():
    rng = np.random.default_rng(0)
    y = rng.normal(size=300)
    pred = y + rng.normal(size=300)
    named = bootstrap_ci(y, pred, "mae", n_resamples=2000, random_state=0)
    called = bootstrap_ci(y, pred, mean_absolute_error, n_resamples=2000, random_state=0)
    assert isinstance(named, Interval)
    assert named.point == pytest.approx(called.point)
    assert named.low == pytest.approx(called.low, abs=0.02)
    assert named.high == pytest.approx(called.high, abs=0.02)


def test_interval_narrows_with_more_rows():
    rng = np.random.default_rng(0)

    def width(n):
        y = rng.integers(0, 2, n)
        p = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
        ci = bootstrap_ci(y, p, "roc_auc", n_resamples=300, random_state=0)
        return ci.high - ci.low

    assert width(4000) < width(200) / 2


def test_level_outside_zero_one_names_the_fix():
    with pytest.raises(ConfigError, match=r"level=0\.95"):
        bootstrap_ci([0, 1], [0.1, 0.9], "roc_auc", level=95)


def test_n_resamples_must_be_positive():
    with pytest.raises(ConfigError, match="n_resamples=1000"):
        bootstrap_ci([0, 1], [0.1, 0.9], "roc_auc", n_resamples=0)
