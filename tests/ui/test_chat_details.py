"""The small things a user notices in the transcript and the composer (pytest-qt, offscreen):
Copy says that it copied, code blocks have their own Copy, Regenerate and Quiz me wait for a
question, a stop before any text is a note rather than an empty answer, and the wait for the
first token shows how long it has been."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

from desktop_app.core.assistants.registry import load_assistants
from desktop_app.ui.composer import Composer
from desktop_app.ui.links import LinkPolicy
from desktop_app.ui.message_view import ChatView

USER = {"id": 1, "role": "user", "content": "hi", "status": "complete"}
CODE_ANSWER = (
    "Two ways:\n\n```python\nprint('one')\n```\n\nor, in a shell:\n\n"
    "```bash\necho 'two' && ls $HOME\n```\n"
)


def make_view(qtbot, links: LinkPolicy | None = None) -> ChatView:
    view = ChatView(links)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    return view


def test_copy_says_it_copied_then_goes_back(qtbot) -> None:
    view = make_view(qtbot)
    view.add_message({**USER, "content": "some `code` here"})
    button = view.widgets[1].copy_button
    with qtbot.waitSignal(view.notice) as told:
        button.click()
    assert QGuiApplication.clipboard().text() == "some `code` here"
    assert button.text() == "Copied" and "copied" in told.args[0].lower()
    qtbot.waitUntil(lambda: button.text() == "Copy", timeout=2500)


def test_each_code_block_has_a_copy_link_handled_by_the_view(qtbot) -> None:
    refused: list[str] = []
    links = LinkPolicy()
    links.notice.connect(refused.append)
    view = make_view(qtbot, links)
    view.add_message({"id": 2, "role": "assistant", "content": CODE_ANSWER, "status": "complete"})
    body = view.widgets[2].body
    assert body.text().count("Copy code") == 2
    targets = [a.split('"')[1] for a in body.text().split("<a href=")[1:]]
    assert len(targets) == 2
    with qtbot.waitSignal(view.notice) as told:
        body.anchorClicked.emit(QUrl(targets[1]))
    assert QGuiApplication.clipboard().text() == "echo 'two' && ls $HOME\n"  # as written
    assert "copied" in told.args[0].lower() and refused == []  # never sent to the link policy
    body.anchorClicked.emit(QUrl(targets[0]))
    assert QGuiApplication.clipboard().text() == "print('one')\n"


def test_a_copy_link_cannot_be_forged_in_markdown(qtbot) -> None:
    view = make_view(qtbot)
    forged = "[Copy code](copy-code:0) and <a href='copy-code:0'>x</a>"
    view.add_message({"id": 3, "role": "assistant", "content": forged, "status": "complete"})
    assert "<a href" not in view.widgets[3].body.text()  # shown as written, not links


def test_a_stop_before_any_text_is_a_small_note_not_an_empty_answer(qtbot) -> None:
    view = make_view(qtbot)
    view.add_message(USER)
    view.add_message({"id": 2, "role": "assistant", "content": "", "status": "streaming"})
    view.set_row(2, {"status": "stopped", "content": ""})
    widget = view.widgets[2]
    assert not widget.body.isVisible() and not widget.copy_button.isVisible()
    assert not widget.role_label.isVisible()
    assert "stopped" in widget.note.text().lower() and not widget.note.isHidden()
    qtbot.wait(20)
    assert widget.height() < view.widgets[1].height()
    # …and the same when the conversation is opened again
    view.show_messages([USER, {"id": 2, "role": "assistant", "content": "", "status": "stopped"}])
    qtbot.wait(20)
    assert not view.widgets[2].body.isVisible() and view.widgets[2].note.isVisible()


def test_a_stopped_answer_with_text_keeps_its_bubble(qtbot) -> None:
    view = make_view(qtbot)
    view.add_message({"id": 2, "role": "assistant", "content": "Half an", "status": "stopped"})
    widget = view.widgets[2]
    assert not widget.body.isHidden() and "Stopped by you" in widget.note.text()


def test_the_wait_for_the_first_token_shows_the_time(qtbot) -> None:
    view = make_view(qtbot)
    view.add_message({"id": 2, "role": "assistant", "content": "", "status": "streaming"})
    body = view.widgets[2].body
    assert "Thinking…" in body.text()
    qtbot.waitUntil(lambda: "Thinking… 2 s" in body.text(), timeout=3500)
    view.append_text(2, "Hello")
    assert "Hello" in body.text() and "Thinking" not in body.text()


def tutor_composer(qtbot) -> Composer:
    composer = Composer()
    qtbot.addWidget(composer)
    composer.set_assistants(load_assistants(), "tutor")
    return composer


def test_regenerate_and_quiz_wait_for_a_question(qtbot) -> None:
    composer = tutor_composer(qtbot)
    assert not composer.quiz_button.isHidden()
    asked: list[str] = []
    composer.send_requested.connect(asked.append)
    composer.regenerate_requested.connect(lambda: asked.append("regenerate"))
    assert not composer.regenerate_button.isEnabled() and not composer.quiz_button.isEnabled()
    composer.quiz()  # a shortcut or a stale click: still nothing
    assert asked == []
    composer.set_topic(True)
    assert composer.regenerate_button.isEnabled() and composer.quiz_button.isEnabled()
    composer.set_busy(True)
    assert not composer.regenerate_button.isEnabled() and not composer.quiz_button.isEnabled()
    composer.set_busy(False)
    composer.quiz_button.click()
    assert asked and asked[0].startswith("Quiz me")
    composer.set_topic(False)  # another, empty conversation
    assert not composer.regenerate_button.isEnabled() and not composer.quiz_button.isEnabled()


def test_the_view_says_when_there_is_a_topic(qtbot) -> None:
    view = make_view(qtbot)
    said: list[bool] = []
    view.topic_changed.connect(said.append)
    view.show_messages([])
    view.add_message({"id": 5, "role": "assistant", "content": "", "status": "error"})
    assert not view.has_topic()
    view.add_message({"id": 6, "role": "user", "content": "photosynthesis"})
    assert view.has_topic() and said[-1] is True
    view.clear()
    assert not view.has_topic() and said[-1] is False
