"""What the user sees while rightfit works: stage lines, a live trial display, notices.

Three reporters share one small interface: ``RichProgress`` for a terminal (a live line with trials
done, best score and time left), ``PlainProgress`` for logs and pipes (plain lines, a trial line at
most every few seconds), ``SilentProgress`` for ``--quiet``/``verbose=0``. Everything goes to
stderr, so stdout stays clean for ``--json`` and piping.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class Progress(Protocol):
    def stage(self, name: str, detail: str = "") -> None: ...
    def note(self, message: str) -> None: ...
    def start_search(self, seconds: float, metric: str) -> None: ...
    def trial(self, trial: Any, best: Any, remaining: float) -> None: ...
    def end_search(self, summary: str) -> None: ...


def _fmt(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.4f}" if abs(value) < 1000 else f"{value:,.1f}"


class SilentProgress:
    def stage(self, name: str, detail: str = "") -> None:
        logger.debug("%s %s", name, detail)

    def note(self, message: str) -> None:
        logger.debug("%s", message)

    def start_search(self, seconds: float, metric: str) -> None:
        pass

    def trial(self, trial: Any, best: Any, remaining: float) -> None:
        pass

    def end_search(self, summary: str) -> None:
        pass


class PlainProgress:
    """Plain lines; ``verbose=2`` prints every trial, ``1`` at most one trial line per 5 s."""

    def __init__(self, stream=None, verbose: int = 1):
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self._last = 0.0
        self._done = 0
        self._metric = ""

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def stage(self, name: str, detail: str = "") -> None:
        self._print(f"[{name}] {detail}".rstrip())

    def note(self, message: str) -> None:
        self._print(f"  - {message}")

    def start_search(self, seconds: float, metric: str) -> None:
        self._metric = metric
        self._done = 0
        self._print(f"[search] {seconds:.0f} s for cross-validated trials, metric {metric}")

    def trial(self, trial: Any, best: Any, remaining: float) -> None:
        self._done += 1
        now = time.monotonic()
        if self.verbose >= 2 or now - self._last >= 5.0:
            self._last = now
            best_text = f"best {best.family} {_fmt(best.score)}" if best else "no result yet"
            self._print(
                f"  trials {self._done:3d} | last {trial.family} {trial.status} "
                f"{_fmt(trial.score)} | {best_text} | {remaining:.0f} s left"
            )

    def end_search(self, summary: str) -> None:
        self._print(f"[search] {summary}")


class RichProgress(PlainProgress):
    """A live status line in a terminal, with plain lines for stages and notices."""

    def __init__(self, verbose: int = 1):
        from rich.console import Console

        self.console = Console(stderr=True)
        super().__init__(stream=self.console.file, verbose=verbose)
        self._status = None

    def _print(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False)

    def start_search(self, seconds: float, metric: str) -> None:
        super().start_search(seconds, metric)
        self._status = self.console.status("searching...", spinner="dots")
        self._status.start()

    def trial(self, trial: Any, best: Any, remaining: float) -> None:
        self._done += 1
        best_text = f"best {best.family} {self._metric} {_fmt(best.score)}" if best else "no result"
        if self._status is not None:
            self._status.update(
                f"trials {self._done} | {best_text} | last {trial.family} "
                f"{_fmt(trial.score)} | {remaining:.0f} s left"
            )
        if self.verbose >= 2:
            self._print(f"  {trial.family} {trial.status} {_fmt(trial.score)} {trial.params}")

    def end_search(self, summary: str) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        super().end_search(summary)


def make_progress(verbose: int = 1, stream=None) -> Progress:
    """The right reporter for ``verbose`` (0 quiet, 1 normal, 2 every trial) and the terminal."""
    if verbose <= 0:
        return SilentProgress()
    target = stream or sys.stderr
    if stream is None and target.isatty():
        return RichProgress(verbose=verbose)
    return PlainProgress(stream=target, verbose=verbose)
