"""Synthetic interaction logs with planted taste groups, so a real recommender must beat
popularity: users of group g mostly pick items of group g, popularity alone cannot know g."""

from __future__ import annotations

import numpy as np
import pandas as pd


def planted_interactions(
    n_users: int = 240, n_items: int = 150, n_groups: int = 5, per_user: int = 12, seed: int = 0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    item_group = np.arange(n_items) % n_groups
    appeal = np.minimum(rng.zipf(1.6, n_items).astype(float), 30.0)
    rows = []
    for u in range(n_users):
        weights = np.where(item_group == u % n_groups, appeal * 12.0, appeal)
        items = rng.choice(n_items, per_user, replace=False, p=weights / weights.sum())
        days = np.sort(rng.choice(365, per_user, replace=False))
        for i, day in zip(items, days, strict=True):
            rows.append(
                (
                    u,
                    f"sku{i}",
                    int(rng.integers(1, 5)),
                    pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(day)),
                )
            )
    frame = pd.DataFrame(rows, columns=["customer", "product", "quantity", "date"])
    # two newcomers with a single basket: cold-start users in the evaluation
    extra = pd.DataFrame(
        {
            "customer": [9001, 9002],
            "product": ["sku0", "sku1"],
            "quantity": [1, 2],
            "date": pd.Timestamp("2024-12-30"),
        }
    )
    return pd.concat([frame, extra], ignore_index=True)
