"""The delivered state of a recommender: plain arrays that score every item for a user.

Every family reduces to one of three forms, so the bundle holds numbers only (safe to load,
no TensorFlow or implicit needed at predict time): popularity counts, an item-item similarity
matrix applied to the user's history, or user and item vectors (matrix factorisation; the
two-tower model's tower outputs, computed once for every known user and item).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from rightfit.errors import NotFittedError

FORMS = ("popularity", "similarity", "factors")


class InteractionScorer(BaseEstimator):
    """Scores of every catalogue item for known users; see the module docstring.

    Parameters
    ----------
    form : "popularity", "similarity" or "factors".
    popularity : (n_items,) share of users who interacted with each item.
    history : (n_users, n_items) CSR weights of the training interactions.
    similarity : (n_items, n_items) CSR item-item similarity, for ``form="similarity"``.
    user_factors, item_factors, item_bias : for ``form="factors"``.
    user_ids, item_ids : (n_users,) and (n_items,) ids as text, in history row/column order;
        set on the delivered scorer only.
    popularity_weight : float
        Above 0, each user's scores are divided by their largest absolute score and this much
        of the popularity share (scaled to a maximum of 1) is added: a prior that helps when
        the personal signal is thin.
    own : (n_users, n_items) CSR, optional
        The repeat-aware family's "buy again" signal: each user's own past interactions,
        counted with a recency decay. Scaled per user to a maximum of 1 and added with weight
        ``own_weight`` to the (per-user scaled) model scores.
    own_weight : float
        Weight of ``own``.
    """

    def __init__(
        self,
        form: str = "popularity",
        popularity=None,
        history=None,
        similarity=None,
        user_factors=None,
        item_factors=None,
        item_bias=None,
        user_ids=None,
        item_ids=None,
        popularity_weight=0.0,
        own=None,
        own_weight=0.0,
    ):
        self.form = form
        self.popularity = popularity
        self.history = history
        self.similarity = similarity
        self.user_factors = user_factors
        self.item_factors = item_factors
        self.item_bias = item_bias
        self.user_ids = user_ids
        self.item_ids = item_ids
        self.popularity_weight = popularity_weight
        self.own = own
        self.own_weight = own_weight

    def scores(self, user_rows: np.ndarray) -> np.ndarray:
        """(len(user_rows), n_items) scores for users given by their row in ``history``."""
        if self.popularity is None or self.history is None:
            raise NotFittedError("This InteractionScorer has no fitted state.")
        user_rows = np.asarray(user_rows, dtype=int)
        popularity = np.asarray(self.popularity, dtype=float)
        # bundles written before the repeat-aware family have no ``own`` attribute
        own = getattr(self, "own", None)
        if self.form == "popularity":
            out = np.tile(popularity, (len(user_rows), 1))
            return out if own is None else self._add_own(out, own, user_rows)
        if self.form == "similarity":
            out = self.history[user_rows] @ self.similarity
            out = np.asarray(out.toarray() if sp.issparse(out) else out, dtype=float)
        else:
            out = np.asarray(self.user_factors)[user_rows] @ np.asarray(self.item_factors).T
            if self.item_bias is not None:
                out = out + np.asarray(self.item_bias)[None, :]
            out = np.asarray(out, dtype=float)
        if self.popularity_weight > 0:
            scale = np.maximum(np.abs(out).max(axis=1, keepdims=True), 1e-12)
            out = out / scale + self.popularity_weight * popularity / max(popularity.max(), 1e-12)
        return out if own is None else self._add_own(out, own, user_rows)

    def _add_own(self, out: np.ndarray, own, user_rows: np.ndarray) -> np.ndarray:
        """Model scores scaled to a maximum of 1 per user, plus the weighted own history.

        Both parts are scaled per user, so a user's ranking does not depend on when it is
        asked for (a recency decay shifts all of a user's weights by the same factor).
        """
        out = out / np.maximum(np.abs(out).max(axis=1, keepdims=True), 1e-12)
        mine = np.asarray(own[user_rows].toarray(), dtype=float)
        mine /= np.maximum(mine.max(axis=1, keepdims=True), 1e-12)
        return out + float(self.own_weight) * mine

    def seen(self, user_rows: np.ndarray) -> sp.csr_matrix:
        return self.history[np.asarray(user_rows, dtype=int)]
