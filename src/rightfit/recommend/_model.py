"""Recommender: a fitted recommender that returns the top-k items per user."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from rightfit.errors import BundleError, ConfigError, DataError, SchemaMismatchError
from rightfit.recommend._data import id_strings
from rightfit.recommend._evaluate import popular_items, top_items
from rightfit.recommend._scorer import InteractionScorer
from rightfit.store import load_bundle, save_bundle

logger = logging.getLogger(__name__)

OUTPUT_COLUMNS = ("user", "rank", "item", "score")


class Recommender:
    """A fitted recommender with the record of how it was chosen.

    Use :func:`rightfit.recommend.fit_recommender` or :func:`rightfit.load` to get one.

    Parameters
    ----------
    scorer : InteractionScorer
        The delivered state, with ``user_ids`` and ``item_ids``.
    record : dict
        The bundle record (``kind="recommendation"``).
    """

    def __init__(self, scorer: InteractionScorer, record: dict):
        self.scorer = scorer
        self.record = record
        self.user_column = record["interactions"]["user_column"]
        self._users = pd.Index(np.asarray(scorer.user_ids).astype(str))
        self._items = np.asarray(scorer.item_ids).astype(str).astype(object)
        # fitted with repeats=True (`rightfit recommend --repeats`): already-bought items are
        # served unless a caller asks otherwise; older bundles have no key and exclude them
        self.repeats = bool(record.get("repeats", False))

    def _user_ids(self, users: pd.DataFrame | pd.Series | list) -> list[str]:
        if isinstance(users, pd.DataFrame):
            names = [str(c) for c in users.columns]
            if self.user_column in names:
                column = users[self.user_column]
            elif "user" in names:
                column = users["user"]
            else:
                raise SchemaMismatchError(
                    f"The users to recommend for need a {self.user_column!r} column (the user "
                    f"column at training); got columns {', '.join(map(repr, names[:20]))}. "
                    "Rename the user id column."
                )
        elif isinstance(users, (pd.Series, list, tuple, np.ndarray)):
            column = pd.Series(users)
        else:
            raise DataError(
                f"Pass the users as a DataFrame with a {self.user_column!r} column, got "
                f"{type(users).__name__}."
            )
        ids = [u for u in id_strings(column) if u is not None]
        return list(dict.fromkeys(ids))  # each user once, in the order given

    def recommend_frame(
        self, users: pd.DataFrame, top_k: int = 10, exclude_seen: bool | None = None
    ) -> pd.DataFrame:
        """The ``top_k`` items for each user: columns ``user``, ``rank``, ``item``, ``score``.

        Known users are scored by the chosen model; users never seen in training (cold start)
        get the most popular items, scored by the share of users who chose them (recency-
        weighted when the model has a trending prior). Items the
        user already interacted with are left out, unless the model was fitted with
        ``repeats=True``; ``exclude_seen`` (True or False) overrides that setting.

        Examples
        --------
        >>> model = rightfit.load("retail-recs")  # doctest: +SKIP
        >>> model.recommend_frame(pd.DataFrame({"CustomerID": [12662]}), top_k=3)  # doctest: +SKIP
        """
        if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
            raise ConfigError(f"top_k must be a whole number of items, 1 or more; got {top_k!r}.")
        top_k = int(min(top_k, len(self._items)))
        ids = self._user_ids(users)
        rows = self._users.get_indexer(ids)
        known = rows >= 0
        if exclude_seen is None:
            exclude_seen = not self.repeats
        columns, scores = top_items(self.scorer, rows[known], top_k, bool(exclude_seen))
        popular = popular_items(self.scorer.popularity, top_k)
        popular_scores = np.asarray(self.scorer.popularity, dtype=float)[popular]
        out_user, out_rank, out_item, out_score = [], [], [], []
        known_rows = iter(zip(columns, scores, strict=True))
        for user, is_known in zip(ids, known, strict=True):
            if is_known:
                cols, vals = next(known_rows)
                keep = cols >= 0
                cols, vals = cols[keep], vals[keep]
            else:
                cols, vals = popular, popular_scores
            out_user += [user] * len(cols)
            out_rank += list(range(1, len(cols) + 1))
            out_item += self._items[cols].tolist()
            out_score += np.round(vals.astype(float), 6).tolist()
        return pd.DataFrame(
            {"user": out_user, "rank": out_rank, "item": out_item, "score": out_score},
            columns=list(OUTPUT_COLUMNS),
        ).astype({"user": object, "item": object, "rank": "int64", "score": "float64"})

    def predict_frame(self, users: pd.DataFrame) -> pd.DataFrame:
        """:meth:`recommend_frame` with ``top_k=10`` and the bundle's repeats setting."""
        return self.recommend_frame(users, top_k=10)

    def is_known(self, users) -> np.ndarray:
        """True for users seen in training (False: cold start, served popular items)."""
        return self._users.get_indexer(self._user_ids(users)) >= 0

    def save(self, path: str | os.PathLike, extra_files: Mapping[str, bytes] | None = None) -> Path:
        """Write the bundle directory atomically (``extra_files``: e.g. ``report.html``)."""
        return save_bundle(path, self.scorer, self.record, extra_files=extra_files)

    def __repr__(self) -> str:
        chosen = self.record.get("chosen", {})
        return (
            f"<rightfit.Recommender {chosen.get('family')} "
            f"{len(self._users):,} users x {len(self._items):,} items>"
        )


def load_recommender(path: str | os.PathLike) -> Recommender:
    """Load a recommendation bundle written by ``rightfit recommend`` (safely, no pickle).

    Examples
    --------
    >>> model = load_recommender("retail-recs")  # doctest: +SKIP
    """
    scorer, record = load_bundle(path)
    if record.get("kind") != "recommendation" or not isinstance(scorer, InteractionScorer):
        raise BundleError(
            f"{str(path)!r} is not a recommendation bundle (kind {record.get('kind')!r}). "
            "Load it with rightfit.load, or re-run `rightfit recommend`."
        )
    return Recommender(scorer, record)
