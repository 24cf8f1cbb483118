"""Trial: one configuration of one family, scored by cross-validation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

TrialStatus = Literal["ok", "failed", "timed_out", "skipped"]


@dataclass(frozen=True)
class Trial:
    """The record of one cross-validated configuration.

    ``score`` is in the metric's own orientation (e.g. ROC AUC: higher is better, RMSE: lower);
    ``loss`` is oriented so that lower is always better, which is what the search minimises.
    """

    number: int
    family: str
    params: dict[str, Any]
    status: TrialStatus
    score: float = math.nan
    score_std: float = math.nan
    loss: float = math.inf
    fold_scores: tuple[float, ...] = ()
    fit_seconds: float = 0.0
    source: str = "search"  # "portfolio" or "search" (sampled by Optuna)
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok" and math.isfinite(self.loss)

    def to_dict(self) -> dict:
        def clean(v):
            return None if isinstance(v, float) and not math.isfinite(v) else v

        return {
            "number": self.number,
            "family": self.family,
            "params": {k: _jsonable(v) for k, v in self.params.items()},
            "status": self.status,
            "cv_score": clean(self.score),
            "cv_std": clean(self.score_std),
            "fold_scores": [clean(s) for s in self.fold_scores],
            "fit_seconds": round(self.fit_seconds, 3),
            "source": self.source,
            "error": self.error,
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Trial:
        nan = math.nan
        score = d.get("cv_score")
        return cls(
            number=d["number"],
            family=d["family"],
            params=dict(d.get("params", {})),
            status=d["status"],
            score=nan if score is None else score,
            score_std=nan if d.get("cv_std") is None else d["cv_std"],
            loss=d.get("loss", math.inf),
            fold_scores=tuple(nan if s is None else s for s in d.get("fold_scores", ())),
            fit_seconds=d.get("fit_seconds", 0.0),
            source=d.get("source", "search"),
            error=d.get("error", ""),
            extra=d.get("extra", {}),
        )


def _jsonable(v):
    if hasattr(v, "item"):
        return v.item()
    return v
