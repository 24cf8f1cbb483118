"""A realistic synthetic purchase log (not one of the shared datasets): latent tastes,
long-tailed item popularity, long-tailed user activity, baskets over time and re-purchases.

Each user has a taste vector; each basket draws items with probability proportional to
popularity x exp(taste · item / temperature), and re-buys an earlier item with some chance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_purchases(
    n_users: int = 1500,
    n_items: int = 800,
    dim: int = 8,
    temperature: float = 0.25,
    repeat_chance: float = 0.3,
    seed: int = 0,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tastes = rng.normal(size=(n_users, dim)) / np.sqrt(dim)
    traits = rng.normal(size=(n_items, dim)) / np.sqrt(dim)
    appeal = rng.lognormal(0.0, 1.2, n_items)  # a few best-sellers, a long tail
    baskets = np.clip(rng.lognormal(1.3, 0.8, n_users).astype(int), 1, 40)
    start = pd.Timestamp("2023-01-01")
    rows = []
    for u in range(n_users):
        weights = appeal * np.exp(traits @ tastes[u] * (1 / temperature))
        weights /= weights.sum()
        days = np.sort(rng.choice(720, baskets[u], replace=baskets[u] > 720))
        bought: list[int] = []
        for day in days:
            size = 1 + rng.poisson(3)
            picks = rng.choice(n_items, size, replace=False, p=weights)
            if bought:
                again = rng.random(size) < repeat_chance
                picks = np.where(again, rng.choice(bought, size), picks)
            for item in set(picks.tolist()):
                rows.append(
                    (
                        f"u{u}",
                        f"i{item}",
                        int(rng.integers(1, 13)),
                        start + pd.Timedelta(days=int(day)),
                    )
                )
            bought += picks.tolist()
    return pd.DataFrame(rows, columns=["customer", "product", "quantity", "date"])
