"""How sure is a lift over popularity? A paired bootstrap over the evaluated users.

The held-out users are a sample: with a few hundred of them, a +4 % NDCG lift can be luck.
Every candidate is scored on the same users as the popularity baseline, so the per-user
differences are resampled with replacement (the pairing removes the spread that users share,
which makes the interval much tighter than two separate ones); the 2.5 and 97.5 percentiles of
the resampled mean differences give the 95 % interval, and ``p_better`` is the share of
resamples in which the candidate comes out ahead. These figures are reported, never used to
choose: the choice is made on validation data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

RESAMPLES = 1000
CONFIDENCE = 0.95
METRICS = {"ndcg_at_10": "ndcg", "recall_at_10": "recall"}
# resampled user indices held at once (int64): 4 million cells, 32 MB, whatever the user count
_BLOCK_CELLS = 4_000_000
# Resamples x users drawn at most (about 0.4 s): above 20k users fewer resamples (never under
# MIN_RESAMPLES) keep the interval's cost bounded; with that many users it is narrow anyway.
_MAX_DRAWS = 20_000_000
MIN_RESAMPLES = 200


def paired_bootstrap(
    candidate: dict[str, np.ndarray],
    baseline: dict[str, np.ndarray],
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Per metric: mean difference ``candidate - baseline`` over users, 95 % interval, p_better.

    ``candidate`` and ``baseline`` map a metric name to one value per user, all in the same
    user order. Every metric is resampled with the same users, and the same seed draws the same
    users for every candidate (common random numbers), so candidates compare on equal terms.

    Examples
    --------
    >>> out = paired_bootstrap({"m": np.array([0.5, 0.4, 0.6, 0.5])},
    ...                        {"m": np.array([0.1, 0.2, 0.1, 0.2])})["m"]
    >>> out["difference"], out["ci95"][0] > 0, out["p_better"]
    (0.35, True, 1.0)
    """
    names = list(candidate)
    diffs = [
        np.asarray(candidate[m], dtype=float) - np.asarray(baseline[m], dtype=float) for m in names
    ]
    n = len(diffs[0]) if diffs else 0
    if n == 0:
        raise ValueError("a paired bootstrap needs at least one user and one metric")
    resamples = min(resamples, max(MIN_RESAMPLES, _MAX_DRAWS // n))
    rng = np.random.default_rng(seed)
    means = np.empty((len(names), resamples))
    block = max(1, _BLOCK_CELLS // n)
    index_type = np.int32 if n < 2**31 else np.int64
    for start in range(0, resamples, block):
        stop = min(resamples, start + block)
        users = rng.integers(0, n, size=(stop - start, n), dtype=index_type)
        for row, diff in enumerate(diffs):
            means[row, start:stop] = np.take(diff, users).mean(axis=1)
    tail = (1 - CONFIDENCE) / 2
    out = {}
    for name, diff, resampled in zip(names, diffs, means, strict=True):
        low, high = np.quantile(resampled, [tail, 1 - tail])
        out[name] = {
            "difference": round(float(diff.mean()), 5),
            "ci95": [round(float(low), 5), round(float(high), 5)],
            "p_better": round(float((resampled > 0).mean()), 4),
        }
    return out


def _signed(values: list[float]) -> list[str]:
    """Signed, with 3 decimals unless that would show a non-zero value as 0 (then up to 5)."""
    for digits in (3, 4, 5):
        if all(round(v, digits) != 0 or v == 0 for v in values):
            break
    return [f"{v:+.{digits}f}" for v in values]


def verdict(ci: dict[str, Any], n_users: int, who: str = "users") -> str:
    """Plain words on NDCG@10 (the selection metric): beats, worse than, or not distinguishable.

    Examples
    --------
    >>> ci = {"ndcg_at_10": {"difference": 0.031, "ci95": [0.012, 0.05], "p_better": 1.0}}
    >>> verdict(ci, 1204)
    'beats popularity: NDCG@10 +0.031 [+0.012, +0.050] over 1,204 users'
    """
    ndcg = ci["ndcg_at_10"]
    low, high = ndcg["ci95"]
    d, lo, hi = _signed([ndcg["difference"], low, high])
    figures = f"NDCG@10 {d} [{lo}, {hi}] over {n_users:,} {who}"
    if low > 0:
        return f"beats popularity: {figures}"
    if high < 0:
        return f"worse than popularity: {figures}"
    return f"not distinguishable from popularity: {figures} (interval includes 0)"


def lift_evidence(family: dict[str, Any], base: dict[str, Any], seed: int = 0) -> dict[str, Any]:
    """``lift_ci`` and ``verdict`` over all evaluated users, and ``lift_ci_known_users`` and
    ``verdict_known_users`` over the users with a training history when there are any.

    ``family`` and ``base`` are the ``per_user_at_10`` blocks of
    :func:`rightfit.recommend._evaluate.evaluate_scorer`. Cold-start users get the same popular
    items from every candidate (a difference of exactly 0), so the known users are where a
    candidate can show what it does; both views are kept.
    """
    if list(family["users"]) != list(base["users"]):
        raise ValueError("paired comparison needs the same users in the same order")
    known = np.asarray(base["known"], dtype=bool)
    groups = {"": np.ones(len(known), dtype=bool)}
    if known.any():
        groups["_known_users"] = known
    out: dict[str, Any] = {}
    for suffix, members in groups.items():
        n = int(members.sum())
        if n == 0:
            continue
        ci = paired_bootstrap(
            {key: family[name][members] for key, name in METRICS.items()},
            {key: base[name][members] for key, name in METRICS.items()},
            seed=seed,
        )
        out[f"lift_ci{suffix}"] = ci
        out[f"verdict{suffix}"] = verdict(ci, n, "users with a history" if suffix else "users")
    return out


def method(seed: int) -> dict[str, Any]:
    """How ``lift_ci`` was computed, for the record."""
    return {
        "method": "paired bootstrap over the evaluated users: the same users resampled with "
        "replacement for the candidate and popularity; interval = 2.5 and 97.5 percentiles "
        "of the mean difference; p_better = share of resamples where the candidate is ahead",
        "resamples": RESAMPLES,
        "resamples_note": f"fewer above {_MAX_DRAWS // RESAMPLES:,} users: resamples x users "
        f"<= {_MAX_DRAWS:,}, never under {MIN_RESAMPLES}",
        "confidence": CONFIDENCE,
        "seed": seed,
        "used_for_choice": False,
    }
