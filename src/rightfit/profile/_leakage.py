"""Leakage screen: how well does ONE column predict the target on its own?"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

MAX_ROWS = 20_000
N_FOLDS = 3
TREE_DEPTH = 6
AUC_LEAK = 0.99
ACCURACY_LEAK = 0.995
R2_LEAK = 0.98
MIN_PER_CLASS = 30


@dataclass(frozen=True)
class LeakScore:
    column: str
    metric: str  # "ROC AUC", "accuracy" or "R²"
    score: float
    n_rows: int
    suspect: bool


def sample_rows(y: np.ndarray, classification: bool, random_state: int) -> np.ndarray:
    """Row positions of a sample of at most MAX_ROWS, per class in proportion (classification)."""
    n = len(y)
    if n <= MAX_ROWS:
        return np.arange(n)
    rng = np.random.default_rng(random_state)
    if not classification:
        return np.sort(rng.choice(n, MAX_ROWS, replace=False))
    chosen = []
    for code in np.unique(y):
        members = np.flatnonzero(y == code)
        size = min(len(members), max(MIN_PER_CLASS, round(len(members) * MAX_ROWS / n)))
        chosen.append(rng.choice(members, size, replace=False))
    return np.sort(np.concatenate(chosen))


def _folds(n: int, random_state: int) -> np.ndarray:
    return np.random.default_rng(random_state).permutation(n) % N_FOLDS


def _tree_predictions(x: np.ndarray, y: np.ndarray, n_classes: int, folds: np.ndarray, seed: int):
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    X = x.reshape(-1, 1)
    out = np.zeros((len(y), n_classes)) if n_classes else np.zeros(len(y))
    for fold in range(N_FOLDS):
        train, test = folds != fold, folds == fold
        if n_classes:
            tree = DecisionTreeClassifier(
                max_depth=TREE_DEPTH, min_samples_leaf=5, random_state=seed
            )
            tree.fit(X[train], y[train])
            out[np.ix_(test, tree.classes_)] = tree.predict_proba(X[test])
        else:
            tree = DecisionTreeRegressor(
                max_depth=TREE_DEPTH, min_samples_leaf=5, random_state=seed
            )
            out[test] = tree.fit(X[train], y[train]).predict(X[test])
    return out


def _category_predictions(codes: np.ndarray, y: np.ndarray, n_classes: int, folds: np.ndarray):
    """Out-of-fold class shares (or means) per category; unseen categories get the prior.

    Category codes have no order, so a tree on them would miss a leak spread over many levels.
    """
    n_levels = int(codes.max()) + 1
    out = np.zeros((len(y), n_classes)) if n_classes else np.zeros(len(y))
    for fold in range(N_FOLDS):
        train, test = folds != fold, folds == fold
        counts = np.bincount(codes[train], minlength=n_levels).astype(float)
        if n_classes:
            prior = np.bincount(y[train], minlength=n_classes) / max(1, train.sum())
            per_class = np.zeros((n_levels, n_classes))
            np.add.at(per_class, (codes[train], y[train]), 1.0)
            shares = (per_class + prior) / (counts[:, None] + 1.0)
        else:
            prior = float(y[train].mean())
            sums = np.bincount(codes[train], weights=y[train], minlength=n_levels)
            shares = (sums + prior) / (counts + 1.0)
        out[test] = shares[codes[test]]
    return out


def _score(pred: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[str, float, bool]:
    from sklearn.metrics import r2_score, roc_auc_score

    if not n_classes:
        r2 = float(r2_score(y, pred))
        return "R²", r2, r2 >= R2_LEAK
    accuracy = float(np.mean(pred.argmax(axis=1) == y))
    baseline_error = 1.0 - np.bincount(y).max() / len(y)
    accurate = accuracy >= ACCURACY_LEAK and (1.0 - accuracy) <= 0.25 * baseline_error
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if n_classes == 2:
                auc = float(roc_auc_score(y, pred[:, 1]))
            else:
                auc = float(roc_auc_score(y, pred, multi_class="ovr", labels=np.arange(n_classes)))
        except ValueError:
            auc = float("nan")
    if accurate and not auc >= AUC_LEAK:
        return "accuracy", accuracy, True
    return "ROC AUC", auc, bool(auc >= AUC_LEAK)


def screen_leakage(
    columns: dict[str, tuple[str, np.ndarray]], y: pd.Series, task: str, random_state: int
) -> list[LeakScore]:
    """Score each column alone against the target with 3-fold CV on a bounded sample.

    ``columns`` maps a column name to ``(kind, values)`` where kind is "numeric" (float values,
    NaN allowed) or "categorical" (object labels).
    """
    classification = task != "regression"
    known = y.notna().to_numpy()
    if classification:
        target = pd.factorize(y[known].astype(str))[0]
        n_classes = int(target.max()) + 1
        if n_classes < 2:
            return []
    else:
        target = y[known].to_numpy(dtype=float)
        n_classes = 0
    rows = sample_rows(target, classification, random_state)
    target = target[rows]
    folds = _folds(len(rows), random_state)
    scores = []
    for name, (kind, values) in columns.items():
        values = values[known][rows]
        if kind == "categorical":
            codes = pd.factorize(values, use_na_sentinel=False)[0]
            pred = _category_predictions(codes, target, n_classes, folds)
        else:
            if np.all(np.isnan(values)):
                continue
            pred = _tree_predictions(values.astype(float), target, n_classes, folds, random_state)
        metric, score, suspect = _score(pred, target, n_classes)
        scores.append(LeakScore(name, metric, score, len(rows), suspect))
        logger.debug("leakage screen %r: %s %.4f", name, metric, score)
    return scores
