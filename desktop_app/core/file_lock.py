"""One writer per file across processes: an OS lock on a small lock file (flock on POSIX,
msvcrt.locking on Windows), taken without waiting. The OS drops it when the holder exits, even
when killed, so a crash never leaves a file locked. No Qt here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


class Busy(Exception):
    """Another process (or another download in this one) holds the lock."""


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the lock file `path` for the block; Busy at once when someone else holds it."""
    fd = _acquire(path)
    try:
        yield
    finally:
        if os.name != "nt":
            path.unlink(missing_ok=True)  # still ours: a waiter that opened it re-checks
        os.close(fd)


def held_elsewhere(path: Path) -> bool:
    """Whether someone holds `path` now (for sweeping leftovers without racing a download)."""
    try:
        with exclusive(path):
            return False
    except Busy:
        return True


def _acquire(path: Path) -> int:
    # A holder unlinks the file as it lets go; a process that opened the old file meanwhile
    # would lock a file nobody else sees, so it checks that the name still points to it.
    for _ in range(5):
        fd = os.open(path, _OPEN_FLAGS, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            raise Busy(str(path))
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
        except FileNotFoundError:
            same = False
        if same or os.name == "nt":
            return fd
        os.close(fd)
    raise Busy(str(path))
