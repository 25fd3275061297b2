"""Markdown rendered ahead of need, on a thread of its own: the transcript asks for the messages
it will show next (those just above what has widgets, when the user scrolls up), so making
their widgets costs no rendering on the GUI thread (a formula takes 20–100 ms to draw the first
time). A new request replaces the part of the last one not yet started. Results come back on
the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import QObject

from desktop_app.core.render import render_with_code
from desktop_app.services.background import Background

# (Markdown, (HTML, code blocks)), or (Markdown, None) when it could not be rendered
Rendered = tuple[str, tuple[str, list[str]] | None]
log = logging.getLogger(__name__)


class RenderAhead(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._background = Background("render-ahead", parent=self)
        self._queued: list[Future] = []

    def request(
        self, pieces: list[str], done: Callable[[Rendered], None], dark: bool = False
    ) -> None:
        """Render `pieces` in order; `done((piece, (html, code)))` for each (or (piece, None)
        when it failed), on this object's thread. What an earlier request still waits for is
        dropped."""
        for future in self._queued:
            future.cancel()
        self._queued = [self._background.run(_renderer(piece, dark), done) for piece in pieces]

    def shutdown(self) -> None:
        self._background.shutdown(wait=False)


def _renderer(piece: str, dark: bool) -> Callable[[], Rendered]:
    def render() -> Rendered:
        try:
            return piece, render_with_code(piece, dark=dark)
        except Exception:  # a bug: logged; the view renders the piece itself (and shows it)
            log.exception("rendering ahead failed")
            return piece, None

    return render
