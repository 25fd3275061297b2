"""Where the user writes: Enter sends, Shift+Enter starts a new line; Stop, Regenerate and, for
the assistants that have them, Quiz me and Show solution (only once the conversation has a
question of the user's); the assistant and, for the tutor, the learner's level; a file dropped
here is offered to the conversation to ask about (files_dropped), not pasted."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.assistants.registry import Assistant
from desktop_app.ui.keyboard import takes_tab
from desktop_app.ui.model_text import assistant_name

QUIZ_PROMPT = (
    "Quiz me: ask me one question about what we have been talking about, then wait "
    "for my answer. When I answer, tell me whether I am right and why, and ask the "
    "next question."
)
# What Show solution sends: the same words a learner may type (the tutor understands both).
SOLUTION_PROMPT = "Show me the solution."


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files a drop carries (a web link or text is no file to index)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class InputBox(QPlainTextEdit):
    submitted = Signal()
    files_dropped = Signal(list)  # [Path]: files dropped onto the box, to ask about
    paged = Signal(int)  # Page Up (-1) or Page Down (1) the box has no use for

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return bool(dropped_files(source)) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = dropped_files(source)
        if files:
            self.files_dropped.emit(files)  # a file is asked about, not pasted as its path
        else:
            super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.key() == Qt.Key.Key_Tab and control:
            # Tab moves on (a keyboard trap otherwise); Ctrl+Tab types a tab
            self.insertPlainText("\t")
            return
        page = {Qt.Key.Key_PageUp: -1, Qt.Key.Key_PageDown: 1}.get(Qt.Key(event.key()))
        if page and self.verticalScrollBar().maximum() == 0:  # a message that fits: the
            self.paged.emit(page)  # conversation above scrolls, as in other chat apps
            return
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    files_dropped = Signal(list)  # [Path]
    send_requested = Signal(str)
    stop_requested = Signal()
    regenerate_requested = Signal()
    assistant_changed = Signal(str, str)  # assistant id, learner level ("" if none)

    def __init__(self) -> None:
        super().__init__()
        self.input = InputBox(
            placeholderText=self.tr("Message (Enter sends, Shift+Enter: new line)")
        )
        self.input.setMaximumHeight(120)
        self.input.setTabChangesFocus(True)
        self.input.setAccessibleName(self.tr("Message"))
        self.input.setAccessibleDescription(
            self.tr("Enter sends; Shift+Enter starts a new line; Ctrl+Tab types a tab")
        )
        self.input.submitted.connect(self._submit)
        self.input.files_dropped.connect(self.files_dropped)
        self.send_button = QPushButton(self.tr("Send"), default=True)
        self.send_button.clicked.connect(self._submit)
        self.stop_button = QPushButton(
            self.tr("Stop"), enabled=False, toolTip=self.tr("Stop the answer (Esc)")
        )
        self.stop_button.clicked.connect(self.stop_requested)
        self.regenerate_button = QPushButton(
            self.tr("Regenerate"), toolTip=self.tr("Answer the last message again")
        )
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        self.quiz_button, self.solution_button = self._tutor_buttons()
        self.assistants: dict[str, Assistant] = {}
        picker = self._picker()
        buttons = QVBoxLayout()
        for button in (
            self.send_button,
            self.stop_button,
            self.regenerate_button,
            self.quiz_button,
            self.solution_button,
        ):
            buttons.addWidget(button)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(picker)
        layout.addLayout(row)
        self.busy = False
        self.topic = False  # the conversation has a question of the user's
        self._make_actions()
        self._enable()

    def _make_actions(self) -> None:
        """The buttons as actions with shortcuts, for the window's Chat menu; each is enabled and
        shown as its button is."""
        self.stop_action = QAction(self.tr("Stop the answer"), self, shortcut=QKeySequence("Esc"))
        self.regenerate_action = QAction(
            self.tr("Regenerate the answer"), self, shortcut=QKeySequence("Ctrl+R")
        )
        self.quiz_action = QAction(self.tr("Quiz me"), self, shortcut=QKeySequence("Ctrl+Shift+Q"))
        self.solution_action = QAction(
            self.tr("Show the solution"), self, shortcut=QKeySequence("Ctrl+Shift+S")
        )
        for action, button in self._buttons_of_actions():
            action.triggered.connect(button.click)  # a disabled button ignores it, as it should

    def _buttons_of_actions(self) -> list[tuple[QAction, QPushButton]]:
        return [
            (self.stop_action, self.stop_button),
            (self.regenerate_action, self.regenerate_button),
            (self.quiz_action, self.quiz_button),
            (self.solution_action, self.solution_button),
        ]

    def _sync_actions(self) -> None:
        for action, button in self._buttons_of_actions():
            action.setEnabled(button.isEnabled())
            action.setVisible(not button.isHidden())

    def tab_stops(self) -> list[QWidget]:
        """Where Tab stops here, in order: who answers, the message, then the buttons."""
        widgets: list[QWidget] = [self.assistant_box, self.level_box, self.input, self.send_button]
        widgets += [button for _action, button in self._buttons_of_actions()]
        return [widget for widget in widgets if takes_tab(widget)]

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _picker(self) -> QHBoxLayout:
        """Who answers (and, for the tutor, the learner's level)."""
        self.assistant_box = QComboBox(
            toolTip=self.tr("Who answers: switch at any time; the conversation so far stays")
        )
        self.level_box = QComboBox(toolTip=self.tr("The learner's level"), visible=False)
        self.assistant_box.currentIndexChanged.connect(self._assistant_picked)
        self.level_box.currentIndexChanged.connect(self._assistant_picked)
        self.assistant_box.setAccessibleName(self.tr("Assistant"))
        self.level_box.setAccessibleName(self.tr("Learner's level"))
        picker = QHBoxLayout()
        picker.addWidget(QLabel(self.tr("Assistant:")))
        picker.addWidget(self.assistant_box)
        picker.addWidget(self.level_box)
        picker.addStretch(1)
        return picker

    def _tutor_buttons(self) -> tuple[QPushButton, QPushButton]:
        """Quiz me and Show solution: shown for the assistants that have those features."""
        quiz = QPushButton(
            self.tr("Quiz me"),
            visible=False,
            toolTip=self.tr("Questions on what we have been talking about"),
        )
        quiz.clicked.connect(self.quiz)
        solution = QPushButton(
            self.tr("Show solution"),
            visible=False,
            toolTip=self.tr(
                "The tutor holds the answer back until you ask: the worked solution, checked"
            ),
        )
        solution.clicked.connect(self.show_solution)
        return quiz, solution

    def set_assistants(self, assistants: dict[str, Assistant], current: str) -> None:
        self.assistants = assistants
        self.assistant_box.blockSignals(True)
        self.assistant_box.clear()
        for assistant in assistants.values():
            self.assistant_box.addItem(assistant_name(assistant.name), assistant.id)
            self.assistant_box.setItemData(
                self.assistant_box.count() - 1, assistant.purpose, Qt.ItemDataRole.ToolTipRole
            )
        self.assistant_box.blockSignals(False)
        self.select_assistant(current)

    def select_assistant(self, assistant_id: str) -> None:
        index = self.assistant_box.findData(assistant_id)
        self.assistant_box.setCurrentIndex(max(index, 0))
        self._assistant_picked()

    def _assistant_picked(self) -> None:
        assistant = self.assistants.get(self.assistant_box.currentData())
        if assistant is None:
            return
        if assistant.levels and self.level_box.count() != len(assistant.levels):
            self.level_box.blockSignals(True)
            self.level_box.clear()
            self.level_box.addItems(assistant.levels)
            self.level_box.setCurrentText(assistant.default_level)
            self.level_box.blockSignals(False)
        self.level_box.setVisible(bool(assistant.levels))
        self.quiz_button.setVisible("quiz" in assistant.features)
        self.solution_button.setVisible("withhold_answer" in assistant.features)
        self._sync_actions()
        level = self.level_box.currentText() if assistant.levels else ""
        self.assistant_changed.emit(assistant.id, level)

    def _submit(self) -> None:
        text = self.input.toPlainText().strip()
        if text and not self.busy:
            self.input.clear()
            self.send_requested.emit(text)
        self.focus_input()  # after a click on Send, the next message is typed at once

    def quiz(self) -> None:
        if not self.busy and self.topic:
            self.send_requested.emit(QUIZ_PROMPT)

    def show_solution(self) -> None:
        if not self.busy and self.topic:
            self.send_requested.emit(SOLUTION_PROMPT)

    def set_level(self, level: str) -> None:
        """A reopened conversation's level (the level box says it; the next answer uses it)."""
        if self.level_box.findText(level) >= 0:
            self.level_box.setCurrentText(level)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._enable()

    def set_topic(self, topic: bool) -> None:
        """Whether the conversation has a question of the user's: without one, Regenerate has
        nothing to answer and Quiz me no topic (its words would become the title)."""
        self.topic = topic
        self._enable()

    def _enable(self) -> None:
        self.send_button.setEnabled(not self.busy)
        self.stop_button.setEnabled(self.busy)
        self.regenerate_button.setEnabled(not self.busy and self.topic)
        self.quiz_button.setEnabled(not self.busy and self.topic)
        self.solution_button.setEnabled(not self.busy and self.topic)
        why = "" if self.topic else " " + self.tr("(after your first message)")
        self.regenerate_button.setToolTip(self.tr("Answer the last message again") + why)
        self.quiz_button.setToolTip(self.tr("Questions on what we have been talking about") + why)
        self._sync_actions()
