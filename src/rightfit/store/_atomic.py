"""Writes that are all-or-nothing: a crash leaves the old content or the new, never a mix."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # Windows cannot open directories; its renames are journalled anyway
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.bin"
    >>> atomic_write_bytes(target, b"abc"); target.read_bytes()
    b'abc'
    """
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write_bytes`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write_text(target, "hi"); target.read_text()
    'hi'
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def write_synced(path: Path, data: bytes) -> None:
    """Write a new file and flush it to disk (inside a directory that is swapped in later)."""
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def new_sibling_dir(path: Path, tag: str) -> Path:
    """Create a hidden, uniquely named empty directory next to ``path``."""
    while True:
        candidate = path.parent / f".{path.name}.{tag}-{secrets.token_hex(4)}"
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue


def swap_in_dir(new: Path, target: Path) -> None:
    """Move directory ``new`` to ``target``, replacing ``target`` (a bundle or empty) if present.

    The old directory is renamed aside first and deleted only once the new one is in place, so
    a crash leaves the old or the new directory intact (at worst under its hidden sibling name).
    """
    if not target.exists():
        os.rename(new, target)
        fsync_dir(target.parent)
        return
    if not any(target.iterdir()):
        target.rmdir()
        os.rename(new, target)
        fsync_dir(target.parent)
        return
    old = new_sibling_dir(target, "old")
    old.rmdir()
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)
    logger.debug("replaced %s (previous version removed)", target)
