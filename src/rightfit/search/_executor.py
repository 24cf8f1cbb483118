"""Where trials run. The search only needs ``submit(fn, *args) -> Future`` and ``max_workers``,
the ``concurrent.futures.Executor`` interface, so a process pool or a distributed engine's executor
(e.g. ``dask.distributed.Client.get_executor()``) plugs in without touching the search logic.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Protocol


class TrialExecutor(Protocol):
    max_workers: int

    def submit(self, fn, /, *args, **kwargs) -> Future: ...


class LocalExecutor(Executor):
    """Runs each trial in this process, one at a time; models use the cores themselves."""

    max_workers = 1

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            future.set_exception(exc)
        return future
