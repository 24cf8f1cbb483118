"""Greedy ensemble selection over out-of-fold predictions, and the fitted ensemble model."""

from rightfit.ensemble._model import WeightedEnsemble
from rightfit.ensemble._select import EnsembleChoice, select_ensemble

__all__ = ["EnsembleChoice", "WeightedEnsemble", "select_ensemble"]
