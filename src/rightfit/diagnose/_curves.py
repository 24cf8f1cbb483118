"""Learning and validation curves for one configuration, measured on one training fold.

Both are computed on the training rows only (the blind test stays untouched) and each point is
one fit, so their cost is known from the search's own timings; points that would overrun the
time given are left out and the curve says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rightfit._memory import trim_if_grown
from rightfit.metrics import score
from rightfit.models import FitContext, build_estimator, column_counts, get_spec, predict_output

LEARNING_FRACTIONS = (0.1, 0.25, 0.5, 1.0)
VALIDATION_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)
# +1: a larger value makes the model more flexible; -1: a larger value makes it simpler.
DIRECTION = {
    "num_leaves": 1,
    "max_depth": 1,
    "depth": 1,
    "C": 1,
    "min_samples_leaf": -1,
    "min_child_samples": -1,
    "n_neighbors": -1,
    "alpha": -1,
}
BOUNDS = {
    "num_leaves": (2, 1024),
    "max_depth": (1, 16),
    "depth": (1, 10),
    "min_samples_leaf": (1, 512),
}
# Parameters already on a log scale step by adding: CatBoost's symmetric trees have 2^depth
# leaves, so 4 x depth 4 = 16 would mean 65,536 leaves (and 1.5 GB on 242 rows, measured).
# XGBoost's depth-wise trees too: 2 x max_depth 6 took 4.2 s and 170 MB more on 20,000 rows of
# diamonds, where depths 3 and 6 took 0.4 and 0.7 s.
VALIDATION_STEPS = {"depth": (-2, -1, 0, 1, 2), "max_depth": (-2, -1, 0, 1, 2)}
# The validation curve may use at most this many rows: its job is the shape, not the level.
MAX_CURVE_ROWS = 20_000


@dataclass
class Curve:
    param: str  # "n_train_rows" for a learning curve
    values: list = field(default_factory=list)
    train: list = field(default_factory=list)
    validation: list = field(default_factory=list)
    fit_seconds: list = field(default_factory=list)
    chosen: object = None
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "param": self.param,
            "values": self.values,
            "train": self.train,
            "validation": self.validation,
            "fit_seconds": self.fit_seconds,
            "chosen": self.chosen,
            "notes": self.notes,
        }


def complexity_param(family: str, params: dict) -> str | None:
    """The family's main complexity parameter, if this configuration has it."""
    name = get_spec(family).complexity_param
    if name in params:
        return name
    return "alpha" if "alpha" in params else None


def _grid(name: str, value) -> list:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    low, high = BOUNDS.get(name, (None, None))
    out = []
    steps = VALIDATION_STEPS.get(name)
    candidates = [value + s for s in steps] if steps else [value * f for f in VALIDATION_FACTORS]
    for v in candidates:
        if isinstance(value, int):
            v = round(v)
        if low is not None:
            v = min(max(v, low), high)
        if v > 0 and v not in out:
            out.append(v)
    return sorted(out)


class CurveRunner:
    """Fits one family's configuration on parts of one fold and scores train and validation."""

    def __init__(self, family, params, X, y, fold, task, metric, n_classes, seed, n_jobs):
        self.family, self.params = family, dict(params)
        self.X, self.y = X, y
        self.fit_rows, self.val_rows = fold
        self.task, self.metric, self.n_classes = task, metric, n_classes
        self.seed, self.n_jobs = seed, n_jobs

    def point(self, rows: np.ndarray, params: dict, deadline: float) -> tuple[float, float, float]:
        X_fit = self.X.iloc[rows].reset_index(drop=True)
        y_fit = self.y[rows]
        n_numeric, n_categorical = column_counts(X_fit)
        ctx = FitContext(
            task=self.task,
            n_rows=len(rows),
            n_numeric=n_numeric,
            n_categorical=n_categorical,
            n_classes=self.n_classes,
            seed=self.seed,
            n_jobs=self.n_jobs,
            deadline=deadline,
        )
        start = time.monotonic()
        estimator = build_estimator(self.family, params, ctx)
        estimator.fit(X_fit, y_fit, **get_spec(self.family).fit_kwargs(ctx, params))
        X_val = self.X.iloc[self.val_rows].reset_index(drop=True)
        train_out = predict_output(estimator, X_fit, self.task, self.n_classes)
        val_out = predict_output(estimator, X_val, self.task, self.n_classes)
        seconds = time.monotonic() - start  # fit and both predictions: what a point costs
        del estimator
        trim_if_grown()  # a forest's nodes, freed, would stay resident through the refits
        k = self.n_classes
        return (
            score(self.metric, y_fit, train_out, k),
            score(self.metric, self.y[self.val_rows], val_out, k),
            seconds,
        )


def _fits_in_time(estimate: float, deadline: float) -> bool:
    return time.monotonic() + estimate <= deadline


def learning_curve(
    runner: CurveRunner,
    per_fit: float,
    deadline: float,
    seed: int,
    full_point: dict | None = None,
) -> Curve:
    """Train and validation score against the number of training rows (smallest first).

    ``full_point``: the search's own model of this fold, already scored (``train``,
    ``validation``, ``seconds``; see ``search._cv``): the full-size point without a refit.
    """
    curve = Curve("n_train_rows")
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(runner.fit_rows)
    # The full-size point first: the verdict rests on it; then the halves that give the slope.
    points = {}
    if full_point and full_point.get("n_fit_rows") == len(shuffled):
        points[len(shuffled)] = (
            full_point["train"],
            full_point["validation"],
            full_point["seconds"],
        )
        curve.notes.append(
            f"the full-size point is the search's own model of this fold (training score on "
            f"{full_point['train_rows_scored']:,} of its fitting rows; boosting stopped at its "
            "best round on the validation rows)"
        )
    for fraction in sorted(LEARNING_FRACTIONS, reverse=True):
        n = max(int(len(shuffled) * fraction), 20)
        if n in points:
            continue
        if points:  # measured here: rescale the largest point's seconds (fit and scoring)
            largest = max(points)
            per_fit = (points[largest][2] + 0.05) * len(shuffled) / largest
        # The full-size point is worth a squeeze: boosting and forests stop at the deadline,
        # and without it there is no verdict. The others must fit comfortably.
        factor = 0.33 if not points and fraction == 1.0 else 1.5
        if not _fits_in_time(per_fit * fraction * factor, deadline):
            curve.notes.append(f"{n:,} rows left out: not enough time")
            continue
        try:
            train, val, seconds = runner.point(np.sort(shuffled[:n]), runner.params, deadline)
        except Exception as exc:  # a fit that fails on a small subset (one class, say)
            curve.notes.append(f"{n:,} rows: {type(exc).__name__}")
            continue
        points[n] = (train, val, seconds)
    full = max(int(len(shuffled) * max(LEARNING_FRACTIONS)), 20)
    if points and full not in points:
        # Settings (boosting rounds above all) were chosen for the full size: a subsample alone
        # would read as overfitting. No verdict rather than a wrong one.
        curve.notes.append(
            f"the full-size point ({full:,} rows) did not fit in the time left; smaller "
            "samples alone cannot judge settings chosen for the full size"
        )
        points = {}
    for n in sorted(points):
        train, val, seconds = points[n]
        curve.values.append(n)
        curve.train.append(train)
        curve.validation.append(val)
        curve.fit_seconds.append(round(seconds, 3))
    return curve


def validation_curve(
    runner: CurveRunner, name: str, per_fit: float, deadline: float, seed: int
) -> Curve:
    """Train and validation score against the complexity parameter around the chosen value."""
    chosen = runner.params[name]
    curve = Curve(name, chosen=chosen)
    rows = runner.fit_rows
    if len(rows) > MAX_CURVE_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(rows, MAX_CURVE_ROWS, replace=False))
        curve.notes.append(f"fitted on {MAX_CURVE_ROWS:,} sampled training rows")
    share = len(rows) / max(len(runner.fit_rows), 1)
    grid = _grid(name, chosen)
    # The chosen value first, then outward, so a short budget still brackets it.
    order = sorted(grid, key=lambda v: abs(np.log(v / chosen)) if chosen else 0)
    results = {}
    for value in order:
        if not _fits_in_time(per_fit * share * 1.5, deadline):
            curve.notes.append(f"{name}={value} left out: not enough time")
            continue
        try:
            results[value] = runner.point(rows, {**runner.params, name: value}, deadline)
        except Exception as exc:
            curve.notes.append(f"{name}={value}: {type(exc).__name__}")
    for value in sorted(results):
        train, val, seconds = results[value]
        curve.values.append(value)
        curve.train.append(train)
        curve.validation.append(val)
        curve.fit_seconds.append(round(seconds, 3))
    return curve
