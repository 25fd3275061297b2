"""The transcript widget on its own."""

from __future__ import annotations

from desktop_app.ui.message_view import ChatView

USER = {"id": 1, "role": "user", "content": "hi", "status": "complete"}
ANSWER = {"id": 2, "role": "assistant", "content": "", "status": "streaming"}


def test_a_message_loaded_and_announced_at_once_is_shown_once(qtbot) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.show_messages([USER, ANSWER])  # the conversation loaded from the store…
    view.add_message(USER)  # …and the service announcing the same rows
    view.add_message(ANSWER)
    assert [w.row["id"] for w in view.shown_messages()] == [1, 2]


def test_streamed_text_then_final_row(qtbot) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.add_message(ANSWER)
    view.append_text(2, "Hello **wor")
    view.append_text(2, "ld**")
    widget = view.widgets[2]
    assert widget.text == "Hello **world**" and "<strong>world</strong>" in widget.body.text()
    view.set_row(
        2,
        {
            **ANSWER,
            "content": "Hello **world**",
            "status": "interrupted",
            "error": "The model process was killed.",
        },
    )
    assert "Interrupted. The model process was killed." == widget.note.text()
    assert not widget.note.isHidden()


def test_copy_puts_the_raw_text_on_the_clipboard(qtbot) -> None:
    from PySide6.QtGui import QGuiApplication

    view = ChatView()
    qtbot.addWidget(view)
    view.add_message({**USER, "content": "some `code` here"})
    view.widgets[1].copy_button.click()
    assert QGuiApplication.clipboard().text() == "some `code` here"
