"""Keep the process's resident memory close to what it uses (glibc only; no-ops elsewhere).

glibc gives each allocating thread its own malloc arena (up to 8 per core) and keeps freed pages
mapped for reuse, so resident memory tracks the high-water mark and the number of threads that
ever ran (LightGBM's and XGBoost's OpenMP workers, forest and BLAS threads), not the data.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys

M_ARENA_MAX = -8  # from malloc.h


def _glibc_call(name: str, *args: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to tune
        getattr(ctypes.CDLL("libc.so.6"), name)(*args)


def fewer_malloc_arenas() -> None:
    """Cap malloc arenas at two, before the worker threads start (the CLI's first step)."""
    _glibc_call("mallopt", M_ARENA_MAX, 2)


def trim_memory() -> None:
    """Collect garbage, then return whole free heap pages to the system: after the search the
    trials' models are garbage while the review, refits and report allocate more on top."""
    gc.collect()
    _glibc_call("malloc_trim", 0)
