"""The exceptions rightfit raises for problems a user can fix.

Every message says what is wrong, shows the value received and names the fix. The CLI prints
``str(error)`` without a traceback and exits with code 2. This module imports nothing from rightfit.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class RightfitError(Exception):
    """Base class of every error rightfit raises on purpose."""


class DataError(RightfitError, ValueError):
    """The input data cannot be used as given (empty, unreadable, malformed)."""


class TargetError(DataError):
    """The target column is missing or unusable (one class, all missing...)."""


class SchemaMismatchError(DataError):
    """Data given at predict time does not match the training schema."""


class ConfigError(RightfitError, ValueError):
    """An option has an invalid value (unknown metric, model family, task...)."""


class BudgetError(ConfigError):
    """The time budget is invalid or too small for anything useful."""


class BundleError(RightfitError):
    """A model bundle cannot be read: missing, tampered, foreign or unsafe."""


class NotFittedError(RightfitError, AttributeError):
    """An estimator was used before ``fit``."""


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest option, or ``""`` when none is close.

    Examples
    --------
    >>> did_you_mean("roc_aux", ["roc_auc", "log_loss"])
    " Did you mean 'roc_auc'?"
    """
    options = [str(o) for o in options]
    lowered = {o.lower(): o for o in options}
    close = difflib.get_close_matches(str(value).lower(), list(lowered), n=1, cutoff=0.6)
    return f" Did you mean {lowered[close[0]]!r}?" if close else ""
