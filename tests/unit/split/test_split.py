import numpy as np
import pandas as pd
import pytest

from rightfit.errors import ConfigError, DataError
from rightfit.split import make_split


def test_stratified_split_keeps_class_shares_and_disjoint_rows():
    y = pd.Series([0] * 80 + [1] * 20)
    plan = make_split(y, "binary", test_size=0.2, seed=0)
    assert len(plan.test_rows) == 20
    assert set(plan.train_rows).isdisjoint(plan.test_rows)
    assert y.iloc[plan.test_rows].mean() == pytest.approx(0.2)
    assert len(plan.folds) == 15 and plan.n_repeats == 3  # 80 rows: 5 folds, drawn 3 times
    for fit_idx, val_idx in plan.folds:
        assert set(fit_idx).isdisjoint(val_idx)
        assert max(val_idx) < len(plan.train_rows)


def test_small_data_repeats_the_folds_with_new_shuffles_large_data_does_not():
    y = pd.Series(np.arange(1000) % 2)
    plan = make_split(y, "binary", seed=0)  # 800 training rows
    assert (plan.folds_per_repeat, plan.n_repeats) == (5, 3)
    assert "5-fold CV repeated 3 times" in plan.description
    assert plan.to_dict()["n_folds"] == 5 and plan.to_dict()["n_repeats"] == 3
    repeats = [plan.folds[r * 5 : (r + 1) * 5] for r in range(3)]
    for folds in repeats:  # each repeat validates every training row exactly once
        rows = np.sort(np.concatenate([v for _, v in folds]))
        assert np.array_equal(rows, np.arange(800))
    first, second = (sorted(map(tuple, (v for _, v in f))) for f in repeats[:2])
    assert first != second
    big = make_split(pd.Series(np.arange(2000) % 2), "binary", seed=0)
    assert (len(big.folds), big.n_repeats) == (5, 1)
    assert make_split(y, "binary", seed=0, n_repeats=1).n_repeats == 1


def test_time_and_group_splits_are_not_repeated():
    y = pd.Series(np.arange(200) % 2)
    times = pd.Series(pd.date_range("2024-01-01", periods=200, freq="D"))
    assert make_split(y, "binary", times=times).n_repeats == 1
    groups = pd.Series(np.repeat(np.arange(50), 4))
    assert make_split(y, "binary", groups=groups).n_repeats == 1


def test_split_is_reproducible_with_a_seed_and_changes_with_another():
    y = pd.Series(np.arange(200) % 2)
    a = make_split(y, "binary", seed=3)
    b = make_split(y, "binary", seed=3)
    c = make_split(y, "binary", seed=4)
    assert a.test_fingerprint() == b.test_fingerprint()
    assert a.test_fingerprint() != c.test_fingerprint()


def test_group_split_keeps_each_group_on_one_side():
    groups = pd.Series(np.repeat(np.arange(50), 4))
    y = pd.Series(np.arange(200) % 2)
    plan = make_split(y, "binary", groups=groups, seed=0)
    train_groups = set(groups.iloc[plan.train_rows])
    test_groups = set(groups.iloc[plan.test_rows])
    assert train_groups.isdisjoint(test_groups)
    g_train = groups.iloc[plan.train_rows].to_numpy()
    for fit_idx, val_idx in plan.folds:
        assert set(g_train[fit_idx]).isdisjoint(g_train[val_idx])


def test_time_split_holds_out_the_latest_rows_and_validates_forward():
    times = pd.Series(pd.date_range("2020-01-01", periods=100, freq="D")).sample(
        frac=1, random_state=0
    )
    times = times.reset_index(drop=True)
    y = pd.Series(np.arange(100, dtype=float))
    plan = make_split(y, "regression", times=times, test_size=0.2)
    assert times.iloc[plan.test_rows].min() > times.iloc[plan.train_rows].max()
    t_train = times.iloc[plan.train_rows].to_numpy()
    for fit_idx, val_idx in plan.folds:
        assert t_train[val_idx].min() > t_train[fit_idx].max()


def test_zero_test_size_disables_the_blind_test_and_says_so():
    plan = make_split(pd.Series(np.arange(100) % 2), "binary", test_size=0)
    assert not plan.has_test
    assert "no blind test" in plan.description


def test_too_few_rows_names_the_fix():
    with pytest.raises(DataError, match="at least 20 rows"):
        make_split(pd.Series([0, 1] * 5), "binary")
    with pytest.raises(DataError, match="--test-size 0"):
        make_split(pd.Series([0, 1] * 12), "binary", test_size=0.7)


def test_invalid_test_size_is_rejected():
    with pytest.raises(ConfigError, match="between 0 and 1"):
        make_split(pd.Series([0, 1] * 50), "binary", test_size=1.5)


def test_a_class_with_one_row_does_not_break_stratification():
    y = pd.Series([0] * 60 + [1] * 39 + [2])
    plan = make_split(y, "multiclass", seed=0)
    assert len(plan.train_rows) + len(plan.test_rows) == 100
