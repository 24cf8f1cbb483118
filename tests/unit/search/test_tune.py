import time

import numpy as np
import pandas as pd
import pytest

from rightfit.budget import Budget
from rightfit.models import ModelSpec, registry
from rightfit.search import tune
from rightfit.split import make_split


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = ((X["a"] + 0.5 * X["b"] + rng.normal(scale=0.5, size=n)) > 0).astype(np.int64).to_numpy()
    folds = make_split(pd.Series(y), "binary", test_size=0, seed=0).folds
    return X, y, folds


def test_search_tries_every_family_first_and_ranks_trials():
    X, y, folds = _data()
    result = tune(
        ["linear", "lightgbm"],
        X,
        y,
        folds,
        task="binary",
        metric="roc_auc",
        budget=Budget(6),
        n_classes=2,
    )
    trials = result.leaderboard.trials
    assert [t.family for t in trials[:2]] == ["linear", "lightgbm"]
    assert all(t.source == "portfolio" for t in trials[:2])
    best = result.leaderboard.best()
    assert best is not None and 0.8 < best.score <= 1.0
    ranked = [t.score for t in result.leaderboard.ranked() if t.ok]
    assert ranked == sorted(ranked, reverse=True)
    assert best.number in result.oof and result.oof[best.number].shape == (len(y), 2)


def test_search_respects_its_budget():
    X, y, folds = _data()
    start = time.monotonic()
    tune(["lightgbm"], X, y, folds, task="binary", metric="log_loss", budget=Budget(3), n_classes=2)
    assert time.monotonic() - start < 3 + 1.5


def test_a_failing_family_becomes_a_failed_trial_not_a_crash(monkeypatch):
    def broken_build(params, ctx):
        raise RuntimeError("this family is broken on purpose")

    spec = ModelSpec(
        name="broken",
        tasks=("binary",),
        summary="always fails",
        build=broken_build,
        sample=lambda trial, ctx: {},
        portfolio=lambda ctx: [{}],
    )
    monkeypatch.setitem(registry._REGISTRY, "broken", spec)
    X, y, folds = _data()
    result = tune(
        ["broken", "linear"],
        X,
        y,
        folds,
        task="binary",
        metric="roc_auc",
        budget=Budget(3),
        n_classes=2,
    )
    failed = [t for t in result.leaderboard.trials if t.family == "broken"]
    assert failed and failed[0].status == "failed"
    assert "broken on purpose" in failed[0].error
    assert result.leaderboard.best().family == "linear"


def test_a_default_outside_its_search_space_runs_as_given_instead_of_ending_the_run(monkeypatch):
    linear = registry._REGISTRY["linear"]

    def sample(trial, ctx):
        return {"C": trial.suggest_categorical("C", [0.1, 1.0]), "class_weight": None}

    spec = ModelSpec(
        name="odd_default",
        tasks=("binary",),
        summary="a portfolio value the sampler does not offer",
        build=linear.build,
        sample=sample,
        portfolio=lambda ctx: [{"C": 30.0, "class_weight": None}],
    )
    monkeypatch.setitem(registry._REGISTRY, "odd_default", spec)
    X, y, folds = _data()
    result = tune(
        ["odd_default"], X, y, folds, task="binary", metric="roc_auc", budget=Budget(3), n_classes=2
    )
    trials = result.leaderboard.trials
    assert trials[0].ok and trials[0].params["C"] == 30.0 and trials[0].source == "portfolio"
    assert len(trials) > 1 and all(t.params["C"] in (0.1, 1.0) for t in trials[1:])


def test_same_seed_gives_the_same_first_trials():
    X, y, folds = _data()
    runs = [
        tune(
            ["linear"],
            X,
            y,
            folds,
            task="binary",
            metric="roc_auc",
            budget=Budget(2),
            n_classes=2,
            max_trials=4,
        )
        for _ in range(2)
    ]
    a, b = ([(t.params, round(t.score, 10)) for t in r.leaderboard.trials] for r in runs)
    assert a == b


@pytest.mark.parametrize("metric", ["rmse", "mae"])
def test_regression_search_scores_in_the_metric_orientation(metric):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200)})
    y = 3 * X["a"].to_numpy() + rng.normal(scale=0.1, size=200)
    folds = make_split(pd.Series(y), "regression", test_size=0).folds
    result = tune(
        ["linear"], X, y, folds, task="regression", metric=metric, budget=Budget(2), max_trials=3
    )
    best = result.leaderboard.best()
    assert 0 < best.score < 0.5


def _scripted_search(monkeypatch, families, max_trials, stopped_trials):
    """Run ``tune`` with cross-validation replaced by a script: trial n (1-based) reports that
    its time limit stopped it when n is in ``stopped_trials``. Returns (family, learning rate)
    of every trial, in order."""
    from rightfit.search import _tune
    from rightfit.search._cv import CVResult

    X, y, folds = _data()
    seen = []

    def fake_cv(family, params, X, y, folds, ctx, metric, deadline, fold_estimate):
        seen.append((family, params.get("learning_rate")))
        extra = {"early_stopping": {"best_rounds": [100], "deadline": len(seen) in stopped_trials}}
        loss = 0.6 - 0.01 * len(seen)
        return CVResult("ok", np.full((len(y), 2), 0.5), [0.7], loss, 0.01, "", {}, extra)

    monkeypatch.setattr(_tune, "cross_validate", fake_cv)
    tune(
        families,
        X,
        y,
        folds,
        task="binary",
        metric="log_loss",
        budget=Budget(60),
        max_trials=max_trials,
    )
    return seen


def test_a_booster_stopped_by_its_time_limit_makes_the_next_trials_learn_faster(monkeypatch):
    """Early-stopped boosting that ran out of time before converging (too small a learning rate
    for the budget) raises the family's learning rate for the portfolio and the sampler."""
    rates = [lr for _, lr in _scripted_search(monkeypatch, ["lightgbm"], 6, {1})]
    assert rates[0] == pytest.approx(0.1)  # the portfolio's first entry, as written
    # after it: the portfolio's slower entries (0.04, 0.05) and every sampled trial learn at
    # 3 x 0.1 or faster, within the search range
    assert len(rates) == 6
    assert all(0.3 - 1e-9 <= lr <= 0.5 for lr in rates[1:])


def test_learning_rates_stay_as_sampled_when_no_trial_runs_out_of_time(monkeypatch):
    rates = [lr for _, lr in _scripted_search(monkeypatch, ["lightgbm"], 8, set())]
    assert rates[:2] == [pytest.approx(0.1), pytest.approx(0.04)]
    assert min(rates) < 0.3


def test_the_faster_rate_carries_over_to_the_other_boosting_family(monkeypatch):
    seen = _scripted_search(monkeypatch, ["lightgbm", "linear", "xgboost"], 3, {1})
    assert [f for f, _ in seen] == ["lightgbm", "linear", "xgboost"]
    assert seen[2][1] == pytest.approx(0.3)  # xgboost's first default (0.1), raised


def test_a_family_that_converged_at_a_slower_rate_keeps_it(monkeypatch):
    """A round costs different time in each library: a boosting family whose trial converged
    within its time at 0.1 is not pushed to 0.3 because another family's trial ran out of time
    (CatBoost on california housing had pushed LightGBM, converged in 2 s, to >= 0.24)."""
    seen = _scripted_search(monkeypatch, ["xgboost", "linear", "lightgbm"], 6, {3})
    assert [f for f, _ in seen[:3]] == ["xgboost", "linear", "lightgbm"]
    later = {f: lr for f, lr in seen[3:] if lr is not None}
    assert later["xgboost"] < 0.3  # its own next default, as written
    assert later["lightgbm"] >= 0.3 - 1e-9  # the family that ran out of time learns faster


def _tightened_search(narrowing: str):
    """A 4 s search whose reserve keeps all but 0.4 s until ``tighten`` is asked, which then
    narrows it ("narrows"), leaves it ("keeps") or fails ("raises")."""
    X, y, folds = _data()
    state = {"reserve": 3.6, "calls": []}

    def tighten(trials, oof, kept):
        state["calls"].append(len(trials))
        assert set(oof) <= {t.number for t in trials} and not kept  # k-fold: no kept models
        if narrowing == "raises":
            raise RuntimeError("an estimate went wrong")
        if narrowing == "keeps":
            return False
        before, state["reserve"] = state["reserve"], 1.0
        return state["reserve"] < before

    start = time.monotonic()
    result = tune(
        ["linear"],
        X,
        y,
        folds,
        task="binary",
        metric="roc_auc",
        budget=Budget(4),
        n_classes=2,
        reserve=lambda trials: state["reserve"],
        tighten=tighten,
    )
    return result, state["calls"], time.monotonic() - start


def test_a_narrowed_reserve_gives_the_search_the_time_it_freed():
    result, calls, seconds = _tightened_search("narrows")
    n_trials = len(result.leaderboard.trials)
    assert calls and calls[0] >= 1  # asked once a trial had finished, not before
    assert n_trials > calls[0]  # the freed time ran more trials
    assert calls == sorted(set(calls))  # at most once per trial count
    assert seconds < 4 - 1.0 + 1.0  # and the narrowed reserve was still kept


def test_the_search_stops_where_the_reserve_begins_when_nothing_narrows_it():
    result, calls, seconds = _tightened_search("keeps")
    assert calls == [len(result.leaderboard.trials)]
    assert seconds < 4 - 3.6 + 1.0


def test_a_failing_narrowing_of_the_reserve_only_ends_the_search_as_usual():
    result, calls, _ = _tightened_search("raises")
    assert calls and result.leaderboard.best() is not None


def test_fold_models_far_behind_the_best_are_not_kept():
    # With one validation split the search keeps each family's best fitted model for the final
    # choice; a forest over many classes can hold 100+ MB, so a model far behind is let go.
    from rightfit.search._trial import Trial
    from rightfit.search._tune import HOPELESS_GAP, _prune_oof

    best = Trial(0, "xgboost", {}, "ok", loss=1.0)
    close = Trial(1, "lightgbm", {}, "ok", loss=1.0 + HOPELESS_GAP / 2)
    far = Trial(2, "random_forest", {}, "ok", loss=1.0 + 3 * HOPELESS_GAP)
    trials = [best, close, far]
    oof = {t.number: np.zeros(3) for t in trials}
    models = {t.number: object() for t in trials}
    _prune_oof(oof, trials, "random_forest", models)
    assert sorted(models) == [0, 1]
    assert sorted(oof) == [0, 1, 2]  # its out-of-fold outputs still inform the review


def test_a_search_that_stops_improving_ends_early_as_converged(monkeypatch):
    from rightfit.search._tune import PLATEAU_TRIALS

    linear = registry._REGISTRY["linear"]
    spec = ModelSpec(
        name="always_the_same",
        tasks=("binary",),
        summary="every trial the same model, so the search can only stall",
        build=linear.build,
        sample=lambda trial, ctx: {"C": 1.0, "class_weight": None},
        portfolio=lambda ctx: [{"C": 1.0, "class_weight": None}],
    )
    monkeypatch.setitem(registry._REGISTRY, "always_the_same", spec)
    X, y, folds = _data()
    start = time.monotonic()
    result = tune(
        ["always_the_same"], X, y, folds, task="binary", metric="roc_auc", budget=Budget(120),
        n_classes=2,
    )  # fmt: skip
    assert result.stop_reason.startswith(f"converged: the last {PLATEAU_TRIALS} trials")
    assert len(result.leaderboard.trials) == PLATEAU_TRIALS + 1
    assert time.monotonic() - start < 60


def test_progress_is_measured_from_the_last_real_gain_so_small_gains_add_up():
    from rightfit.search._tune import PLATEAU_GAIN, PLATEAU_TRIALS, _Plateau

    plateau = _Plateau()
    plateau.update(1.0, 1)
    step = 0.4 * PLATEAU_GAIN  # each below the threshold, three of them above it
    for n, loss in enumerate([1 - step, 1 - 2 * step, 1 - 3 * step], start=2):
        plateau.update(loss, n)
    assert plateau.at == 4
    assert plateau.stalled_for(4 + PLATEAU_TRIALS - 1) == 0
    assert plateau.stalled_for(4 + PLATEAU_TRIALS) == PLATEAU_TRIALS
    late = _Plateau()
    late.update(1.0, 80)  # progress after 80 trials: as many again without any before stopping
    assert late.stalled_for(80 + PLATEAU_TRIALS) == 0
    assert late.stalled_for(160) == 80
