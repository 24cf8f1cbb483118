"""Forests that grow in chunks and stop at a deadline, so a slow forest cannot sink the budget.

A forest's fit time is hard to predict (deep trees on noisy data take many times longer than
shallow ones), and scikit-learn offers no way to interrupt a fit. Growing the trees in ten
warm-started chunks costs a few percent and lets the search stop between chunks.
"""

from __future__ import annotations

import time
import warnings

from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from rightfit.models._deadline import TrialTimeout

CHUNKS = 10


class _DeadlineMixin:
    def fit(self, X, y, sample_weight=None, deadline: float | None = None):
        """Fit as the parent class does; with ``deadline`` (a ``time.monotonic()`` value), grow
        the trees in chunks and raise :class:`TrialTimeout` once the deadline has passed."""
        if deadline is None:
            return super().fit(X, y, sample_weight=sample_weight)
        total, warm = self.n_estimators, self.warm_start
        step = max(1, -(-total // CHUNKS))
        for attr in ("estimators_", "estimators_samples_"):
            if hasattr(self, attr):
                delattr(self, attr)
        try:
            self.warm_start = True
            grown = 0
            while grown < total:
                grown = min(total, grown + step)
                self.n_estimators = grown
                with warnings.catch_warnings():
                    # Every chunk fits the same rows, so "balanced" class weights are what one
                    # fit would compute; scikit-learn warns about warm starts on other data.
                    warnings.filterwarnings(
                        "ignore", message='class_weight presets "balanced"', category=UserWarning
                    )
                    super().fit(X, y, sample_weight=sample_weight)
                if grown < total and time.monotonic() > deadline:
                    raise TrialTimeout(f"stopped after {grown} of {total} trees: deadline reached")
        finally:
            self.n_estimators, self.warm_start = total, warm
        return self


class TimedRandomForestClassifier(_DeadlineMixin, RandomForestClassifier):
    pass


class TimedRandomForestRegressor(_DeadlineMixin, RandomForestRegressor):
    pass


class TimedExtraTreesClassifier(_DeadlineMixin, ExtraTreesClassifier):
    pass


class TimedExtraTreesRegressor(_DeadlineMixin, ExtraTreesRegressor):
    pass
