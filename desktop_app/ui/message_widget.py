"""One message of the transcript: a header row (who, then buttons), the text as Markdown in a
MarkdownBody, and the notes the app adds (left out of the model's view, reasoning fold, sources,
math checks, how it ended). Messages are outside text: the body never loads a resource and its
links go through the LinkPolicy; everything else from the message is plain text."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop_app.core import store as st
from desktop_app.core.assistants import think
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.assistants.specialist import sources_footer
from desktop_app.core.render import render_markdown
from desktop_app.settings import QT_TRANSLATE_NOOP
from desktop_app.ui.keyboard import takes_tab
from desktop_app.ui.links import LinkPolicy
from desktop_app.ui.message_body import MarkdownBody, RenderCache, Stage
from desktop_app.ui.model_text import assistant_name, number
from desktop_app.ui.safe_text import SafeText, plain_tooltip
from desktop_app.ui.theme import set_tone

# Translated where shown (context MessageWidget).
ROLE_NAMES = {
    "user": QT_TRANSLATE_NOOP("MessageWidget", "You"),
    "assistant": QT_TRANSLATE_NOOP("MessageWidget", "Assistant"),
    "system": QT_TRANSLATE_NOOP("MessageWidget", "Instructions"),
}
STATUS_NOTES = {
    st.STOPPED: QT_TRANSLATE_NOOP("MessageWidget", "Stopped by you."),
    st.INTERRUPTED: QT_TRANSLATE_NOOP("MessageWidget", "Interrupted."),
    st.ERROR: QT_TRANSLATE_NOOP("MessageWidget", "No answer."),
}
STOPPED_EMPTY = QT_TRANSLATE_NOOP("MessageWidget", "Stopped before the answer began.")
# What a screen reader calls a message, with its place: "Your message 3 of 12".
SPOKEN_ROLES = {
    "user": QT_TRANSLATE_NOOP("MessageWidget", "Your message"),
    "assistant": QT_TRANSLATE_NOOP("MessageWidget", "Answer"),
    "system": QT_TRANSLATE_NOOP("MessageWidget", "Instructions"),
}
BELOW_HEADER = ("left_out_note", "reasoning", "content", "sources", "check_note", "note", "cut")
COPIED_MS = 1500
WAIT_TICK_MS = 1000


class MessageWidget(QFrame):
    notice = Signal(str)  # plain words for the status line ("Copied to the clipboard.")
    edit_requested = Signal(int)  # this message's id (a question of the user's)
    version_requested = Signal(int)  # the id of the version to show instead of this one
    continue_requested = Signal(int)  # this answer's id: it was cut by the length limit

    def __init__(
        self,
        row: dict[str, Any],
        links: LinkPolicy | None = None,
        cache: RenderCache | None = None,
        waiting_since: float | None = None,
        width_hint: int = 0,
        stage: Stage | None = None,
    ) -> None:
        """`stage`: a long text is shown in stages, as much as fits before its deadline now,
        the rest by `finish` (see MarkdownBody)."""
        super().__init__()
        self.links = links or LinkPolicy()
        self.row = dict(row)
        self.text = row.get("content", "")
        self.waiting_since = time.monotonic() if waiting_since is None else waiting_since
        self.setObjectName(f"message-{row['role']}")
        self._copied: QTimer | None = None  # made at the first copy
        self._waiting: QTimer | None = None  # ticks while the first token is awaited
        self.sources: SafeText | None = None  # made for answers that cite documents
        self._reasoning_button: QToolButton | None = None
        self._compact = False  # shown as a one-line note (a stop before any text)
        self._versions: Versions | None = None  # made when there is more than one
        self.position = (0, 0)  # its place in the conversation, and how many there are
        self._build(cache, width_hint)
        self._stage = stage  # for the first rendering only
        self.set_row(row)
        self._stage = None

    def _build(self, cache: RenderCache | None, width_hint: int) -> None:
        role = self.row["role"]
        name = self.tr(ROLE_NAMES[role]) if role in ROLE_NAMES else role
        self.role_label = QLabel(f"<b>{html.escape(name)}</b>")
        self.copy_button = QToolButton(
            text=self.tr("Copy"), toolTip=self.tr("Copy this message as text")
        )
        self.copy_button.clicked.connect(self.copy)
        # The header row: who wrote it, a stretch, then the buttons. More buttons (versions,
        # Edit) go in with add_header_widget, before Copy.
        self.header = QHBoxLayout()
        self.header.addWidget(self.role_label)
        self.header.addStretch(1)
        self.header.addWidget(self.copy_button)
        self.content = MarkdownBody(cache, width_hint)
        self.content.link_clicked.connect(self._open_link)
        self.content.code_copied.connect(lambda _code: self.notice.emit(self.tr("Code copied.")))
        # Most messages need none of the notes: they are made on first use (a long
        # conversation makes widgets as the user scrolls, so each one counts).
        self._made: dict[str, QWidget] = {"content": self.content}
        layout = QVBoxLayout(self)
        layout.addLayout(self.header)
        layout.addWidget(self.content)
        self.edit_button = QToolButton(
            text=self.tr("Edit"),
            toolTip=self.tr(
                "Change this message and send it again: a new branch starts here; the old "
                "one stays (‹ › switch between them)"
            ),
        )
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.row["id"]))
        self.add_header_widget(self.edit_button)
        # Hidden or shown once in the header: shown before it has a parent, it would be a window
        # of its own for a moment, and take the focus from the message box.
        self.edit_button.setHidden(self.row["role"] != "user")

    def _part(self, name: str, make: Callable[[], QWidget]) -> QWidget:
        """The part `name` below the header, made and put in its place on first use."""
        widget = self._made.get(name)
        if widget is None:
            widget = self._made[name] = make()
            before = sum(n in self._made for n in BELOW_HEADER[: BELOW_HEADER.index(name)])
            self.layout().insertWidget(1 + before, widget)  # 1: after the header
        return widget

    @property
    def left_out_note(self) -> QLabel:
        return self._part("left_out_note", _left_out_note)  # type: ignore[return-value]

    @property
    def reasoning(self) -> QLabel:
        return self._part("reasoning", _reasoning_label)  # type: ignore[return-value]

    @property
    def check_note(self) -> QLabel:
        return self._part("check_note", lambda: _note(""))  # type: ignore[return-value]

    @property
    def note(self) -> QLabel:
        return self._part("note", lambda: _note("error"))  # type: ignore[return-value]

    @property
    def cut(self) -> CutNote:
        """Under an answer cut by the length limit: says so, and offers Continue."""
        return self._part("cut", self._cut_note)  # type: ignore[return-value]

    def _cut_note(self) -> CutNote:
        note = CutNote()
        note.button.clicked.connect(lambda: self.continue_requested.emit(self.row["id"]))
        return note

    @property
    def versions(self) -> Versions:
        """‹ 2/3 › after the role's name: made for the first message that has versions."""
        if self._versions is None:
            self._versions = Versions()
            self._versions.chosen.connect(self.version_requested)
            self.header.insertWidget(1, self._versions)
        return self._versions

    @property
    def reasoning_button(self) -> QToolButton:
        if self._reasoning_button is None:
            button = QToolButton(text=self.tr("Show reasoning"), checkable=True, visible=False)
            button.toggled.connect(self._toggle_reasoning)
            self.header.insertWidget(self.header.indexOf(self.copy_button), button)
            self._reasoning_button = button
        return self._reasoning_button

    @property
    def body(self) -> SafeText:
        """The text's first part (the whole text unless it is long: see MarkdownBody)."""
        return self.content.parts[0]

    def set_position(self, number: int, total: int) -> None:
        """Its place, for screen readers: "Your message 3 of 12" (named once per change)."""
        if (number, total) == self.position:
            return
        self.position = (number, total)
        role = self.row["role"]
        who = self.tr(SPOKEN_ROLES[role]) if role in SPOKEN_ROLES else role
        name = self.tr("{who} {number} of {total}").format(who=who, number=number, total=total)
        self.setAccessibleName(name)
        self.content.set_accessible_name(name)

    def tab_stops(self) -> list[QWidget]:
        """Where Tab stops in this message: its text (links inside it follow), then its
        buttons, in the order they show."""
        widgets: list[QWidget] = [*self.content.parts]
        if self.sources is not None:
            widgets.append(self.sources)
        if "cut" in self._made:
            widgets.append(self.cut.button)
        if self._versions is not None:
            widgets += [self._versions.previous, self._versions.next]
        if self._reasoning_button is not None:
            widgets.append(self._reasoning_button)
        widgets += [self.edit_button, self.copy_button]
        return [widget for widget in widgets if takes_tab(widget)]

    def add_header_widget(self, widget: QWidget) -> None:
        """A button or label in the header row, after those already there, before Copy."""
        self.header.insertWidget(self.header.indexOf(self.copy_button), widget)

    # -- the text ---------------------------------------------------------------------------
    def _render(self) -> None:
        streaming = self.row.get("status") == st.STREAMING
        reasoning, answer = split_reasoning(self.text)
        if reasoning:  # folded by default; the toggle shows it
            self.reasoning.setText(reasoning.strip())
            self.reasoning_button.show()
        waiting = streaming and not answer.strip() and not reasoning
        self._tick_while(waiting)
        if waiting:
            self.content.show_note(self._waiting_words())
        elif streaming and not answer.strip():
            self.content.show_note(self.tr("Thinking…"))  # the reasoning streams, folded
        else:
            self.content.show_markdown(answer, streaming, None if streaming else self._stage)

    def unfinished(self) -> bool:
        """Parts of its text are still to be shown (it was made in stages)."""
        return self.content.unfinished()

    def finish(self, deadline: float | None = None, at_least_one: bool = True) -> bool:
        """Show more of its text, until `deadline` (all without one); whether some is left."""
        return self.content.finish(deadline, at_least_one)

    def _waiting_words(self) -> str:
        seconds = int(time.monotonic() - self.waiting_since)
        if seconds < 1:
            return self.tr("Thinking…")
        return self.tr("Thinking… {seconds} s").format(seconds=seconds)

    def _tick_while(self, waiting: bool) -> None:
        """Once a second while the first token is awaited, so a long wait shows its time."""
        if not waiting:
            if self._waiting is not None:
                self._waiting.stop()
            return
        if self._waiting is None:
            self._waiting = QTimer(self, interval=WAIT_TICK_MS)
            self._waiting.timeout.connect(lambda: self.content.show_note(self._waiting_words()))
        if not self._waiting.isActive():
            self._waiting.start()

    def append_text(self, text: str) -> None:
        self.text += text
        self._render()

    def set_row(self, row: dict[str, Any]) -> None:
        self.row.update(row)
        self.text = self.row.get("content", self.text)
        self._render()
        status = self.row.get("status")
        note = self.tr(STATUS_NOTES[status]) if status in STATUS_NOTES else ""
        if self.row.get("error"):
            note = f"{note} {self.row['error']}".strip()
        self._show_as_note(status == st.STOPPED and not self.text.strip())
        if note or "note" in self._made:
            self.note.setText(self.tr(STOPPED_EMPTY) if self._compact else note)
            self.note.setVisible(bool(note))
        extras = {**(self.row.get("extras") or {}), **_top_level_extras(self.row)}
        self._show_check(extras)
        self._show_sources(extras.get("sources") or [])
        self.setToolTip(plain_tooltip(_metadata(self.row)))
        siblings = self.row.get("siblings") or []
        if len(siblings) > 1 or self._versions is not None:
            self.versions.show_versions(siblings, self.row["id"])
        cut = self.row.get("finish_reason") == "length" and status == st.COMPLETE
        if (cut and self.row.get("role") == "assistant") or "cut" in self._made:
            self.cut.setVisible(cut and self.row.get("role") == "assistant")

    def _show_as_note(self, compact: bool) -> None:
        """A stop before any text is a small line, not an empty answer with a Copy button."""
        if compact == self._compact:
            return
        self._compact = compact
        for widget in (self.role_label, self.copy_button, self.content):
            widget.setVisible(not compact)
        set_tone(self.note, "muted" if compact else "error")
        self.note.setStyleSheet("font-style: italic;" if compact else "")

    def _open_link(self, url: QUrl) -> None:
        self.links.open(url, self)

    def _toggle_reasoning(self, shown: bool) -> None:
        self.reasoning.setVisible(shown)
        self.reasoning_button.setText(
            self.tr("Hide reasoning") if shown else self.tr("Show reasoning")
        )

    # -- what the app adds --------------------------------------------------------------------
    def _show_sources(self, sources: list[dict[str, Any]]) -> None:
        if sources and self.sources is None:
            self.sources = self._part("sources", SafeText)  # type: ignore[assignment]
            self.sources.setAccessibleName(self.tr("Sources of this answer"))
            self.sources.width_hint = self.content.width_hint
            self.sources.anchorClicked.connect(self._open_link)
        if self.sources is not None:
            footer = sources_footer(sources)
            dark = self.content.cache.dark
            self.sources.setText(render_markdown(footer, dark=dark) if sources else "")
            self.sources.setVisible(bool(sources))

    def _show_check(self, extras: dict[str, Any]) -> None:
        checked = extras.get("math_check") or ""
        if not checked and "check_note" not in self._made:
            return
        failed = any(not c.get("ok", True) for c in extras.get("checks") or [])
        self.check_note.setText(("⚠ " if failed else "✓ ") + checked if checked else "")
        if checked:
            set_tone(self.check_note, "warning" if failed else "success")
        self.check_note.setVisible(bool(checked))

    def set_left_out(self, left_out: bool) -> None:
        if left_out or "left_out_note" in self._made:
            self.left_out_note.setVisible(left_out)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
        self.copy_button.setText(self.tr("Copied"))
        if self._copied is None:
            self._copied = QTimer(self, singleShot=True, interval=COPIED_MS)
            self._copied.timeout.connect(lambda: self.copy_button.setText(self.tr("Copy")))
        self._copied.start()
        self.notice.emit(self.tr("Copied to the clipboard."))


def split_reasoning(text: str) -> tuple[str, str]:
    """(reasoning, answer): the answer is what the body shows as Markdown."""
    return think.split_answer(text)


class Versions(QWidget):
    """‹ 2/3 ›: the versions of a message (regenerated answers, edited questions)."""

    chosen = Signal(int)  # the id of the version to show

    def __init__(self) -> None:
        super().__init__(visible=False)
        self.ids: list[int] = []
        self.at = 0
        self.previous = QToolButton(text="‹", toolTip=self.tr("The previous version"))
        self.next = QToolButton(text="›", toolTip=self.tr("The next version"))
        # the arrows say nothing when read
        self.previous.setAccessibleName(self.tr("Previous version"))
        self.next.setAccessibleName(self.tr("Next version"))
        self.label = QLabel()
        self.previous.clicked.connect(lambda: self._go(-1))
        self.next.clicked.connect(lambda: self._go(1))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for part in (self.previous, self.label, self.next):
            row.addWidget(part)

    def show_versions(self, ids: list[int], current: int) -> None:
        self.ids, self.at = list(ids), ids.index(current) if current in ids else 0
        self.label.setText(f"{self.at + 1}/{len(ids)}")
        self.label.setAccessibleName(
            self.tr("Version {number} of {total}").format(number=self.at + 1, total=len(ids))
        )
        self.previous.setEnabled(self.at > 0)
        self.next.setEnabled(self.at < len(ids) - 1)
        self.setVisible(len(ids) > 1)

    def _go(self, step: int) -> None:
        if 0 <= self.at + step < len(self.ids):
            self.chosen.emit(self.ids[self.at + step])


class CutNote(QWidget):
    """Under an answer cut by the length limit: says so, and offers to go on."""

    def __init__(self) -> None:
        super().__init__(visible=False)
        self.label = QLabel(self.tr("Cut at the answer length limit."))
        self.label.setProperty("tone", "muted")
        self.label.setStyleSheet("font-style: italic;")
        self.button = QToolButton(
            text=self.tr("Continue"), toolTip=self.tr("Go on with this answer")
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        row.addStretch(1)


def _top_level_extras(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("math_check", "checks", "sources") if row.get(k)}


def _left_out_note() -> QLabel:
    label = _note("muted", "font-style: italic;")
    label.setText(
        QCoreApplication.translate(
            "MessageWidget", "Left out of the model's view: the conversation outgrew its context."
        )
    )
    return label


def _reasoning_label() -> QLabel:
    label = _note("muted", "border-left: 3px solid palette(mid); padding-left: 6px;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _note(tone: str, style: str = "") -> QLabel:
    """A hidden, wrapping label for outside text, never read as rich text, coloured by the
    theme's style sheet for its tone (muted, error, warning, success)."""
    label = QLabel(wordWrap=True, visible=False, textFormat=Qt.TextFormat.PlainText)
    label.setProperty("tone", tone)
    if style:
        label.setStyleSheet(style)
    return label


def _metadata(row: dict[str, Any]) -> str:
    if row.get("role") != "assistant":
        return row.get("created_at") or ""
    translate = QCoreApplication.translate
    parts = [f"{row.get('model_id') or '?'} {row.get('quant') or ''}".strip()]
    assistant = load_assistants().get(row.get("assistant_id") or "")
    if assistant is not None:
        parts.insert(0, assistant_name(assistant.name))
    if row.get("n_ctx"):
        parts.append(translate("MessageWidget", "context {n}").format(n=row["n_ctx"]))
    if row.get("tokens_per_s"):
        speed = number(row["tokens_per_s"], 1)
        parts.append(translate("MessageWidget", "{speed} tokens/s").format(speed=speed))
    if row.get("ttft_s"):
        ms = number(row["ttft_s"] * 1000)
        parts.append(translate("MessageWidget", "first token {ms} ms").format(ms=ms))
    if row.get("completion_tokens"):
        parts.append(
            translate("MessageWidget", "{prompt} + {completion} tokens").format(
                prompt=row["prompt_tokens"], completion=row["completion_tokens"]
            )
        )
    return " · ".join(parts)
