"""Choose which model families to try, and say why in plain words."""

from rightfit.advise._plan import Candidate, DataFacts, Plan, choose_candidates

__all__ = ["Candidate", "DataFacts", "Plan", "choose_candidates"]
