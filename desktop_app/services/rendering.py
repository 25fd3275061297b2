"""Markdown rendered ahead of need, in a process of its own: the transcript asks for the messages
it will show next (those just above what has widgets, when the user scrolls up), so making
their widgets costs no rendering on the GUI thread (a formula takes 20–100 ms to draw the first
time). A new request replaces the part of the last one not yet started. Results come back on
the GUI thread.

A process, not a thread: rendering is Python code, and a thread beside the GUI holds the GIL
each time the GUI thread lets it go (on every Qt call), so frames waited on it while the user
scrolled (benchmarks/long_chat.py: 2,000 messages, scroll p99 20–28 ms with a thread; with the
rendering done before the scroll, 13–15 ms). The process starts with the first request, ends
with the window (or with the app: its end of the pipe closes), and a renderer that dies is
started again at the next request; what it was rendering is then rendered by the view itself.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from PySide6.QtCore import QObject

from desktop_app.core import formulas
from desktop_app.core.render import render_with_code
from desktop_app.services.background import Background

# (Markdown, (HTML, code blocks)), or (Markdown, None) when it could not be rendered
Rendered = tuple[str, tuple[str, list[str]] | None]
log = logging.getLogger(__name__)


class RenderAhead(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: ProcessPoolExecutor | None = None
        self._queued: list[Future] = []
        self._closed = False
        self._gui = Background("render-ahead", parent=self)  # results back on this thread

    def request(
        self, pieces: list[str], done: Callable[[Rendered], None], dark: bool = False
    ) -> None:
        """Render `pieces` in order; `done((piece, (html, code)))` for each (or (piece, None)
        when it failed), on this object's thread. What an earlier request still waits for is
        dropped."""
        for future in self._queued:
            future.cancel()
        self._queued = []
        if self._closed:
            return
        for piece in pieces:
            future = self._submit(piece, dark)
            future.add_done_callback(partial(self._finished, piece=piece, done=done))
            self._queued.append(future)

    def shutdown(self) -> None:
        self._closed = True
        self._gui.shutdown(wait=False)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _submit(self, piece: str, dark: bool) -> Future:
        for _attempt in range(2):
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=mp.get_context("spawn"),
                    initializer=_end_with,
                    initargs=(os.getpid(),),
                )
            try:
                return self._pool.submit(render_piece, piece, dark)
            except BrokenProcessPool:  # the renderer died: a new one
                log.warning("the renderer process ended; starting it again")
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
        failed: Future = Future()
        failed.set_result((piece, None))
        return failed

    def _finished(self, future: Future, *, piece: str, done: Callable[[Rendered], None]) -> None:
        """On the pool's thread (or this one, when cancelled)."""
        if future.cancelled():
            return  # replaced by a newer request: nobody waits for it
        try:
            rendered, drawn = future.result()
        except Exception:  # the renderer died (BrokenProcessPool): the view renders it
            rendered, drawn = (piece, None), []
        self._gui.post(partial(_deliver, done=done, drawn=drawn), rendered)


def _deliver(rendered: Rendered, *, done: Callable[[Rendered], None], drawn: list) -> None:
    """On the GUI thread. The formulas were drawn by our renderer: shown as drawn here
    (SafeDocument shows no image this process did not make), and not drawn again while an
    answer streams."""
    formulas.adopt(drawn)
    done(rendered)


def _end_with(parent: int) -> None:
    """In the renderer process: end when the app does, however it ended (an app killed or
    ended with os._exit leaves the pool's pipes open, and a renderer would wait on them)."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if not _alive(parent):
                os._exit(0)

    threading.Thread(target=watch, name="end-with-the-app", daemon=True).start()


def _alive(pid: int) -> bool:
    if os.name == "posix":
        return os.getppid() == pid
    import psutil

    return psutil.pid_exists(pid)


def render_piece(piece: str, dark: bool) -> tuple[Rendered, list[formulas.Drawing]]:
    """In the renderer process: the piece rendered, and the formulas drawn for it."""
    with formulas.journal() as drawn:
        try:
            return (piece, render_with_code(piece, dark=dark)), drawn
        except Exception:  # a bug: logged; the view renders the piece itself (and shows it)
            log.exception("rendering ahead failed")
            return (piece, None), []
