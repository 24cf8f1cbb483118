"""Blind-test holdout and cross-validation scheme, fixed before any fitting."""

from rightfit.split._plan import SplitPlan, choose_n_folds, make_split

__all__ = ["SplitPlan", "choose_n_folds", "make_split"]
