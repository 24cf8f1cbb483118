"""Boosted trees on wide tables sample columns per tree; narrower tables are untouched."""

from __future__ import annotations

from rightfit.models import get_spec
from rightfit.models._spec import FitContext


def _ctx(n_numeric: int) -> FitContext:
    return FitContext(
        task="binary", n_rows=16_000, n_numeric=n_numeric, n_categorical=0, n_classes=2
    )


def test_portfolio_samples_at_most_about_300_columns_a_tree_on_wide_tables():
    for family in ("lightgbm", "xgboost"):
        spec = get_spec(family)
        narrow = spec.portfolio(_ctx(300))
        assert narrow == spec.portfolio(_ctx(40))  # nothing changes up to 300 columns
        wide = spec.portfolio(_ctx(1_000))
        assert [e["colsample_bytree"] for e in wide] == [
            min(e["colsample_bytree"], 0.3) for e in narrow
        ]
        # The cost model counts the columns a tree uses: the plan no longer skips the family
        # on 16,000 rows x 1,000 columns for "one CV round longer than half of 60 s".
        full = {**wide[0], "colsample_bytree": 1.0}
        assert spec.cost(wide[0], _ctx(1_000)) < 0.5 * spec.cost(full, _ctx(1_000))


def test_searched_column_share_reaches_down_on_very_wide_tables():
    import optuna

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    spec = get_spec("lightgbm")
    shares = [spec.sample(study.ask(), _ctx(3_000))["colsample_bytree"] for _ in range(60)]
    assert min(shares) < 0.3 and min(shares) >= 0.1
