"""The status line's notice: as tall as the text needs at the width it has, never less than two
lines, so a notice that wraps does not push the window's content up and down as it comes and
goes. (A word-wrapped QLabel in a status bar asks for the height of its text wrapped at a width
of its own choosing, not at the width it is given: a two-line notice took four.)"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

LINES = 2


class NoticeLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, textFormat=Qt.TextFormat.PlainText)  # may quote outside text
        self.setWordWrap(True)
        self._height = 0

    def hasHeightForWidth(self) -> bool:
        return False  # the height is the sizeHint's, at the width the label has

    def _needed(self) -> int:
        margins = self.contentsMargins()
        least = self.fontMetrics().lineSpacing() * LINES + margins.top() + margins.bottom()
        width = self.width()
        return max(least, self.heightForWidth(width) if width > 0 and self.text() else 0)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._needed())

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._needed())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._changed()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._changed()

    def _changed(self) -> None:
        needed = self._needed()
        if needed != self._height:
            self._height = needed
            self.updateGeometry()
