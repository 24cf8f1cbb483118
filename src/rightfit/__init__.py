"""rightfit: machine learning the way a careful senior data scientist does it, and shows its work.

    >>> import rightfit
    >>> model = rightfit.fit("churn.csv", target="Churn", time_budget=60)   # doctest: +SKIP
    >>> model.predict(df); model.leaderboard(); model.save("churn-model/")  # doctest: +SKIP

Everything heavy is imported on first use, so ``import rightfit`` and ``rightfit --help`` are fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "fit": "rightfit.api",
    "load": "rightfit.api",
    "Model": "rightfit.api",
    "AutoClassifier": "rightfit.estimators",
    "AutoRegressor": "rightfit.estimators",
    "Budget": "rightfit.budget",
    "RightfitError": "rightfit.errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rightfit' has no attribute {name!r}")
