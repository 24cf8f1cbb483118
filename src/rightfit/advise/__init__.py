"""Choose which model families to try, and say why in plain words."""

from rightfit.advise._plan import (
    Candidate,
    DataFacts,
    Plan,
    choose_candidates,
    excluded_map,
    first_round_seconds,
    tied_row_share,
)

__all__ = [
    "Candidate",
    "DataFacts",
    "Plan",
    "choose_candidates",
    "excluded_map",
    "first_round_seconds",
    "tied_row_share",
]
