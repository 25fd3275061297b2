"""The Tutor in the window (pytest-qt, offscreen, real engine on a tiny model, real SQLite):
Show solution, and the learner's level kept per conversation."""

from __future__ import annotations

import pytest
from test_window import WAIT, make_app, send_and_wait

from desktop_app.ui.composer import SOLUTION_PROMPT


@pytest.fixture
def app(qtbot, tiny_model):
    smallwise = make_app(qtbot, tiny_model, max_tokens=24)
    yield smallwise
    smallwise.shutdown()


def test_show_solution_is_a_tutor_button_that_asks_for_the_worked_answer(qtbot, app) -> None:
    composer = app.window.composer
    composer.select_assistant("math")
    assert composer.solution_button.isHidden()
    composer.select_assistant("tutor")
    assert not composer.solution_button.isHidden()
    send_and_wait(qtbot, app, "What is 7 times 8?")
    with qtbot.waitSignal(app.chat.generation_finished, timeout=WAIT) as finished:
        composer.solution_button.click()
    stored = app.stores.blocking.messages(app.window.current)
    assert [m["content"] for m in stored if m["role"] == "user"][-1] == SOLUTION_PROMPT
    assert finished.args[1]["extras"]["tutor"]["step"] == "solution"
    lesson = app.stores.blocking.conversation_settings(app.window.current)["tutor"]
    assert lesson["solved"] and lesson["answer"]["text"] == "56"


def test_a_reopened_conversation_restores_its_level(qtbot, app) -> None:
    composer, window = app.window.composer, app.window
    composer.select_assistant("tutor")
    composer.level_box.setCurrentText("child")
    send_and_wait(qtbot, app, "What is 7 times 8?")
    young = window.current
    # (Not waitSignal on the store's _delivered: it is emitted on the store thread, and
    # pytest-qt's slot then ran there — a segfault in CI, 1 run in 3 here.)
    window.new_conversation()
    qtbot.waitUntil(lambda: window.current != young, timeout=WAIT)
    composer.level_box.setCurrentText("university")
    send_and_wait(qtbot, app, "Solve 3x + 7 = 22 for x.")
    older = window.current
    assert app.stores.blocking.conversation_settings(older)["level"] == "university"
    window.open_conversation(young)
    qtbot.waitUntil(lambda: composer.level_box.currentText() == "child", timeout=WAIT)
    assert app.chat.level == "child"
    window.open_conversation(older)
    qtbot.waitUntil(lambda: composer.level_box.currentText() == "university", timeout=WAIT)
    assert app.stores.blocking.conversation_settings(young)["level"] == "child"
