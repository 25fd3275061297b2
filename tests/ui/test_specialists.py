"""Specialists in the window (pytest-qt, offscreen, real engine on a tiny model)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_window import WAIT, make_app, send_and_wait

from desktop_app.core.assistants.knowledge import KnowledgeBase
from desktop_app.ui.message_view import MessageWidget

LICENSES = Path("/usr/share/common-licenses")


@pytest.fixture
def app(qtbot, tiny_model):
    smallwise = make_app(qtbot, tiny_model, max_tokens=24)
    yield smallwise
    smallwise.shutdown()


def test_switching_assistant_mid_conversation_keeps_history(qtbot, app) -> None:
    composer = app.window.composer
    composer.select_assistant("chat")
    send_and_wait(qtbot, app, "hello model")
    composer.select_assistant("math")
    assert app.chat.assistant.id == "math"
    send_and_wait(qtbot, app, "what is 7 times 8")
    stored = app.stores.blocking.messages(app.window.current)
    assert [m["role"] for m in stored] == ["user", "assistant", "user", "assistant"]
    assert [m["assistant_id"] for m in stored if m["role"] == "assistant"] == ["chat", "math"]
    answers = [w for w in app.window.view.shown_messages() if w.row["role"] == "assistant"]
    assert answers[0].toolTip().startswith("General chat")
    assert answers[1].toolTip().startswith("Math") and "tiny-chatml" in answers[1].toolTip()


def test_a_conversation_made_elsewhere_shows_the_assistant_that_answered_it(qtbot, app) -> None:
    """A conversation from `smallwise chat --assistant math` keeps no assistant of its own,
    only its answers name one: opening it showed (and the next turn used) whatever the
    previous conversation had picked."""
    window, store = app.window, app.stores.blocking
    window.composer.select_assistant("tutor")
    elsewhere = store.create_conversation("from the command line")
    store.add_message(elsewhere, "user", "what is 7 times 8")
    store.add_message(elsewhere, "assistant", "56", assistant_id="math")
    window.refresh_conversations(select=elsewhere)
    qtbot.waitUntil(lambda: window.composer.assistant_box.currentData() == "math", timeout=WAIT)
    assert app.chat.assistant.id == "math"
    assert "assistant" not in store.conversation_settings(elsewhere)  # opening writes nothing
    # An empty conversation has no answers to go by: the assistant just picked stays.
    window.composer.select_assistant("support")
    window.new_conversation()
    qtbot.waitUntil(lambda: window.current not in (None, elsewhere), timeout=WAIT)
    qtbot.wait(200)
    assert window.composer.assistant_box.currentData() == "support"


def test_tutor_has_a_learner_level_and_quiz_me(qtbot, app) -> None:
    composer = app.window.composer
    composer.select_assistant("chat")
    assert composer.level_box.isHidden() and composer.quiz_button.isHidden()
    composer.select_assistant("tutor")
    assert not composer.level_box.isHidden() and composer.level_box.currentText() == "secondary"
    composer.level_box.setCurrentText("child")
    assert (app.chat.assistant.id, app.chat.level) == ("tutor", "child")
    assert app.settings["assistant"] == "tutor"
    assert not composer.quiz_button.isHidden()
    # No topic yet: Quiz me (and Regenerate) would send words the user never wrote.
    assert not composer.quiz_button.isEnabled() and not composer.regenerate_button.isEnabled()
    send_and_wait(qtbot, app, "photosynthesis in plants")
    assert composer.quiz_button.isEnabled() and composer.regenerate_button.isEnabled()
    with qtbot.waitSignal(app.chat.generation_finished, timeout=WAIT):
        composer.quiz_button.click()
    asked = app.stores.blocking.messages(app.window.current)
    assert asked[2]["content"].startswith("Quiz me:") and asked[3]["assistant_id"] == "tutor"
    # The conversation keeps the name the user's own words gave it.
    assert app.stores.blocking.conversation(app.window.current)["title"] == (
        "photosynthesis in plants"
    )
    assert app.window.conversations.titles() == ["photosynthesis in plants"]
    with qtbot.waitSignal(app.window.conversations.list.model().rowsInserted, timeout=WAIT):
        app.window.new_conversation()  # an empty one: nothing to quiz on or answer again
    qtbot.waitUntil(lambda: not composer.quiz_button.isEnabled(), timeout=WAIT)
    assert not composer.regenerate_button.isEnabled()


def test_reasoning_is_folded_with_a_toggle(qtbot) -> None:
    widget = MessageWidget(
        {
            "id": 1,
            "role": "assistant",
            "status": "complete",
            "content": "<think>7 × 8: seven eights.</think>It is **56**.",
        }
    )
    qtbot.addWidget(widget)
    assert "56" in widget.body.text() and "seven eights" not in widget.body.text()
    assert widget.reasoning.isHidden() and not widget.reasoning_button.isHidden()
    widget.reasoning_button.click()
    assert not widget.reasoning.isHidden() and "seven eights" in widget.reasoning.text()
    streaming = MessageWidget(
        {
            "id": 2,
            "role": "assistant",
            "status": "streaming",
            "content": "Let me think about 7 × 8 </think>",
        }
    )
    qtbot.addWidget(streaming)
    assert "Let me think" not in streaming.body.text()


def test_math_check_result_is_shown_under_the_answer(qtbot) -> None:
    from desktop_app.core.assistants.registry import load_assistants
    from desktop_app.core.assistants.specialist import extras

    math = load_assistants()["math"]

    def answer(message_id: int, text: str) -> MessageWidget:
        row = {"id": message_id, "role": "assistant", "status": "complete", "content": text}
        return MessageWidget({**row, "extras": extras(math, text)})

    good, bad = answer(1, "12 × 7 = 84"), answer(2, "12 × 7 = 82")
    qtbot.addWidget(good)
    qtbot.addWidget(bad)
    assert good.check_note.text() == "✓ 1 check passed"
    assert (
        bad.check_note.text().startswith("⚠ 1 of 1 checks failed") and "84" in bad.check_note.text()
    )


@pytest.mark.skipif(not LICENSES.is_dir(), reason="not a Debian system")
def test_support_answers_from_documents_with_sources(qtbot, tiny_model) -> None:
    # The tiny model spells words letter by letter: the passages need a larger context.
    app = make_app(qtbot, tiny_model, max_tokens=24, n_ctx=8192)
    try:
        _support_answers(qtbot, app)
    finally:
        app.shutdown()


def _support_answers(qtbot, app) -> None:
    app.stores.run(lambda store: KnowledgeBase(store).add([LICENSES]))
    app.window.composer.select_assistant("support")
    off = send_and_wait(qtbot, app, "How do I bake sourdough bread?")
    assert "don't cover" in off["content"] and off["finish_reason"] == "not_covered"
    on = send_and_wait(qtbot, app, "What are Invariant Sections and Front-Cover Texts?")
    sources = on["extras"]["sources"]
    assert sources and sources[0]["path"].startswith("/usr/share/common-licenses/GFDL")
    assert "Sources" not in on["content"]  # the model's words only; sources stored beside them
    widget = app.window.view.widgets[on["id"]]
    qtbot.waitUntil(lambda: "Sources" in widget.sources.text(), timeout=WAIT)
    assert '<a href="file:///usr/share/common-licenses/GFDL' in widget.sources.text()
    # reopened, the conversation shows them again
    app.window.view.show_messages(app.stores.blocking.messages(app.window.current))
    assert "GFDL" in app.window.view.widgets[on["id"]].sources.text()


def test_a_source_link_opens_only_an_indexed_document(
    qtbot, app, monkeypatch, tmp_path: Path
) -> None:
    """The window's links ask the knowledge service, which answers from memory; a refused
    link is explained on the status line."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    opened = []  # the desktop's opener cannot run headless: its calls are recorded
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    doc = tmp_path / "router.md"
    doc.write_text("# Reset\n\nHold the button for ten seconds.\n")
    with qtbot.waitSignal(app.window.knowledge.files_changed, timeout=WAIT):
        app.window.knowledge.add([doc])
    view = app.window.view
    assert view.links.open(doc.as_uri())
    assert opened == [QUrl.fromLocalFile(str(doc))]
    assert not view.links.open(Path("/usr/bin/ldd").as_uri())
    assert "Not opened" in app.window.notice_label.text() and len(opened) == 1


@pytest.mark.skipif(not LICENSES.is_dir(), reason="not a Debian system")
def test_documents_dialog_indexes_with_progress_and_the_window_stays_live(qtbot, app) -> None:
    dialog = app.window.show_documents()
    progress = []
    app.window.knowledge.indexing_progressed.connect(lambda d, t, n: progress.append((d, t)))
    ticks = []
    from PySide6.QtCore import QTimer

    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    with qtbot.waitSignal(app.window.knowledge.indexing_finished, timeout=WAIT) as done:
        dialog.add([LICENSES])
    timer.stop()
    assert done.args[0].startswith("Indexed 14 file") and progress[-1] == (14, 14)
    assert ticks  # the event loop kept running while indexing
    qtbot.waitUntil(lambda: dialog.files.count() == 14, timeout=WAIT)
    dialog.files.setCurrentRow(0)
    with qtbot.waitSignal(app.window.knowledge.files_changed, timeout=WAIT):
        dialog.remove_selected()
    qtbot.waitUntil(lambda: dialog.files.count() == 13, timeout=WAIT)


def _install_math_model(app, tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    # Installed as the Math assistant's first choice (a stand-in file: the tiny model).
    math_model = tmp_path / "qwen2.5-math.gguf"
    shutil.copy(tiny_model, math_model)
    app.stores.blocking.register_model(
        "qwen2.5-math-1.5b-instruct", math_model, quant="Q6_K", chat_format="chatml"
    )


def test_choosing_an_assistant_switches_to_its_installed_model(
    qtbot, app, tiny_model, tmp_path: Path
) -> None:
    app.settings["default_model"] = ""  # the user never picked a model: assistants choose
    _install_math_model(app, tiny_model, tmp_path)
    app.window.composer.select_assistant("chat")
    told: list[str] = []
    app.models.progress.connect(told.append)
    with qtbot.waitSignal(app.chat.model_changed, timeout=WAIT) as changed:
        app.window.composer.select_assistant("math")
    assert changed.args[0]["id"] == "qwen2.5-math-1.5b-instruct"
    assert "Math works best with qwen2.5-math-1.5b-instruct." in told


def test_the_users_choice_wins_over_an_assistants_preference(
    qtbot, app, tiny_model, tmp_path: Path
) -> None:
    _install_math_model(app, tiny_model, tmp_path)
    with qtbot.waitSignal(app.chat.model_changed, timeout=WAIT):
        app.models.use(str(tiny_model))  # "Use for new answers"
    app.window.composer.select_assistant("math")
    with pytest.raises(qtbot.TimeoutError):
        qtbot.waitSignal(app.chat.model_changed, timeout=1500).wait()
    assert app.chat.model.id == tiny_model.stem
    assert app.settings["default_model"] == str(tiny_model)


def test_the_planner_ranks_an_assistants_installed_models(app) -> None:
    import sys

    from desktop_app.core.model_choice import rank_installed

    sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
    from hosts import HOSTS

    math = app.window.composer.assistants["math"]
    catalog = app.models.catalog

    def best(installed: list[str], host: str) -> str | None:
        ranked = rank_installed(installed, catalog, HOSTS[host], math)
        return ranked[0] if ranked else None

    both = ["phi-4-mini-instruct", "qwen2.5-math-1.5b-instruct"]
    assert best(both, "cpu-16") == "qwen2.5-math-1.5b-instruct"  # both CPU: the assistant's order
    assert best(["phi-4-mini-instruct"], "cpu-4") is None  # Phi-4 mini won't fit in 4 GB
    # fully on the GPU beats partly on it
    assert best(["phi-4-mini-instruct", "deepscaler-1.5b"], "nvidia-4") == "deepscaler-1.5b"
    # the starter comes last, whatever the assistant prefers
    assert best(["gemma-3-270m", "phi-4-mini-instruct"], "cpu-16") == "phi-4-mini-instruct"
