"""A four-purchase log where the protocol's choices show: user a bought x before and again in
the held-out basket, and x is also the best-seller."""

from __future__ import annotations

import pandas as pd

from rightfit.recommend._split import build_matrix


def tiny_log():
    """(train, test, users, items, history) of the tiny log."""
    train = pd.DataFrame(
        {
            "user": ["a", "b", "c", "a"],
            "item": ["x", "x", "x", "y"],
            "value": 1.0,
            "time": [1, 1, 1, 2],
        }
    )
    test = pd.DataFrame({"user": ["a", "a"], "item": ["x", "z"], "value": 1.0, "time": 3})
    users, items = pd.Index(["a", "b", "c"]), pd.Index(["x", "y", "z"])
    history = build_matrix(
        pd.concat([train, test.iloc[[1]].assign(user="b")]), users, items, "implicit"
    )
    return train, test, users, items, history
