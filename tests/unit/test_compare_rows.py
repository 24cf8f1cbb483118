"""The out-of-fold comparisons say when they ran on a sample of the rows the choice was made
on: two close models can rank the other way round on a sample (400,000 rows: the chosen model,
0.0001 AUC ahead on every row, read "significantly worse" on 20,000 of them)."""

from __future__ import annotations

import numpy as np

from rightfit.pipeline._review import MAX_COMPARISON_ROWS, compare_out_of_fold
from rightfit.search import Leaderboard, SearchResult, Trial


def _search(n: int):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    signal = y + rng.normal(scale=1.0, size=n)
    p1 = 1 / (1 + np.exp(-signal))
    p2 = 1 / (1 + np.exp(-(signal + rng.normal(scale=0.3, size=n))))
    trials = (
        Trial(0, "lightgbm", {}, "ok", score=0.8, loss=-0.8),
        Trial(1, "xgboost", {}, "ok", score=0.79, loss=-0.79),
    )
    oof = {0: np.column_stack([1 - p1, p1]), 1: np.column_stack([1 - p2, p2])}
    return SearchResult(Leaderboard("roc_auc", True, trials), oof, "done", 1.0), y, trials


def _rows_text(n: int) -> list[str]:
    search, y, trials = _search(n)
    out = compare_out_of_fold(
        search, [trials[0]], [1.0], y, np.arange(n), "roc_auc", 2, "binary", 0
    )
    return [entry["rows"] for entry in out]


def test_a_sample_of_the_rows_is_named_as_a_sample():
    n = MAX_COMPARISON_ROWS + 5_000
    texts = _rows_text(n)
    assert texts and all(f"a random {MAX_COMPARISON_ROWS:,} of the {n:,}" in t for t in texts)


def test_all_rows_are_named_as_they_are():
    texts = _rows_text(3_000)
    assert texts and all(t == "out-of-fold predictions of 3,000 training rows" for t in texts)
