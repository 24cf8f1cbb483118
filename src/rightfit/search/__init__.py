"""Time-budgeted, cross-validated tuning of the plan's candidate families."""

from rightfit.search._cv import CVResult, cross_validate
from rightfit.search._executor import LocalExecutor, TrialExecutor
from rightfit.search._leaderboard import Leaderboard
from rightfit.search._trial import Trial
from rightfit.search._tune import SearchResult, tune

__all__ = [
    "CVResult",
    "Leaderboard",
    "LocalExecutor",
    "SearchResult",
    "Trial",
    "TrialExecutor",
    "cross_validate",
    "tune",
]
