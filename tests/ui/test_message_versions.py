"""The message widget's history controls on their own: the version switcher, Edit, and the
note and Continue button under an answer cut by the length limit."""

from __future__ import annotations

from desktop_app.ui.message_view import ChatView

USER = {"id": 1, "role": "user", "content": "hi", "status": "complete", "siblings": [1]}
ANSWER = {"id": 3, "role": "assistant", "content": "Once upon", "status": "complete",
          "finish_reason": "length", "siblings": [2, 3, 4]}


def test_the_switcher_shows_the_place_among_versions_and_asks_for_the_others(qtbot) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.show_messages([USER, ANSWER])
    asked: list[int] = []
    view.version_requested.connect(asked.append)
    single, answer = view.widgets[1].versions, view.widgets[3].versions
    assert single.isHidden() and not answer.isHidden() and answer.label.text() == "2/3"
    answer.previous.click()
    answer.next.click()
    assert asked == [2, 4]
    view.set_row(3, {"siblings": [2, 3]})
    assert answer.label.text() == "2/2" and not answer.next.isEnabled()


def test_edit_is_offered_on_your_messages_and_continue_on_cut_answers(qtbot) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.show_messages([USER, ANSWER])
    edits: list[int] = []
    more: list[int] = []
    view.edit_requested.connect(edits.append)
    view.continue_requested.connect(more.append)
    user, answer = view.widgets[1], view.widgets[3]
    assert not user.edit_button.isHidden() and answer.edit_button.isHidden()
    assert user.cut.isHidden() and not answer.cut.isHidden()
    user.edit_button.click()
    answer.cut.button.click()
    assert edits == [1] and more == [3]
    view.set_row(3, {"status": "streaming"})  # going on: no note while it streams
    assert answer.cut.isHidden()
    view.set_row(3, {"status": "complete", "finish_reason": "stop"})
    assert answer.cut.isHidden()
