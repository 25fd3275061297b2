"""A guard against a reference-count bug of PySide6 6.12 on Python before 3.12: many calls of
the binding take a reference away from None (every call that returns nothing: show, hide,
setText, setValue, sendPostedEvents, …) and, through some paths, from True or False. Before
3.12 those objects are not immortal, so once a few tens of thousands of such calls have been
made the count reaches zero and Python aborts ("Fatal Python error: none_dealloc: deallocating
None", or bool_dealloc) — a new user's window did so on quit after scrolling a long conversation
(about 4,500 wheel steps). tests/test_refcounts.py shows the loss on the PySide6 in use.

The three objects live as long as the interpreter whatever their count says, so the guard sets
their counts high enough that no session can spend them (2**40 lost references). Nothing is
done on Python 3.12+ (immortal objects), on a debug build (another object layout), or on an
interpreter other than CPython."""

from __future__ import annotations

import ctypes
import platform
import sys

FLOOR = 1 << 40
SINGLETONS = (None, True, False)


def applies() -> bool:
    return (
        platform.python_implementation() == "CPython"
        and sys.version_info < (3, 12)
        and not hasattr(sys, "gettotalrefcount")  # a debug build: the count is not first
    )


def hold_singletons() -> bool:
    """Raise the counts of None, True and False to FLOOR where the bug can bite; whether it
    did. Call it on the thread that holds the GIL (any Python thread), any number of times."""
    if not applies():
        return False
    for obj in SINGLETONS:
        count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt: the first field
        if count.value < FLOOR // 2:
            count.value += FLOOR
    return True
