"""A synthetic purchase log with a changing catalogue: items are launched, peak and fade, so
what sells now differs from what sold most over the whole log (a planted trending signal that
all-time popularity cannot see)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def seasonal_purchases(
    n_users: int = 400, n_items: int = 300, dim: int = 8, seed: int = 0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tastes = rng.normal(size=(n_users, dim)) / np.sqrt(dim)
    traits = rng.normal(size=(n_items, dim)) / np.sqrt(dim)
    appeal = rng.lognormal(0.0, 1.0, n_items)
    launch = rng.uniform(-200, 720, n_items)
    life = rng.lognormal(np.log(120), 0.6, n_items)
    baskets = np.clip(rng.lognormal(1.3, 0.8, n_users).astype(int), 1, 40)
    start = pd.Timestamp("2023-01-01")
    rows = []
    for u in range(n_users):
        affinity = appeal * np.exp(traits @ tastes[u] / 0.3)
        days = np.sort(rng.uniform(rng.uniform(0, 600), 720, baskets[u]))
        for day in days:
            alive = np.exp(-0.5 * ((day - launch - life / 2) / (life / 2)) ** 2) + 0.02
            weights = affinity * alive / (affinity * alive).sum()
            picks = rng.choice(n_items, 1 + rng.poisson(3), replace=False, p=weights)
            for item in set(picks.tolist()):
                when = start + pd.Timedelta(days=float(day))
                rows.append((f"u{u}", f"i{item}", int(rng.integers(1, 13)), when))
    return pd.DataFrame(rows, columns=["customer", "product", "quantity", "date"])
