"""Recommendation from user-item interactions: time-aware evaluation against popularity."""

from rightfit.recommend._families import FAMILIES
from rightfit.recommend._fit import fit_recommender
from rightfit.recommend._metrics import ranking_metrics
from rightfit.recommend._model import Recommender, load_recommender
from rightfit.recommend._scorer import InteractionScorer
from rightfit.recommend._split import time_split

__all__ = [
    "FAMILIES",
    "InteractionScorer",
    "Recommender",
    "fit_recommender",
    "load_recommender",
    "ranking_metrics",
    "time_split",
]
