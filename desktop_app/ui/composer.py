"""Where the user writes: Enter sends, Shift+Enter starts a new line; Stop and Regenerate."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


class InputBox(QPlainTextEdit):
    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    send_requested = Signal(str)
    stop_requested = Signal()
    regenerate_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.input = InputBox(placeholderText="Message (Enter sends, Shift+Enter: new line)")
        self.input.setMaximumHeight(120)
        self.input.submitted.connect(self._submit)
        self.send_button = QPushButton("Send", default=True)
        self.send_button.clicked.connect(self._submit)
        self.stop_button = QPushButton("Stop", enabled=False, toolTip="Stop the answer (Esc)")
        self.stop_button.setShortcut(Qt.Key.Key_Escape)
        self.stop_button.clicked.connect(self.stop_requested)
        self.regenerate_button = QPushButton("Regenerate", toolTip="Answer the last message again")
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        buttons = QVBoxLayout()
        for button in (self.send_button, self.stop_button, self.regenerate_button):
            buttons.addWidget(button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.input, 1)
        layout.addLayout(buttons)
        self.busy = False

    def _submit(self) -> None:
        text = self.input.toPlainText().strip()
        if text and not self.busy:
            self.input.clear()
            self.send_requested.emit(text)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.send_button.setEnabled(not busy)
        self.regenerate_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
