"""Leakage screen: how well does ONE column predict the target on its own?"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

MAX_ROWS = 20_000
# Rows x columns screened at most: a 1,000-column table is screened on 2,000 rows, not 20,000
# (3 trees and a score per column took 42 s there, the whole of a 60 s budget). A leak strong
# enough to flag (ROC AUC 0.99) shows on 2,000 rows as well.
MAX_CELLS = 2_000_000
MIN_ROWS = 2_000
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


def sample_rows(
    y: np.ndarray, classification: bool, random_state: int, max_rows: int = MAX_ROWS
) -> np.ndarray:
    """Row positions of a sample of at most ``max_rows``, per class in proportion
    (classification)."""
    n = len(y)
    if n <= max_rows:
        return np.arange(n)
    rng = np.random.default_rng(random_state)
    if not classification:
        return np.sort(rng.choice(n, max_rows, replace=False))
    chosen = []
    for code in np.unique(y):
        members = np.flatnonzero(y == code)
        size = min(len(members), max(MIN_PER_CLASS, round(len(members) * max_rows / n)))
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


def _auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count half), as roc_auc_score computes it
    without its input checks, which cost more than the sum on a thousand columns."""
    from scipy.stats import rankdata

    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _score(pred: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[str, float, bool]:
    from sklearn.metrics import r2_score

    if not n_classes:
        r2 = float(r2_score(y, pred))
        return "R²", r2, r2 >= R2_LEAK
    accuracy = float(np.mean(pred.argmax(axis=1) == y))
    baseline_error = 1.0 - np.bincount(y).max() / len(y)
    accurate = accuracy >= ACCURACY_LEAK and (1.0 - accuracy) <= 0.25 * baseline_error
    if n_classes == 2:
        auc = _auc(pred[:, 1], y == 1)
    else:  # one class against the rest, averaged over the classes present (macro)
        per_class = [_auc(pred[:, k], y == k) for k in range(n_classes) if np.any(y == k)]
        auc = float(np.mean(per_class)) if per_class else float("nan")
    if accurate and not auc >= AUC_LEAK:
        return "accuracy", accuracy, True
    return "ROC AUC", auc, bool(auc >= AUC_LEAK)


def screen_leakage(
    columns: dict[str, tuple[str, np.ndarray]],
    y: pd.Series,
    task: str,
    random_state: int,
    max_seconds: float | None = None,
) -> tuple[list[LeakScore], int]:
    """Score each column alone against the target with 3-fold CV on a bounded sample.

    ``columns`` maps a column name to ``(kind, values)`` where kind is "numeric" (float values,
    NaN allowed) or "categorical" (object labels). Returns the scores and the number of columns
    left unscreened when ``max_seconds`` ran out (columns are screened in the given order).
    """
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    classification = task != "regression"
    known = y.notna().to_numpy()
    if classification:
        target = pd.factorize(y[known].astype(str))[0]
        n_classes = int(target.max()) + 1
        if n_classes < 2:
            return [], 0
    else:
        target = y[known].to_numpy(dtype=float)
        n_classes = 0
    max_rows = max(MIN_ROWS, min(MAX_ROWS, MAX_CELLS // max(len(columns), 1)))
    rows = sample_rows(target, classification, random_state, max_rows)
    target = target[rows]
    folds = _folds(len(rows), random_state)
    scores = []
    for position, (name, (kind, values)) in enumerate(columns.items()):
        if deadline is not None and time.monotonic() > deadline:
            logger.info("leakage screen stopped after %d of %d columns", position, len(columns))
            return scores, len(columns) - position
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
    return scores, 0
