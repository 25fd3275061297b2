"""A message's rich text, in parts cut between Markdown blocks (core/blocks.py): a streamed
answer re-renders only its last part, so an update costs the same however long the answer has
grown, and a long answer that keeps arriving faster than it renders is redrawn less often.
Each part is a SafeText (no resource loads); a code block's "Copy code" link copies that block
here, every other link goes out through `link_clicked` (the owner hands it to the LinkPolicy).
A long message made ahead of need (the transcript, between frames) may be shown in stages: the
parts that fit in the time given, nearest the reader first, the others by `finish` (hidden
until then), so no frame waits for a whole long answer to be laid out.
"""

from __future__ import annotations

import html
import time
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.core.blocks import PART_CHARS, cut_points
from desktop_app.core.render import (
    COPY_CODE,
    MAX_MARKDOWN_CHARS,
    FormulaBudget,
    render_with_code,
)
from desktop_app.ui.safe_text import SafeText

CACHE_CHARS = 16_000_000  # rendered HTML kept for widgets made again (formulas make it large)
SLOW_RENDER_S = 0.010  # a streamed part slower than this is redrawn less often…
RENDER_SHARE = 4  # …at most once per this many times its own cost
WIDGET_S = 0.0015  # making a message's widgets, before any text


class _Rate:
    """Seconds per character to render and lay out a part, as measured here (a moving
    average): work made ahead of need starts only what fits in the time left."""

    per_char = 2.5e-6

    @classmethod
    def learn(cls, chars: int, seconds: float) -> None:
        if chars >= 200:  # short parts are mostly fixed costs
            cls.per_char += 0.2 * (seconds / chars - cls.per_char)


def expected_s(text: str) -> float:
    """About how long showing `text` takes, widgets and the first part (a stage's least)."""
    return WIDGET_S + min(len(text), 2 * PART_CHARS) * _Rate.per_char


class RenderCache:
    """Rendered parts by their Markdown, newest last, bounded in characters: a message scrolled
    out of view and back is not rendered again."""

    def __init__(self, limit: int = CACHE_CHARS, dark: bool = False) -> None:
        self.limit, self.size = limit, 0
        self.dark = dark  # rendered for a dark background (code colours, formula ink)
        self._items: OrderedDict[str, tuple[str, list[str]]] = OrderedDict()

    def __contains__(self, text: str) -> bool:
        return text in self._items

    def render(self, text: str, budget: FormulaBudget) -> tuple[str, list[str]]:
        found = self._items.get(text)
        if found is not None:
            self._items.move_to_end(text)
            return found
        found = render_with_code(text, budget, self.dark)
        self.put((text, found))
        return found

    def put(self, rendered: tuple[str, tuple[str, list[str]]]) -> None:
        """A part rendered elsewhere (ahead of need, off the GUI thread)."""
        text, found = rendered
        if text not in self._items:
            self._items[text] = found
            self.size += len(text) + len(found[0])
        while self.size > self.limit and len(self._items) > 1:
            old, (markup, _) = self._items.popitem(last=False)
            self.size -= len(old) + len(markup)


class MarkdownBody(QWidget):
    link_clicked = Signal(QUrl)  # any link but a code block's Copy
    code_copied = Signal(str)

    def __init__(self, cache: RenderCache | None = None, width_hint: int = 0) -> None:
        super().__init__()
        self.cache = cache or RenderCache()
        self.budget = FormulaBudget()  # one answer's formula work, shared by its parts
        self.width_hint = width_hint
        self._slots: list[SafeText | None] = []  # each part's widget, made when first shown
        self.accessible_name = ""  # what a screen reader calls each part ("Answer 4 of 12")
        self._shown: list[str | None] = []  # the Markdown (or "\0" and a note) of each part
        self._code: list[list[str]] = []  # each part's code blocks, for its Copy links
        self._text, self._cuts = "", []
        self._pending: str | None = None  # a streamed text waiting for its turn to render
        self._staged: list[tuple[int, str]] = []  # parts still to render, in their order
        self._last_render, self._render_cost = 0.0, 0.0
        self._timer: QTimer | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._part(0)

    @property
    def parts(self) -> list[SafeText]:
        """The widgets of the parts made so far, in their order (a part waiting in a stage
        has none yet: making dozens of them at once took a frame's time)."""
        return [part for part in self._slots if part is not None]

    def text(self) -> str:
        """The HTML shown, all parts."""
        return "".join(part.text() for part in self.parts)

    def set_accessible_name(self, name: str) -> None:
        self.accessible_name = name
        for part in self.parts:
            part.setAccessibleName(name)

    def show_note(self, words: str) -> None:
        """A line of plain words (a wait, a placeholder) instead of the text."""
        self._pending = None
        self._show([f"\0{words}"])

    def show_markdown(self, text: str, streaming: bool = False, stage: Stage | None = None) -> None:
        """Show `text`; while streaming, a slow part is redrawn at most every few of its own
        render times (the newest text always shows at the next turn). With a `stage`, only
        the parts that fit before its deadline are rendered now (at least one): `finish`
        renders the others."""
        wait = self._last_render + RENDER_SHARE * self._render_cost - time.perf_counter()
        if streaming and self._render_cost > SLOW_RENDER_S and wait > 0:
            self._pending = text
            self._later(wait)
            return
        self._pending = None
        started = time.perf_counter()
        self._show(self._pieces(text), stage)
        self._last_render, self._render_cost = time.perf_counter(), time.perf_counter() - started

    def unfinished(self) -> bool:
        """Parts of the text are still to be rendered (shown in stages)."""
        return bool(self._staged)

    def finish(self, deadline: float | None = None, at_least_one: bool = True) -> bool:
        """Render parts still to render, nearest the reader first, until `deadline` (at least
        one unless told otherwise, and none that would not end in time; all of them without
        a deadline); whether some are left."""
        while self._staged:
            index, piece = self._staged[0]
            late = deadline is not None and time.perf_counter() + expected_s(piece) > deadline
            if late and not at_least_one:
                break
            at_least_one = False
            self._staged.pop(0)
            part = self._part(index)
            self._render(part, index, piece)
            part.show()
            if deadline is not None and time.perf_counter() > deadline:
                break
        return bool(self._staged)

    def _later(self, wait: float) -> None:
        if self._timer is None:
            self._timer = QTimer(self, singleShot=True)
            self._timer.timeout.connect(self._show_pending)
        if not self._timer.isActive():
            self._timer.start(int(wait * 1000) + 1)

    def _show_pending(self) -> None:
        if self._pending is not None:
            self.show_markdown(self._pending)

    def _pieces(self, text: str) -> list[str]:
        """The parts of `text`; cuts already found in the text so far are kept (they never
        move as it grows), so a streamed text is scanned from its last cut only."""
        markdown = text[:MAX_MARKDOWN_CHARS]
        kept = [c for c in self._cuts if c < len(markdown)]
        if kept and not markdown.startswith(self._text[: kept[-1]]):
            kept = []
        self._cuts = kept + cut_points(markdown, start=kept[-1] if kept else 0)
        self._text = markdown
        return _cut(text, self._cuts)

    def _show(self, pieces: list[str], stage: Stage | None = None) -> None:
        self._staged = []
        changed = [
            (index, piece)
            for index, piece in enumerate(pieces)
            if index >= len(self._shown) or self._shown[index] != piece
        ]
        if stage is not None and len(changed) > 1:
            if stage.from_end:  # the message is above the reader: its end is seen first
                changed.reverse()
            self._staged = changed
            self._reserve(len(pieces))
            for index, _piece in changed:
                made = self._slots[index]
                if made is not None:
                    made.hide()  # no room taken until it shows its text
            self.finish(stage.deadline)
        else:
            for index, piece in changed:
                part = self._part(index)
                self._render(part, index, piece)
                part.show()
        for gone in self._slots[len(pieces) :]:
            if gone is not None:
                gone.deleteLater()
        del self._slots[len(pieces) :], self._shown[len(pieces) :], self._code[len(pieces) :]

    def _render(self, part: SafeText, index: int, piece: str) -> None:
        if piece.startswith("\0"):  # plain words, never Markdown
            markup, code = _plain(piece[1:]), []
        else:
            markup, code = self.cache.render(piece, self.budget)
        started = time.perf_counter()
        part.setText(markup)
        _Rate.learn(len(piece), time.perf_counter() - started)
        self._shown[index], self._code[index] = piece, code

    def _reserve(self, count: int) -> None:
        """Places for `count` parts (their widgets are made when they show)."""
        while len(self._slots) < count:
            self._slots.append(None)
            self._shown.append(None)  # nothing yet
            self._code.append([])

    def _part(self, index: int) -> SafeText:
        self._reserve(index + 1)
        part = self._slots[index]
        if part is None:
            part = SafeText()
            part.width_hint = self.width_hint
            part.setAccessibleName(self.accessible_name)
            part.anchorClicked.connect(lambda url, n=index: self._clicked(n, url))
            place = sum(made is not None for made in self._slots[:index])
            self.layout().insertWidget(place, part)  # in the parts' order, whenever made
            self._slots[index] = part
        return part

    def _clicked(self, index: int, url: QUrl) -> None:
        if url.scheme() != COPY_CODE:
            self.link_clicked.emit(url)
            return
        blocks = self._code[index] if index < len(self._code) else []
        number = url.path()
        if number.isdigit() and int(number) < len(blocks):
            QGuiApplication.clipboard().setText(blocks[int(number)])
            self.code_copied.emit(blocks[int(number)])


@dataclass(frozen=True)
class Stage:
    """How a message made ahead of need is rendered: until `deadline` (time.perf_counter()),
    from its end when it sits above what the reader sees."""

    deadline: float
    from_end: bool = False


def pieces(text: str) -> list[str]:
    """What a MarkdownBody shows `text` in: its parts as Markdown, then past MAX_MARKDOWN_CHARS
    the rest as written (marked by a leading NUL)."""
    return _cut(text, cut_points(text[:MAX_MARKDOWN_CHARS]))


def _cut(text: str, cuts: list[int]) -> list[str]:
    markdown, rest = text[:MAX_MARKDOWN_CHARS], text[MAX_MARKDOWN_CHARS:]
    bounds = [0, *cuts, len(markdown)]
    parts = [markdown[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    return (parts or [""]) + ([f"\0{rest}"] if rest else [])


def _plain(words: str) -> str:
    return "<p>" + html.escape(words).replace("\n", "<br/>") + "</p>" if words else ""
