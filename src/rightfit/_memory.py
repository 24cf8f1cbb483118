"""Keep the process's resident memory close to what it uses (glibc only; no-ops elsewhere).

glibc gives each allocating thread its own malloc arena (up to 8 per core) and keeps freed pages
mapped for reuse, so resident memory tracks the high-water mark and the number of threads that
ever ran (LightGBM's and XGBoost's OpenMP workers, forest and BLAS threads), not the data.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import sys

M_ARENA_MAX = -8  # from malloc.h
# A trial that freed at least this much more than the last trim left resident is worth a trim:
# a 300-tree random forest on 26k rows leaves ~190 MB of freed node arrays mapped, and
# ``malloc_trim`` costs 10-15 ms, so smaller growth is not worth it after every 0.1 s trial.
TRIM_AFTER_GROWTH_MB = 32.0
# Fixed malloc thresholds (glibc's M_MMAP_THRESHOLD / M_TRIM_THRESHOLD) would return memory
# without trims, but they cost 10-25 % speed in LightGBM, XGBoost and numpy (measured on
# adult, 26k rows), which the search would pay in trials; trims after large frees do not.
_state = {"resident_after_trim": 0.0}


def _glibc_call(name: str, *args: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to tune
        getattr(ctypes.CDLL("libc.so.6"), name)(*args)


def resident_bytes() -> int | None:
    """Resident memory of this process in bytes; None where /proc is not available."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None  # not Linux


def resident_mb() -> float:
    """Resident memory of this process in MB (0 where /proc is not available)."""
    return (resident_bytes() or 0) / 2**20


def fewer_malloc_arenas() -> None:
    """Cap malloc arenas at two, before the worker threads start (the CLI's first step)."""
    _glibc_call("mallopt", M_ARENA_MAX, 2)


def trim_memory() -> None:
    """Collect garbage, then return whole free heap pages to the system: after the search the
    trials' models are garbage while the review, refits and report allocate more on top."""
    gc.collect()
    _trim()


def _trim() -> None:
    _glibc_call("malloc_trim", 0)
    _state["resident_after_trim"] = resident_mb()


def trim_if_grown(limit_mb: float = TRIM_AFTER_GROWTH_MB) -> bool:
    """After a trial: return freed pages to the system when resident memory has grown by
    ``limit_mb`` since the last trim. No garbage collection (it costs 50 ms on a full heap);
    a trial's models are freed by reference counting once its result is kept."""
    resident = resident_mb()
    if resident - _state["resident_after_trim"] < limit_mb:
        return False
    _trim()
    return True
