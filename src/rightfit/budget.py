"""The one representation of time in rightfit: a wall-clock deadline.

Every stage receives a :class:`Budget` (or a child of one) and asks ``remaining()`` before it
starts work it may not finish. "No limit" is :meth:`Budget.unlimited`, never ``None`` or ``-1``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from rightfit.errors import BudgetError


@dataclass(frozen=True)
class Budget:
    """A wall-clock deadline measured with ``time.monotonic``.

    Parameters
    ----------
    seconds : float
        Length of the budget; ``math.inf`` for no limit.

    Examples
    --------
    >>> b = Budget(60)
    >>> 59 < b.remaining() <= 60
    True
    >>> Budget.unlimited().expired()
    False
    """

    seconds: float
    start: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        try:
            seconds = float(self.seconds)
        except (TypeError, ValueError):
            raise BudgetError(
                f"The time budget must be a number of seconds, got {self.seconds!r}. "
                "Pass e.g. --time-budget 60."
            ) from None
        if math.isnan(seconds) or seconds <= 0:
            raise BudgetError(
                f"The time budget must be more than 0 seconds, got {self.seconds!r}. "
                "Pass e.g. --time-budget 60 (seconds)."
            )
        object.__setattr__(self, "seconds", seconds)

    @classmethod
    def unlimited(cls) -> Budget:
        """A budget that never runs out."""
        return cls(math.inf)

    @property
    def deadline(self) -> float:
        return self.start + self.seconds

    @property
    def is_unlimited(self) -> bool:
        return math.isinf(self.seconds)

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self) -> float:
        """Seconds left, never below 0 (``inf`` when unlimited)."""
        return max(0.0, self.deadline - time.monotonic())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def child(self, fraction: float = 1.0, seconds: float | None = None) -> Budget:
        """A budget that starts now and ends no later than this one.

        It lasts ``fraction`` of the time remaining, or ``seconds`` if given, whichever is less.
        """
        left = self.remaining()
        want = left * fraction if seconds is None else min(left, seconds)
        if self.is_unlimited and seconds is None:
            return Budget.unlimited()
        return Budget(max(want, 1e-3))
