"""The conversation's settings panel on its own (pytest-qt, offscreen)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect

from desktop_app.ui.conversation_panel import ConversationPanel

DEFAULTS = {
    "assistant": "chat",
    "model": "",
    "system_prompt": "You are a helpful assistant. " * 12,
    "temperature": 0.7,
    "top_p": 0.95,
    "repeat_penalty": 1.1,
    "max_tokens": 64,
}


class Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.region().boundingRect())  # type: ignore[attr-defined]
        return False


def test_other_instructions_shown_as_the_default_repaint_the_whole_box(qtbot) -> None:
    """A new user saw the Math assistant's default instructions drawn over the previous
    assistant's: Qt repaints the whole box only when the placeholder comes or goes, not when
    its text changes, and setting an empty text repaints only its first line."""
    panel = ConversationPanel()
    qtbot.addWidget(panel)
    panel.resize(274, 600)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_settings({}, DEFAULTS, {}, [])
    qtbot.wait(50)
    paints = Paints()
    viewport = panel.prompt.viewport()
    viewport.installEventFilter(paints)
    panel.show_settings({}, {**DEFAULTS, "system_prompt": "Reason step by step."}, {}, [])
    qtbot.waitUntil(lambda: bool(paints.rects))
    qtbot.wait(50)
    assert any(rect.contains(viewport.rect()) for rect in paints.rects), paints.rects


def test_a_long_title_ends_in_an_ellipsis_not_under_a_scroll_bar(qtbot) -> None:
    """A new user saw a scroll bar under the conversation list and titles cut mid-word."""
    from desktop_app.ui.conversation_list import ConversationList

    listing = ConversationList()
    qtbot.addWidget(listing)
    listing.resize(240, 300)
    title = "A bakery sells muffins for $3 each. Maria buys 4 muffins and pays with a $20 bill."
    listing.set_conversations([{"id": 1, "title": title, "updated_at": "2026-12-04T10:00:00"}])
    listing.show()
    qtbot.waitExposed(listing)
    assert not listing.list.horizontalScrollBar().isVisible()
    assert listing.list.item(0).toolTip().startswith(title)


def test_a_title_that_looks_like_html_is_shown_as_written_in_its_tooltip(qtbot) -> None:
    """Titles come from what was typed or imported: a tooltip that looks like HTML is read as
    rich text by Qt (images and all)."""
    from PySide6.QtGui import Qt as QtGuiNamespace

    from desktop_app.ui.conversation_list import ConversationList

    listing = ConversationList()
    qtbot.addWidget(listing)
    title = '<img src="file:///dev/zero"> <b>hi</b>'
    listing.set_conversations([{"id": 1, "title": title, "updated_at": "2026-12-04T10:00:00"}])
    tip = listing.list.item(0).toolTip()
    assert "&lt;img" in tip and "<img" not in tip
    assert QtGuiNamespace.mightBeRichText(tip)  # escaped rich text: shown as the title reads
