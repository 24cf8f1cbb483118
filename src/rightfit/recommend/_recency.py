"""Recency: what is popular *now* (trending), and a user's recent items counting more.

Retail catalogues change with the seasons and items come and go, while the held-out events
(and the requests a served model answers) are each user's latest. Two standard devices:

* trending popularity: the share of users who chose an item, each user counted with the
  weight ``0.5 ** (age / half-life)`` of their latest event with that item, where the age is
  measured from the latest event of the training log (the moment the model is fitted). An
  infinite half-life gives plain popularity back; a short one favours this season's items.
  It is the ``trending`` family, the popularity prior of item-kNN and EASE when they are
  given a ``popularity_half_life_days``, and then also what their cold-start users are served.
* recency-weighted history: each (user, item) weight of a user's history multiplied by
  ``0.5 ** (age / half-life)`` of that user's latest event with the item, the age taken from
  the user's own latest event; the similarity models then lean on what the user bought
  recently (item-kNN's ``history_half_life_days``).

Both half-lives are tuned on the validation split of the training rows like any parameter.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rightfit.recommend._repeat import EventLog

# A decayed weight never reaches 0: the history matrix also says which items a user has seen.
MIN_WEIGHT = 1e-12


def _latest_per_pair(events: EventLog, ages: np.ndarray) -> np.ndarray:
    """Indices of the events that are the latest (smallest age) of their (user, item) pair."""
    key = events.rows.astype(np.int64) * events.shape[1] + events.cols
    order = np.lexsort((ages, key))
    ordered = key[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return order[first]


def _decay(ages: np.ndarray, half_life_days: float) -> np.ndarray:
    return np.maximum(np.power(0.5, ages / max(float(half_life_days), 1e-9)), MIN_WEIGHT)


def trending_popularity(events: EventLog, half_life_days: float) -> np.ndarray:
    """(n_items,) recency-weighted share of users who chose each item (module docstring).

    Examples
    --------
    >>> log = EventLog(np.array([0, 1, 1]), np.array([0, 0, 1]), np.zeros(3), (2, 2),
    ...                np.array([30.0, 60.0, 0.0]))
    >>> trending_popularity(log, 30.0).tolist()  # item 0: 0.5 + 0.25 over 2 users
    [0.375, 0.5]
    """
    if events.age_days is None:
        raise ValueError("trending popularity needs the event ages (age_days) of the log")
    latest = _latest_per_pair(events, events.age_days)
    weights = _decay(events.age_days[latest], half_life_days)
    counts = np.bincount(events.cols[latest], weights, minlength=events.shape[1])
    return counts / max(1, events.shape[0])


def recent_history(
    history: sp.csr_matrix, events: EventLog, half_life_days: float
) -> sp.csr_matrix:
    """``history`` with each entry multiplied by the decay of the user's latest event with it.

    Examples
    --------
    >>> log = EventLog(np.array([0, 0]), np.array([0, 1]), np.array([10.0, 0.0]), (1, 2))
    >>> history = sp.csr_matrix(np.array([[2.0, 1.0]]))
    >>> recent_history(history, log, 10.0).toarray().tolist()
    [[1.0, 1.0]]
    """
    if events.shape != history.shape:
        raise ValueError("the event log does not match the history matrix")
    latest = _latest_per_pair(events, events.days)  # in (row, column) order
    keys = events.rows[latest].astype(np.int64) * history.shape[1] + events.cols[latest]
    out = history.tocsr(copy=True).astype(float)
    out.sort_indices()
    rows = np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))
    wanted = rows.astype(np.int64) * out.shape[1] + out.indices
    if len(wanted) == 0:
        return out
    where = np.minimum(np.searchsorted(keys, wanted), max(0, len(keys) - 1))
    if not np.array_equal(keys[where], wanted):
        raise ValueError("the event log does not cover every entry of the history matrix")
    out.data = out.data * _decay(events.days[latest][where], half_life_days)
    return out
