"""What the transcript has rendered, and what it asked to be rendered ahead of need (off the GUI
thread, by services/rendering.py), so that a message coming into view gets its widget without
rendering on the GUI thread. Holds no widget; the view asks it about rows by their text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from desktop_app.services.rendering import RenderAhead, Rendered
from desktop_app.ui.message_body import RenderCache, pieces
from desktop_app.ui.message_widget import split_reasoning


class Prerender:
    def __init__(self, ahead: RenderAhead | None, on_rendered: Callable[[], None]) -> None:
        self.ahead = ahead  # None: everything is rendered when its widget is made
        self.cache = RenderCache()
        self.on_rendered = on_rendered  # a widget may have waited for it
        self._asked: list[str] = []  # the parts last asked for, not yet rendered
        self._parts_of: dict[int, tuple[str, list[str]]] = {}  # message id → (text, parts)

    def set_dark(self, dark: bool) -> None:
        """Another colour scheme: everything is rendered again, in its colours."""
        if dark != self.cache.dark:
            self.cache = RenderCache(dark=dark)
            self._asked = []

    def forget(self) -> None:
        """Another conversation: the rendered parts stay (a message may come back)."""
        self._parts_of.clear()

    def parts(self, row: dict[str, Any]) -> list[str]:
        """The Markdown parts a message is shown in (remembered while its text stays)."""
        text = row.get("content", "")
        known = self._parts_of.get(row["id"])
        if known is None or known[0] is not text:
            _, answer = split_reasoning(text)
            known = (text, [p for p in pieces(answer) if not p.startswith("\0")])
            self._parts_of[row["id"]] = known
        return known[1]

    def ready(self, row: dict[str, Any]) -> bool:
        """Nothing of the message is still being rendered ahead."""
        if self.ahead is None:
            return True
        return all(p in self.cache or p not in self._asked for p in self.parts(row))

    def ask(self, rows: Sequence[dict[str, Any]]) -> None:
        """Render these messages ahead, in this order (what was asked before and is not
        started yet is dropped)."""
        if self.ahead is None:
            return
        wanted = [p for row in rows for p in self.parts(row) if p not in self.cache]
        if wanted != self._asked:
            self._asked = wanted
            cache = self.cache
            self.ahead.request(wanted, lambda done: self._rendered(done, cache), cache.dark)

    def _rendered(self, rendered: Rendered, cache: RenderCache) -> None:
        piece, found = rendered
        if cache is not self.cache:  # asked before the colour scheme changed
            return
        if found is not None:
            self.cache.put((piece, found))
        elif piece in self._asked:  # not rendered ahead: its widget will render it
            self._asked.remove(piece)
        self.on_rendered()
