"""Windows that fit the screen they are on: a geometry saved on a big monitor, restored on a
small one or at a scale factor of 1.5 or 2 (where the same screen has fewer logical pixels),
is shrunk and moved into the screen's available area, so every button stays reachable."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

# Before a window is first shown the window manager's frame is unknown: leave this much room
# for a title bar and borders.
FRAME_ALLOWANCE = (16, 40)


def screen_for(widget: QWidget) -> QScreen:
    """The screen showing most of the window (its centre), else the one Qt gave it."""
    centre = widget.frameGeometry().center()
    return QGuiApplication.screenAt(centre) or widget.screen() or QGuiApplication.primaryScreen()


def fitted(frame: QRect, extra_w: int, extra_h: int, available: QRect) -> QRect:
    """The client geometry, shrunk to fit `available` with its frame and moved inside it."""
    width = min(frame.width() - extra_w, available.width() - extra_w)
    height = min(frame.height() - extra_h, available.height() - extra_h)
    x = min(max(frame.x(), available.x()), available.x() + available.width() - width - extra_w)
    y = min(max(frame.y(), available.y()), available.y() + available.height() - height - extra_h)
    return QRect(x, y, width, height)


def fit_to_screen(widget: QWidget) -> None:
    """Shrink and move a top-level window into the available area of its screen (nothing
    changes for a window that fits, or one that is maximized or full screen)."""
    if widget.isMaximized() or widget.isFullScreen():
        return
    frame, client = widget.frameGeometry(), widget.geometry()
    extra_w, extra_h = frame.width() - client.width(), frame.height() - client.height()
    if (extra_w, extra_h) == (0, 0) and not widget.isVisible():
        extra_w, extra_h = FRAME_ALLOWANCE
        frame = QRect(client.x(), client.y(), client.width() + extra_w, client.height() + extra_h)
    available = screen_for(widget).availableGeometry()
    if available.contains(frame):
        return
    target = fitted(frame, extra_w, extra_h, available)
    widget.resize(max(target.width(), 1), max(target.height(), 1))
    widget.move(target.x(), target.y())
