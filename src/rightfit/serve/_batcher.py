"""Score concurrent requests together: one model call for all the rows waiting.

A scikit-learn pipeline spends most of a one-row call on fixed per-call work (column selection,
validation, DataFrame building), so 32 clients sending one row each are served far faster by one
call on 32 rows than by 32 calls. Requests queue here; a single thread takes everything waiting
(up to ``max_rows``), predicts once, and hands each request its slice. The event loop stays free
for health checks, 503s and parsing while the thread predicts. Predictions are row-wise, so a
request's answer does not depend on what it was batched with.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)


@dataclass
class _Job:
    columns: dict[str, np.ndarray]
    n_rows: int
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop


def _settle(future: asyncio.Future, result: object, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Batcher:
    """A queue of prediction jobs served by one background thread.

    Parameters
    ----------
    predict : callable
        ``DataFrame -> DataFrame`` with one output row per input row, in order, when
        ``max_rows > 0`` (requests are merged); any output when ``max_rows == 0``.
    max_rows : int
        Most rows put into one model call (a single larger request is still scored whole).
    """

    def __init__(self, predict: Callable[[pd.DataFrame], pd.DataFrame], max_rows: int = 2048):
        self.predict = predict
        self.max_rows = max_rows
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self, name: str) -> None:
        """Start the worker thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=f"predict-{name}", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the queued jobs, then end the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    async def submit(self, columns: dict[str, np.ndarray], n_rows: int) -> dict[str, np.ndarray]:
        """The output columns (name -> array of ``n_rows`` values) for rows given as checked
        columns; raises what ``predict`` raised."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Job(columns, n_rows, future, loop))
        return await future

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs, rows, stop = [job], job.n_rows, False
            while rows < self.max_rows:
                try:
                    following = self._queue.get_nowait()
                except queue.Empty:
                    break
                if following is None:
                    stop = True
                    break
                jobs.append(following)
                rows += following.n_rows
            self._run(jobs)
            if stop:
                return

    def _run(self, jobs: list[_Job]) -> None:
        try:
            frame = self._call(_merge([job.columns for job in jobs]))
        except Exception as error:
            if len(jobs) == 1:
                self._deliver(jobs[0], None, error)
                return
            # One bad request must not fail the others: score each alone to find it.
            for job in jobs:
                self._run([job])
            return
        # Plain arrays, sliced per request: pandas indexing per request costs more than the
        # model call itself on one-row requests.
        columns = {str(name): output_array(frame[name]) for name in frame.columns}
        if len(jobs) == 1:  # whole, also for models whose rows out differ from rows in
            self._deliver(jobs[0], columns, None)
            return
        start = 0
        for job in jobs:
            part = {name: values[start : start + job.n_rows] for name, values in columns.items()}
            start += job.n_rows
            self._deliver(job, part, None)

    def _call(self, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        return self.predict(pd.DataFrame(columns, copy=False))

    @staticmethod
    def _deliver(job: _Job, result: object, error: BaseException | None) -> None:
        try:
            job.loop.call_soon_threadsafe(_settle, job.future, result, error)
        except RuntimeError:  # the loop closed: the client is gone
            logger.debug("dropped a prediction: its event loop is closed")


def _merge(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    if len(parts) == 1:
        return parts[0]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def output_array(values: pd.Series) -> np.ndarray:
    """float/int/bool columns as they are, anything else (labels) as Python objects."""
    if values.dtype.kind in "fiub":
        return values.to_numpy()
    return values.to_numpy(dtype=object, na_value=None)
