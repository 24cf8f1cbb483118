"""The time-aware evaluation split and the user x item matrices the models learn from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

TEST_SHARE = 0.2


@dataclass(frozen=True)
class Split:
    """Training and held-out interaction rows.

    Each user's interactions are grouped into events (rows at the same time: one basket) and
    the user's last ``TEST_SHARE`` of events (at least one) is held out, so the models never
    see what a user did after the moment they are asked to recommend for. A user with a single
    event has everything held out: a cold-start user, served popular items.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    cold_users: tuple[str, ...]
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy": "per-user time holdout",
            "test_share": TEST_SHARE,
            "description": self.description,
            "train_interactions": len(self.train),
            "test_interactions": len(self.test),
            "test_users": int(self.test["user"].nunique()),
            "cold_start_users": len(self.cold_users),
        }


def time_split(frame: pd.DataFrame, test_share: float = TEST_SHARE) -> Split:
    """Hold out each user's latest events (see :class:`Split`).

    Examples
    --------
    >>> frame = pd.DataFrame({"user": ["a"] * 5 + ["b"], "item": list("pqrstp"),
    ...                       "value": 1.0, "time": [1, 2, 3, 4, 5, 1]})
    >>> split = time_split(frame)
    >>> split.test["item"].tolist(), split.cold_users
    (['t', 'p'], ('b',))
    """
    events = frame[["user", "time"]].drop_duplicates().sort_values(["user", "time"])
    position = events.groupby("user").cumcount().to_numpy()
    count = events.groupby("user")["time"].transform("size").to_numpy()
    held = np.maximum(1, np.round(test_share * count)).astype(int)
    events = events.assign(test=position >= count - held)
    marked = frame.merge(events, on=["user", "time"], how="left")
    is_test = marked["test"].to_numpy(dtype=bool)
    train, test = frame.loc[~is_test], frame.loc[is_test]
    cold = tuple(sorted(set(test["user"]) - set(train["user"])))
    description = (
        f"each user's last {test_share:.0%} of events (at least one; rows at the same time are "
        f"one event) held out: {len(test):,} of {len(frame):,} interactions, "
        f"{test['user'].nunique():,} users; {len(cold):,} users have a single event and are "
        "evaluated as cold-start users (served popular items)"
    )
    return Split(train.reset_index(drop=True), test.reset_index(drop=True), cold, description)


def relevance_threshold(frame: pd.DataFrame, feedback: str) -> float | None:
    """Explicit ratings count as relevant from the median rating up; implicit: every item."""
    return float(np.median(frame["value"])) if feedback == "explicit" else None


def relevant_items(
    train: pd.DataFrame, test: pd.DataFrame, threshold: float | None, repeats: bool = False
) -> dict[str, set[str]]:
    """Per test user, the held-out items they had not met in training (and rated ≥ threshold).

    Items already in a user's history are left out: recommendations exclude them by default,
    so counting re-purchases would reward nothing a recommender can do. With ``repeats``
    (served lists may hold already-bought items) re-purchases are targets too.

    Examples
    --------
    >>> train = pd.DataFrame({"user": ["a"], "item": ["x"]})
    >>> test = pd.DataFrame({"user": ["a", "a"], "item": ["x", "y"], "value": 1.0})
    >>> relevant_items(train, test, None), sorted(relevant_items(train, test, None, True)["a"])
    ({'a': {'y'}}, ['x', 'y'])
    """
    seen = {} if repeats else train.groupby("user")["item"].agg(set).to_dict()
    wanted = test if threshold is None else test[test["value"] >= threshold]
    relevant = {}
    for user, items in wanted.groupby("user")["item"]:
        fresh = set(items) - seen.get(user, set())
        if fresh:
            relevant[user] = fresh
    return relevant


def repeat_share(train: pd.DataFrame, test: pd.DataFrame) -> float | None:
    """Share of the held-out (user, item) pairs of users with a history that repeat an item
    already in that user's training history; None when no such user is held out.

    Without repeats these pairs are not targets (see :func:`relevant_items`); a high share says
    re-purchases are a large part of behaviour, which a list that excludes seen items leaves out.

    Examples
    --------
    >>> train = pd.DataFrame({"user": ["a", "a"], "item": ["x", "y"]})
    >>> repeat_share(train, pd.DataFrame({"user": ["a", "a", "b"], "item": ["x", "z", "x"]}))
    0.5
    """
    pairs = test[["user", "item"]].drop_duplicates()
    pairs = pairs[pairs["user"].isin(set(train["user"]))]
    if pairs.empty:
        return None
    seen = train[["user", "item"]].drop_duplicates().assign(seen=True)
    marked = pairs.merge(seen, on=["user", "item"], how="left")
    return round(float(marked["seen"].fillna(False).astype(bool).mean()), 4)


def build_matrix(
    frame: pd.DataFrame, users: pd.Index, items: pd.Index, feedback: str
) -> sp.csr_matrix:
    """User x item weights: log(1 + summed strength) for implicit, the mean rating for explicit.

    Rows whose user or item is not in the indexes are ignored.
    """
    u = users.get_indexer(frame["user"])
    i = items.get_indexer(frame["item"])
    ok = (u >= 0) & (i >= 0)
    grouped = (
        pd.DataFrame({"u": u[ok], "i": i[ok], "v": frame["value"].to_numpy()[ok]})
        .groupby(["u", "i"])["v"]
        .agg("mean" if feedback == "explicit" else "sum")
    )
    values = grouped.to_numpy(dtype=float)
    if feedback != "explicit":
        values = np.log1p(values)
    rows = grouped.index.get_level_values(0).to_numpy()
    cols = grouped.index.get_level_values(1).to_numpy()
    return sp.csr_matrix((values, (rows, cols)), shape=(len(users), len(items)))
