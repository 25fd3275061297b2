"""Keyboard and screen-reader plumbing shared by the windows: the Tab order as an explicit list of
stops (Qt's own focus chain follows creation order, and the transcript makes and lets go of
message widgets as the user scrolls), shortcuts with a fallback where the platform has none, and
announcements of status changes to screen readers. Widgets only; no business logic."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeySequence
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

StandardKey = QKeySequence.StandardKey


def shortcuts(standard: StandardKey | None, fallback: str = "") -> list[QKeySequence]:
    """The platform's keys for a standard action, else `fallback` (Preferences has no key on
    Linux desktops, and the offscreen and Xvfb platforms give Quit none either)."""
    keys = QKeySequence.keyBindings(standard) if standard is not None else []
    return keys or ([QKeySequence(fallback)] if fallback else [])


def takes_tab(widget: QWidget) -> bool:
    """Whether Tab may stop on the widget now."""
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
    )


def tab_stops_in(widget: QWidget) -> list[QWidget]:
    """The widgets under `widget` that Tab may stop on, in its focus chain's order (for parts
    whose chain is fixed at creation: a dock, a message widget)."""
    found, step = [], widget.nextInFocusChain()
    while step is not widget and widget.isAncestorOf(step):
        if takes_tab(step):
            found.append(step)
        step = step.nextInFocusChain()
    return found


def next_stop(stops: list[QWidget], current: QWidget | None, forward: bool) -> QWidget | None:
    """The stop after (or before) `current`, wrapping around; None when `current` is no stop
    (Qt's own chain decides then: a menu, a dialog)."""
    if current is None or current not in stops:
        return None
    return stops[(stops.index(current) + (1 if forward else -1)) % len(stops)]


def visible_in(area: QAbstractScrollArea, widgets: list[QWidget]) -> list[QWidget]:
    """Those of `widgets` (inside the scroll area) that show at least partly in its viewport."""
    port = area.viewport()
    shown = []
    for widget in widgets:
        top = widget.mapTo(port, widget.rect().topLeft()).y()
        if top + widget.height() > 0 and top < port.height():
            shown.append(widget)
    return shown


def announce(widget: QWidget, text: str, assertive: bool = False) -> None:
    """Say `text` to a screen reader without moving focus: an announcement where this Qt has
    them (6.8+), else a name change of `widget` (a status label), which screen readers read
    out for a live status line."""
    if not text:
        return
    event_type = getattr(QtGui, "QAccessibleAnnouncementEvent", None)
    if event_type is not None:
        event = event_type(widget, text)
        if assertive:  # errors interrupt; other notices wait their turn
            event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    else:
        event = QAccessibleEvent(widget, QAccessible.Event.NameChanged)
    QAccessible.updateAccessibility(event)
