"""The chat transcript: one widget per message, Markdown rendered to Qt rich text. Messages
are outside text: the body is a SafeText (no resource loads; links go through the LinkPolicy),
everything else from the message is plain text."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import store as st
from desktop_app.core.assistants import think
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.assistants.specialist import sources_footer
from desktop_app.core.render import render_markdown
from desktop_app.core.turn import left_out_ids
from desktop_app.ui.links import LinkPolicy
from desktop_app.ui.safe_text import SafeText, plain_tooltip

ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "Instructions"}
STATUS_NOTES = {
    st.STOPPED: "Stopped by you.",
    st.INTERRUPTED: "Interrupted.",
    st.ERROR: "No answer.",
}


class MessageWidget(QFrame):
    edit_requested = Signal(int)  # this message's id (a question of the user's)
    version_requested = Signal(int)  # the id of the version to show instead of this one
    continue_requested = Signal(int)  # this answer's id: it was cut by the length limit

    def __init__(self, row: dict[str, Any], links: LinkPolicy | None = None):
        super().__init__()
        self.links = links or LinkPolicy()
        self.row = dict(row)
        self.text = row.get("content", "")
        self.setObjectName(f"message-{row['role']}")
        self.role_label = QLabel(f"<b>{html.escape(ROLE_NAMES.get(row['role'], row['role']))}</b>")
        self.copy_button = QToolButton(text="Copy", toolTip="Copy this message as text")
        self.copy_button.clicked.connect(self.copy)
        self.body = SafeText()
        self.body.anchorClicked.connect(self._open_link)
        self.reasoning_button = QToolButton(text="Show reasoning", checkable=True, visible=False)
        self.reasoning_button.toggled.connect(self._toggle_reasoning)
        self.reasoning = _plain_label()
        self.reasoning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reasoning.setStyleSheet("color: #666; border-left: 3px solid #ccc; padding-left: 6px;")
        self.sources: SafeText | None = None  # made for answers that cite documents
        self.check_note = _plain_label()
        self.note = _plain_label()
        self.note.setStyleSheet("color: #a33;")
        self.left_out_note = QLabel(
            "Left out of the model's view: the conversation outgrew its context.",
            visible=False,
            wordWrap=True,
        )
        self.left_out_note.setStyleSheet("color: #777; font-style: italic;")
        self._history_controls()
        layout = QVBoxLayout(self)
        layout.addLayout(self._header())
        layout.addWidget(self.left_out_note)
        layout.addWidget(self.reasoning)
        layout.addWidget(self.body)
        layout.addWidget(self.check_note)
        layout.addWidget(self.note)
        layout.addWidget(self.cut)
        self._render()
        self.set_row(row)

    def _header(self) -> QHBoxLayout:
        """Who wrote it and its versions; the buttons on the right."""
        header = QHBoxLayout()
        header.addWidget(self.role_label)
        header.addWidget(self.versions)
        header.addStretch(1)
        for button in (self.reasoning_button, self.edit_button, self.copy_button):
            header.addWidget(button)
        return header

    def _history_controls(self) -> None:
        """Versions ‹ 2/3 ›, Edit (the user's messages), and Continue under a cut answer."""
        self.versions = Versions()
        self.versions.chosen.connect(self.version_requested)
        self.edit_button = QToolButton(
            text="Edit",
            visible=self.row["role"] == "user",
            toolTip="Change this message and send it again: a new branch starts here; the old "
            "one stays (‹ › switch between them)",
        )
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.row["id"]))
        self.cut = CutNote()
        self.cut.button.clicked.connect(lambda: self.continue_requested.emit(self.row["id"]))

    def _render(self) -> None:
        streaming = self.row.get("status") == st.STREAMING
        reasoning, answer = think.split_answer(self.text)
        if reasoning:  # folded by default; the toggle shows it
            self.reasoning.setText(reasoning.strip())
            self.reasoning_button.show()
            if not answer.strip() and streaming:
                answer = "*Thinking…*"
        self.body.setText(render_markdown(answer) if answer else ("…" if streaming else ""))

    def _open_link(self, url: QUrl) -> None:
        self.links.open(url, self)

    def _toggle_reasoning(self, shown: bool) -> None:
        self.reasoning.setVisible(shown)
        self.reasoning_button.setText("Hide reasoning" if shown else "Show reasoning")

    def append_text(self, text: str) -> None:
        self.text += text
        self._render()

    def set_row(self, row: dict[str, Any]) -> None:
        self.row.update(row)
        self.text = self.row.get("content", self.text)
        self._render()
        status = self.row.get("status")
        note = STATUS_NOTES.get(status, "")
        if self.row.get("error"):
            note = f"{note} {self.row['error']}".strip()
        self.note.setText(note)
        self.note.setVisible(bool(note))
        extras = {**(self.row.get("extras") or {}), **_top_level_extras(self.row)}
        self._show_check(extras)
        self._show_sources(extras.get("sources") or [])
        self.setToolTip(plain_tooltip(_metadata(self.row)))
        self.versions.show_versions(self.row.get("siblings") or [], self.row["id"])
        cut = self.row.get("finish_reason") == "length" and status == st.COMPLETE
        self.cut.setVisible(cut and self.row.get("role") == "assistant")

    def _show_sources(self, sources: list[dict[str, Any]]) -> None:
        if sources and self.sources is None:
            self.sources = SafeText()
            self.sources.anchorClicked.connect(self._open_link)
            layout = self.layout()
            layout.insertWidget(layout.indexOf(self.check_note), self.sources)
        if self.sources is not None:
            self.sources.setText(render_markdown(sources_footer(sources)) if sources else "")
            self.sources.setVisible(bool(sources))

    def _show_check(self, extras: dict[str, Any]) -> None:
        checked = extras.get("math_check") or ""
        failed = any(not c.get("ok", True) for c in extras.get("checks") or [])
        self.check_note.setText(("⚠ " if failed else "✓ ") + checked if checked else "")
        self.check_note.setStyleSheet(
            "color: #b35900; font-weight: bold;" if failed else "color: #1a7f37;"
        )
        self.check_note.setVisible(bool(checked))

    def set_left_out(self, left_out: bool) -> None:
        self.left_out_note.setVisible(left_out)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)


class Versions(QWidget):
    """‹ 2/3 ›: the versions of a message (regenerated answers, edited questions)."""

    chosen = Signal(int)  # the id of the version to show

    def __init__(self) -> None:
        super().__init__(visible=False)
        self.ids: list[int] = []
        self.at = 0
        self.previous = QToolButton(text="‹", toolTip="The previous version")
        self.next = QToolButton(text="›", toolTip="The next version")
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
        self.label = QLabel("Cut at the answer length limit.")
        self.label.setStyleSheet("color: #777; font-style: italic;")
        self.button = QToolButton(text="Continue", toolTip="Go on with this answer")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        row.addStretch(1)


def _top_level_extras(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("math_check", "checks", "sources") if row.get(k)}


def _plain_label() -> QLabel:
    """A hidden, wrapping label for outside text, never read as rich text."""
    return QLabel(wordWrap=True, visible=False, textFormat=Qt.TextFormat.PlainText)


def _metadata(row: dict[str, Any]) -> str:
    if row.get("role") != "assistant":
        return row.get("created_at") or ""
    parts = [f"{row.get('model_id') or '?'} {row.get('quant') or ''}".strip()]
    assistant = load_assistants().get(row.get("assistant_id") or "")
    if assistant is not None:
        parts.insert(0, assistant.name)
    if row.get("n_ctx"):
        parts.append(f"context {row['n_ctx']}")
    if row.get("tokens_per_s"):
        parts.append(f"{row['tokens_per_s']:.1f} tokens/s")
    if row.get("ttft_s"):
        parts.append(f"first token {row['ttft_s'] * 1000:.0f} ms")
    if row.get("completion_tokens"):
        parts.append(f"{row['prompt_tokens']} + {row['completion_tokens']} tokens")
    return " · ".join(parts)


class ChatView(QScrollArea):
    """A vertical list of MessageWidgets that follows the newest text while at the bottom."""

    edit_requested = Signal(int)  # a message's id (MessageWidget's signals, passed on)
    version_requested = Signal(int)
    continue_requested = Signal(int)

    def __init__(self, links: LinkPolicy | None = None) -> None:
        super().__init__()
        self.links = links or LinkPolicy()  # its `notice` says why a link was not opened
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        container = QWidget()
        self.column = QVBoxLayout(container)
        self.column.addStretch(1)
        self.empty_hint = QLabel(
            "Ask anything. Everything stays on this computer.",
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        self.empty_hint.setStyleSheet("color: #888; font-size: 15px;")
        self.column.insertWidget(0, self.empty_hint)
        self.setWidget(container)
        self.widgets: dict[int, MessageWidget] = {}
        self._follow = True
        self._target: int | None = None  # a message to keep in view (a search hit)
        self.verticalScrollBar().valueChanged.connect(self._track_follow)
        self.verticalScrollBar().rangeChanged.connect(self._keep_following)

    def clear(self) -> None:
        for widget in self.widgets.values():
            widget.deleteLater()
        self.widgets.clear()
        self.empty_hint.show()
        self._follow, self._target = True, None

    def show_messages(self, rows: list[dict[str, Any]]) -> None:
        self.clear()
        for row in rows:
            self.add_message(row)
        latest = next((r for r in reversed(rows) if r["role"] == "assistant"), None)
        self.mark_left_out(left_out_ids(rows, latest.get("context_left_out", 0) if latest else 0))

    def add_message(self, row: dict[str, Any]) -> MessageWidget:
        """Show a message; one already shown (loaded and announced at once) is updated."""
        if row["id"] in self.widgets:
            self.widgets[row["id"]].set_row(row)
            return self.widgets[row["id"]]
        widget = MessageWidget(row, self.links)
        widget.edit_requested.connect(self.edit_requested)
        widget.version_requested.connect(self.version_requested)
        widget.continue_requested.connect(self.continue_requested)
        self.widgets[row["id"]] = widget
        self.column.insertWidget(self.column.count() - 1, widget)
        self.empty_hint.hide()
        self._follow, self._target = True, None
        return widget

    def shown_messages(self) -> list[MessageWidget]:
        """The message widgets in the layout, top to bottom."""
        items = (self.column.itemAt(i).widget() for i in range(self.column.count()))
        return [w for w in items if isinstance(w, MessageWidget)]

    def remove_message(self, message_id: int) -> None:
        widget = self.widgets.pop(message_id, None)
        if widget is not None:
            widget.deleteLater()

    def append_text(self, message_id: int, text: str) -> None:
        if message_id in self.widgets:
            self.widgets[message_id].append_text(text)

    def set_row(self, message_id: int, row: dict[str, Any]) -> None:
        if message_id in self.widgets:
            self.widgets[message_id].set_row(row)

    def mark_left_out(self, ids: list[int]) -> None:
        """Mark the messages the model no longer sees (the oldest ones, as the turn reported)."""
        left_out = set(ids)
        for message_id, widget in self.widgets.items():
            widget.set_left_out(message_id in left_out)

    def scroll_to(self, message_id: int) -> None:
        """Show the message (a search hit) instead of following the newest one; kept in view
        while the layout settles."""
        if message_id in self.widgets:
            self._follow, self._target = False, message_id
            QTimer.singleShot(0, self._show_target)

    def _show_target(self) -> None:
        widget = self.widgets.get(self._target) if self._target is not None else None
        if widget is not None:
            self.ensureWidgetVisible(widget, 0, 40)

    def _track_follow(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._follow = value >= bar.maximum() - 8

    def _keep_following(self, _min: int, maximum: int) -> None:
        if self._target is not None:
            QTimer.singleShot(0, self._show_target)
        elif self._follow:
            QTimer.singleShot(0, lambda: self.verticalScrollBar().setValue(maximum))
