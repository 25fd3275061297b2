"""The chat transcript. A conversation may hold thousands of messages: only those near the
visible area have a MessageWidget (a contiguous run of them); older ones are made as the user
scrolls up, a few milliseconds at a time between frames (a long answer in stages, the part
nearest the reader first), and far ones are let go, so opening, scrolling and memory do not
grow with the conversation. What the user reads stays in place
while messages are made or let go above it; at the bottom the view follows the newest text.
Messages are outside text: see message_widget.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QLabel,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import store as st
from desktop_app.core.turn import left_out_ids
from desktop_app.services.rendering import RenderAhead
from desktop_app.ui.keyboard import visible_in
from desktop_app.ui.links import LinkPolicy
from desktop_app.ui.message_body import Stage, expected_s
from desktop_app.ui.message_widget import MessageWidget
from desktop_app.ui.prerender import Prerender

__all__ = ["ChatView", "MessageWidget"]

PREFETCH_SCREENS = 1.0  # made ahead of the visible area, on each side
RELEASE_SCREENS = 3.0  # let go beyond this distance from it
MAX_WIDGETS = 60  # whatever the heights, never more (the visible area excepted)
MIN_WIDGETS = 24  # whatever the heights, as many (a short conversation has all its widgets)
OPEN_BUDGET_S = 0.15  # at opening, this long at most before the first frame
TICK_S = 0.004  # work per turn of the event loop while filling, so frames keep coming
AHEAD_ROWS = 12  # messages beyond those with widgets, rendered ahead (off the GUI thread)
FIRST = 2  # the first message's place in the column, after the two notes
FOLLOW_SLACK_PX = 8
TARGET_MARGIN_PX = 40  # a message scrolled to (a search hit) sits this far below the top


class ChatView(QScrollArea):
    """The messages of one conversation, top to bottom, following the newest text while at
    the bottom. `widgets` holds the messages that have a widget now, top to bottom."""

    notice = Signal(str)  # plain words for the status line
    topic_changed = Signal(bool)  # whether the conversation has a question of the user's
    edit_requested = Signal(int)  # a message's id (MessageWidget's signals, passed on)
    version_requested = Signal(int)
    continue_requested = Signal(int)

    def __init__(self, links: LinkPolicy | None = None, ahead: RenderAhead | None = None):
        super().__init__()
        self.links = links or LinkPolicy()  # its `notice` says why a link was not opened
        self.ahead = ahead  # renders messages ahead of need, off the GUI thread (or None)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setObjectName("transcript")  # the style sheet marks it when it has the focus
        self.setAccessibleName(self.tr("Conversation"))
        self.setAccessibleDescription(
            self.tr(
                "Page Up and Page Down scroll, Home and End go to the first and the newest "
                "message; Tab goes through the messages"
            )
        )
        container = QWidget()
        self.column = QVBoxLayout(container)
        self.older_note = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, visible=False)
        self.older_note.setProperty("tone", "muted")
        self.empty_hint = QLabel(
            self.tr("Ask anything. Everything stays on this computer."),
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        self.empty_hint.setProperty("tone", "muted")
        self.empty_hint.setStyleSheet("font-size: 15px;")
        self.column.addWidget(self.older_note)
        self.column.addWidget(self.empty_hint)
        self.column.addStretch(1)
        self.setWidget(container)
        self.rows: list[dict[str, Any]] = []  # every message of the conversation
        self._index: dict[int, int] = {}  # message id → place in rows
        self.widgets: dict[int, MessageWidget] = {}  # rows[_lo:_hi], top to bottom
        self._lo = self._hi = 0
        self._left_out: set[int] = set()
        self._waiting_since: dict[int, float] = {}  # answers awaiting their first token
        self._ahead_of = (0, 0, 0)  # the window last rendered ahead of: (_lo, _hi, rows)
        self._topic = False
        self._follow = True
        self._anchor: tuple[int, int] | None = None  # (message id, its top - scroll value)
        self._adjusting = False
        self._waiting = False  # widgets are wanted whose text is being rendered ahead
        self._staged: dict[int, bool] = {}  # made in stages, not finished: id → from its end
        self._filler = QTimer(self, singleShot=True, interval=0)
        self._filler.timeout.connect(self._fill)
        self._prerender = Prerender(ahead, self._filler.start)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._track)
        bar.rangeChanged.connect(self._range_changed)

    # -- what the window calls ----------------------------------------------------------------
    def clear(self) -> None:
        with self._keeping_position():
            self._release(self._lo, self._hi)
            self.rows, self._index = [], {}
            self._lo = self._hi = 0
            self._left_out.clear()
            self._waiting_since.clear()
            self._prerender.forget()
            self._ahead_of = (0, 0, 0)
            self._waiting = False
            self._staged.clear()
            self._follow = True
        self.empty_hint.show()
        self._show_older_note()
        self._set_topic(False)

    def show_messages(self, rows: list[dict[str, Any]]) -> None:
        """Open a conversation at its newest message: widgets for what fills the window now,
        the ones just above it between the next frames."""
        self.clear()
        self.rows = [dict(row) for row in rows]
        self._index = {row["id"]: i for i, row in enumerate(self.rows)}
        self._lo = self._hi = len(self.rows)
        latest = next((r for r in reversed(self.rows) if r["role"] == "assistant"), None)
        self.mark_left_out(
            left_out_ids(self.rows, latest.get("context_left_out", 0) if latest else 0)
        )
        self._open_at_bottom()
        self._set_topic(any(_is_question(row) for row in self.rows))

    def add_message(self, row: dict[str, Any]) -> MessageWidget | None:
        """Show a message at the bottom (and go there); one already shown (loaded and announced
        at once) is updated."""
        if row["id"] in self._index:
            self.set_row(row["id"], row)
            return self.widgets.get(row["id"])
        if self._hi < len(self.rows):  # far up: the newest have no widgets now
            with self._keeping_position():
                self._release(self._lo, self._hi)
                self._lo = self._hi = len(self.rows)
        self.rows.append(dict(row))
        self._index[row["id"]] = len(self.rows) - 1
        if row.get("status") == st.STREAMING and not row.get("content"):
            self._waiting_since[row["id"]] = time.monotonic()
        self._follow = True
        with self._keeping_position():
            self._make(self._hi)
        self.empty_hint.hide()
        self._set_topic(self._topic or _is_question(row))
        self._number()
        self._filler.start()
        return self.widgets[row["id"]]

    def shown_messages(self) -> list[MessageWidget]:
        """The message widgets there are now, top to bottom."""
        return list(self.widgets.values())

    def remove_message(self, message_id: int) -> None:
        place = self._index.pop(message_id, None)
        if place is None:
            return
        with self._keeping_position():
            if message_id in self.widgets:
                self._discard(self.widgets.pop(message_id))
            del self.rows[place]
            for i in range(place, len(self.rows)):
                self._index[self.rows[i]["id"]] = i
            self._lo -= place < self._lo
            self._hi -= place < self._hi
        self._waiting_since.pop(message_id, None)
        self._number()
        self._set_topic(any(_is_question(row) for row in self.rows))
        self._filler.start()

    def append_text(self, message_id: int, text: str) -> None:
        place = self._index.get(message_id)
        if place is None:
            return
        row = self.rows[place]
        row["content"] = row.get("content", "") + text
        if message_id in self.widgets:
            self.widgets[message_id].append_text(text)

    def set_row(self, message_id: int, row: dict[str, Any]) -> None:
        place = self._index.get(message_id)
        if place is None:
            return
        self.rows[place].update(row)
        if message_id in self.widgets:
            self.widgets[message_id].set_row(row)

    def mark_left_out(self, ids: list[int]) -> None:
        """Mark the messages the model no longer sees (the oldest ones, as the turn reported)."""
        self._left_out = set(ids)
        for message_id, widget in self.widgets.items():
            widget.set_left_out(message_id in self._left_out)

    def scroll_to(self, message_id: int) -> None:
        """Show the message (a search hit) near the top instead of following the newest one:
        widgets are made around it (the ones between are let go), then filled in as usual."""
        place = self._index.get(message_id)
        if place is None:
            return
        self._follow = False
        if message_id not in self.widgets:
            with self._keeping_position():
                self._release(self._lo, self._hi)
                self._lo = self._hi = place
                self._make(place)
        self._anchor = (message_id, TARGET_MARGIN_PX)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._restore_position()
        self._show_older_note()
        self._filler.start()

    def set_dark(self, dark: bool) -> None:
        """The colour scheme changed: the messages are rendered again in its colours."""
        if dark == self._prerender.cache.dark:
            return
        self._prerender.set_dark(dark)
        if self.rows:
            reading = None if self._follow else self._anchor  # the place read stays
            self.show_messages(self.rows)
            if reading is not None and reading[0] in self._index:
                self.scroll_to(reading[0])
                self._anchor = reading
                self._restore_position()

    def has_topic(self) -> bool:
        """Whether the user has asked something here (Regenerate and Quiz me need it)."""
        return self._topic

    def scroll_to_bottom(self) -> None:
        if self._hi < len(self.rows):
            with self._keeping_position():
                self._release(self._lo, self._hi)
                self._lo = self._hi = len(self.rows)
            self._open_at_bottom()
        self._follow = True
        self._restore_position()

    def tab_stops(self) -> list[QWidget]:
        """Where Tab stops in the transcript: the view itself (it scrolls by the keys), then
        each message that has a widget, top to bottom; nothing while it is empty."""
        if not self.rows and not self.hasFocus():
            return []
        return [self, *(stop for w in self.widgets.values() for stop in w.tab_stops())]

    def first_visible_stop(self) -> QWidget | None:
        """Where Tab from the view goes: the first message on screen, not one made above it."""
        shown = visible_in(self, list(self.widgets.values()))
        return next((stop for widget in shown for stop in widget.tab_stops()), None)

    def page(self, step: int) -> None:
        """A page up (-1) or down (1), asked from elsewhere (the message box)."""
        action = QAbstractSlider.SliderAction
        bar = self.verticalScrollBar()
        bar.triggerAction(action.SliderPageStepAdd if step > 0 else action.SliderPageStepSub)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Home and self.rows:
            self.scroll_to(self.rows[0]["id"])
        elif event.key() == Qt.Key.Key_End and self.rows:
            self.scroll_to_bottom()
        else:
            super().keyPressEvent(event)

    def _number(self) -> None:
        """Each message widget's place, for screen readers ("Answer 4 of 12")."""
        for offset, widget in enumerate(self.widgets.values()):
            widget.set_position(self._lo + offset + 1, len(self.rows))

    def busy(self) -> bool:
        """Whether widgets are still to be made (between frames, or once rendered ahead)."""
        return self._filler.isActive() or self._waiting

    # -- making and letting go ------------------------------------------------------------------
    def _open_at_bottom(self) -> None:
        deadline = time.perf_counter() + OPEN_BUDGET_S
        self._follow = True
        with self._keeping_position():
            height, screen = 0, self.viewport().height()
            while self._lo > 0 and height < screen and time.perf_counter() < deadline:
                height += self._make(self._lo - 1)
        self.empty_hint.setVisible(not self.rows)
        self._show_older_note()
        self._filler.start()

    def _fill(self) -> None:
        """One turn of making widgets near the visible area and letting far ones go."""
        deadline = time.perf_counter() + TICK_S
        with self._keeping_position():
            more, worked = self._finish_staged(deadline)
            above, below = self._margins()
            ahead = self.viewport().height() * PREFETCH_SCREENS
            while not more and (len(self.widgets) < MAX_WIDGETS or min(above, below) < 0):
                if time.perf_counter() > deadline:
                    more = True
                    break
                place = self._next_place(above, below, ahead)
                if place is None:
                    break
                bottom = place == self._hi
                seen = (below if bottom else above) < 0
                # Only a tick's first piece of work may run past its time (something must
                # move); a later one that would not end in time waits for the next tick.
                later = time.perf_counter() + expected_s(self.rows[place].get("content", ""))
                if worked and not seen and later > deadline:
                    more = True
                    break
                worked = True
                if seen:  # the visible area: all of it, now
                    made = self._make(place)
                else:
                    made = self._make(place, Stage(deadline, from_end=not bottom))
                if bottom:
                    below += made
                else:
                    above += made
            self._let_go_of_far_ones()
        self._show_older_note()
        self._render_ahead()
        if more:
            self._filler.start()

    def _finish_staged(self, deadline: float) -> tuple[bool, bool]:
        """Show more of the messages made in stages, oldest made first: whether some wait,
        and whether any work was done (the first part may run past the deadline)."""
        worked = False
        for message_id in list(self._staged):
            widget = self.widgets.get(message_id)
            if widget is None or not widget.finish(deadline, at_least_one=not worked):
                del self._staged[message_id]  # let go of, or finished
            worked = worked or widget is not None
            if time.perf_counter() > deadline:
                break
        return bool(self._staged), worked

    def _finish_if_seen(self, value: int) -> None:
        """A message made in stages whose unshown side comes into view is finished now."""
        top, bottom = value, value + self.viewport().height()
        for message_id, from_end in list(self._staged.items()):
            widget = self.widgets.get(message_id)
            edge = 0 if widget is None else widget.y() + (0 if from_end else widget.height())
            if widget is not None and top <= edge <= bottom:
                with self._keeping_position():
                    widget.finish()
                del self._staged[message_id]

    def _next_place(self, above: float, below: float, ahead: float) -> int | None:
        """The row to make a widget for next: below first (the newest), then above; None when
        both sides reach far enough, or what they need is still being rendered ahead."""
        few = len(self.widgets) < MIN_WIDGETS
        sides = ((self._hi, below), (self._lo - 1, above))
        wanted = [
            (place, margin)
            for place, margin in sides
            if (margin < ahead or few) and 0 <= place < len(self.rows)
        ]
        # The visible area cannot wait; the rest waits for its rendering ahead, if any.
        ready = [p for p, margin in wanted if margin < 0 or self._prerender.ready(self.rows[p])]
        self._waiting = bool(wanted) and not ready
        return ready[0] if ready else None

    def _render_ahead(self) -> None:
        """Ask for the messages just beyond those with widgets, nearest first."""
        if self._ahead_of != (self._lo, self._hi, len(self.rows)):
            self._ahead_of = (self._lo, self._hi, len(self.rows))
            above = self.rows[max(0, self._lo - AHEAD_ROWS) : self._lo][::-1]
            self._prerender.ask(above + self.rows[self._hi : self._hi + AHEAD_ROWS])

    def _margins(self) -> tuple[float, float]:
        """How far the widgets reach above and below the visible area, in pixels."""
        if not self.widgets:
            return 0.0, 0.0
        top = self.verticalScrollBar().value()
        first, last = next(iter(self.widgets.values())), next(reversed(self.widgets.values()))
        bottom = top + self.viewport().height()
        return float(top - first.y()), float(last.y() + last.height() - bottom)

    def _let_go_of_far_ones(self) -> None:
        top = self.verticalScrollBar().value()
        reach = self.viewport().height() * RELEASE_SCREENS
        bottom = top + self.viewport().height()
        while self._hi - self._lo > MIN_WIDGETS:
            first = self.widgets[self.rows[self._lo]["id"]]
            if first.y() + first.height() >= top - reach:
                break
            self._release(self._lo, self._lo + 1)
            self._lo += 1
        while self._hi - self._lo > MIN_WIDGETS:
            last = self.widgets[self.rows[self._hi - 1]["id"]]
            if last.y() <= bottom + reach:
                break
            self._release(self._hi - 1, self._hi)
            self._hi -= 1

    def _make(self, place: int, stage: Stage | None = None) -> int:
        """A widget for rows[place], just above or below the others; its height, guessed.
        With a stage, a long text is shown in parts, as time allows (_finish_staged)."""
        row = self.rows[place]
        widget = MessageWidget(
            row,
            self.links,
            cache=self._prerender.cache,
            waiting_since=self._waiting_since.get(row["id"]),
            width_hint=self._text_width(),
            stage=stage,
        )
        if widget.unfinished():
            self._staged[row["id"]] = stage is not None and stage.from_end
        widget.set_left_out(row["id"] in self._left_out)
        widget.set_position(place + 1, len(self.rows))
        widget.notice.connect(self.notice)
        widget.edit_requested.connect(self.edit_requested)
        widget.version_requested.connect(self.version_requested)
        widget.continue_requested.connect(self.continue_requested)
        if place == self._hi:
            self.column.insertWidget(FIRST + self._hi - self._lo, widget)
            self.widgets[row["id"]] = widget
            self._hi += 1
        else:
            self.column.insertWidget(FIRST, widget)
            self.widgets = {row["id"]: widget, **self.widgets}
            self._lo -= 1
        widget.show()  # now, not at the next turn of the loop: the column is laid out at once
        return widget.sizeHint().height() + self.column.spacing()

    def _release(self, start: int, end: int) -> None:
        for row in self.rows[start:end]:
            widget = self.widgets.pop(row["id"], None)
            if widget is not None:
                self._discard(widget)

    def _discard(self, widget: MessageWidget) -> None:
        widget.hide()
        self.column.removeWidget(widget)
        widget.deleteLater()

    def _text_width(self) -> int:
        """The width a message's text will have: as any laid-out message's, or worked out."""
        for widget in self.widgets.values():
            if widget.content.testAttribute(Qt.WidgetAttribute.WA_Resized):
                return widget.content.width()
        style, column = self.style(), self.column.contentsMargins()
        inner = style.pixelMetric(QStyle.PixelMetric.PM_LayoutLeftMargin)
        inner += style.pixelMetric(QStyle.PixelMetric.PM_LayoutRightMargin)
        return self.viewport().width() - column.left() - column.right() - inner

    def _show_older_note(self) -> None:
        note = self.tr("%n earlier message(s): scroll up to see them", "", self._lo)
        self.older_note.setText(note)
        self.older_note.setVisible(self._lo > 0)

    # -- keeping what the user reads in place -----------------------------------------------------
    @contextmanager
    def _keeping_position(self) -> Iterator[None]:
        """Widgets made or let go inside: what the user reads stays where it is on screen (or
        the view stays at the bottom, when it follows)."""
        was, self._adjusting = self._adjusting, True
        try:
            yield
        finally:
            # Lay the column out now, before anything is painted, then put the view back.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self._adjusting = was
            if not was:
                self._restore_position()

    def _restore_position(self) -> None:
        bar = self.verticalScrollBar()
        if self._follow:
            bar.setValue(bar.maximum())
        elif self._anchor is not None and self._anchor[0] in self.widgets:
            message_id, offset = self._anchor
            bar.setValue(self.widgets[message_id].y() - offset)

    def _range_changed(self, _minimum: int, _maximum: int) -> None:
        if not self._adjusting:  # a message grew (streaming) or the window was resized
            self._restore_position()

    def _track(self, value: int) -> None:
        """The user scrolled (or the view was put back): what is read now, whether at the
        bottom, and widgets to make or let go."""
        if self._adjusting:
            return
        bar = self.verticalScrollBar()
        self._follow = self._hi == len(self.rows) and value >= bar.maximum() - FOLLOW_SLACK_PX
        self._anchor = next(
            ((i, w.y() - value) for i, w in self.widgets.items() if w.y() + w.height() > value),
            None,
        )
        if self._staged:
            self._finish_if_seen(value)
        self._filler.start()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._filler.start()

    def _set_topic(self, topic: bool) -> None:
        if topic != self._topic:
            self._topic = topic
            self.topic_changed.emit(topic)


def _is_question(row: dict[str, Any]) -> bool:
    return row.get("role") == "user" and bool(row.get("content", "").strip())
