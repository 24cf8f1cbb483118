"""Leaderboard: trials ranked by cross-validated score."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from rightfit.search._trial import Trial


@dataclass(frozen=True)
class Leaderboard:
    metric: str
    greater_is_better: bool
    trials: tuple[Trial, ...]

    def ranked(self) -> list[Trial]:
        """Successful trials best first, then the failed/timed-out ones in order."""
        ok = sorted((t for t in self.trials if t.ok), key=lambda t: (t.loss, t.number))
        rest = [t for t in self.trials if not t.ok]
        return ok + rest

    def best(self) -> Trial | None:
        ranked = self.ranked()
        return ranked[0] if ranked and ranked[0].ok else None

    def best_per_family(self) -> list[Trial]:
        seen: dict[str, Trial] = {}
        for t in self.ranked():
            if t.ok and t.family not in seen:
                seen[t.family] = t
        return list(seen.values())

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for rank, t in enumerate(self.ranked(), start=1):
            rows.append(
                {
                    "rank": rank if t.ok else None,
                    "family": t.family,
                    f"cv_{self.metric}": t.score if t.ok else math.nan,
                    "cv_std": t.score_std if t.ok else math.nan,
                    "fit_seconds": round(t.fit_seconds, 2),
                    "status": t.status,
                    "trial": t.number,
                    "params": t.params,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        return {
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "entries": [t.to_dict() for t in self.ranked()],
        }

    @classmethod
    def from_dict(cls, d: dict) -> Leaderboard:
        sign = -1.0 if d["greater_is_better"] else 1.0
        trials = []
        for e in d["entries"]:
            t = Trial.from_dict(e)
            if t.status == "ok" and e.get("cv_score") is not None:
                t = Trial(**{**t.__dict__, "loss": sign * e["cv_score"]})
            trials.append(t)
        return cls(d["metric"], d["greater_is_better"], tuple(trials))
