"""Versions, edits, Continue, search, the conversation's own settings, export and import in the
real window (offscreen) with the real engine on the tiny model: what a user sees and does."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog
from test_window import WAIT, make_app, send_and_wait

from desktop_app.app import Smallwise
from desktop_app.ui import export_dialog
from desktop_app.ui.search_panel import marked_html

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def app(qtbot, tiny_model):
    smallwise = make_app(qtbot, tiny_model, max_tokens=16)
    yield smallwise
    smallwise.shutdown()


def shown(app: Smallwise) -> list:
    """The message widgets on screen, top to bottom. (Not ChatView.shown_messages: the layout
    items it reads leave PySide wrappers behind that a later widget can be mistaken for.)"""
    return list(app.window.view.widgets.values())


def shown_ids(app: Smallwise) -> list[int]:
    return [w.row["id"] for w in shown(app)]


def spy_on_engine(app: Smallwise) -> list[list[dict]]:
    """What the real engine is asked, request by request (it still answers)."""
    sent: list[list[dict]] = []
    chat = app.chat.client.chat

    def record(messages: list[dict], sampling: object):
        sent.append(messages)
        return chat(messages, sampling)

    app.chat.client.chat = record
    return sent


def test_regenerate_keeps_versions_and_the_switcher_shows_them(qtbot, app: Smallwise) -> None:
    first = send_and_wait(qtbot, app, "hello model")
    with qtbot.waitSignal(app.chat.generation_finished, timeout=WAIT) as done:
        qtbot.mouseClick(app.window.composer.regenerate_button, LEFT)
    second = done.args[1]
    view = app.window.view
    assert shown_ids(app)[-1] == second["id"] and first["id"] not in view.widgets
    versions = view.widgets[second["id"]].versions
    assert versions.isVisibleTo(view) and versions.label.text() == "2/2"
    qtbot.mouseClick(versions.previous, LEFT)  # ‹: back to the first answer
    qtbot.waitUntil(lambda: shown_ids(app)[-1] == first["id"], timeout=WAIT)
    assert view.widgets[first["id"]].versions.label.text() == "1/2"
    assert view.widgets[first["id"]].text == first["content"]
    assert app.stores.blocking.messages(app.window.current)[-1]["id"] == first["id"]


def test_an_edit_starts_a_branch_the_model_answers_alone(qtbot, app: Smallwise, monkeypatch):
    send_and_wait(qtbot, app, "first question")
    send_and_wait(qtbot, app, "second question")
    sent = spy_on_engine(app)
    question = shown(app)[0]
    assert question.edit_button.isVisibleTo(question)
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a: ("first, edited", True))
    with qtbot.waitSignal(app.chat.generation_finished, timeout=WAIT):
        qtbot.mouseClick(question.edit_button, LEFT)
    widgets = shown(app)
    assert [w.row["role"] for w in widgets] == ["user", "assistant"]
    assert widgets[0].text == "first, edited" and widgets[0].versions.label.text() == "2/2"
    assert [m for m in sent[0] if m["role"] != "system"] == [
        {"role": "user", "content": "first, edited"}
    ]
    qtbot.mouseClick(widgets[0].versions.previous, LEFT)  # the old branch, whole
    qtbot.waitUntil(lambda: len(shown(app)) == 4, timeout=WAIT)
    assert shown(app)[2].text == "second question"


def test_a_cut_answer_says_so_and_continue_goes_on_in_place(qtbot, app: Smallwise) -> None:
    row = send_and_wait(qtbot, app, "hello model")
    assert row["finish_reason"] == "length"
    widget = app.window.view.widgets[row["id"]]
    assert widget.cut.isVisibleTo(widget) and "length limit" in widget.cut.label.text()
    with qtbot.waitSignal(app.chat.generation_finished, timeout=WAIT) as done:
        qtbot.mouseClick(widget.cut.button, LEFT)
    longer = done.args[1]
    assert longer["id"] == row["id"] and longer["content"].startswith(row["content"])
    assert longer["completion_tokens"] == 32 and len(longer["content"]) > len(row["content"])
    assert widget.text == longer["content"] and shown_ids(app) == shown_ids(app)[:2]


def test_search_finds_old_messages_and_opens_the_conversation_there(qtbot, app: Smallwise):
    store = app.stores.blocking
    cid = store.create_conversation("Garden notes")
    for n in range(40):
        store.add_message(cid, "user", f"question q{n}x " + "about the garden " * 20)
        store.add_message(cid, "assistant", f"answer {n} " + "plants need water " * 20)
    hidden = store.add_message(cid, "assistant", "<img src=x> ferns like shade", parent_id=1)
    store.switch_branch(cid, 2)  # the ferns answer is a version not shown
    other = store.create_conversation("Elsewhere")
    app.window.refresh_conversations(select=other)
    qtbot.waitUntil(lambda: app.window.current == other, timeout=WAIT)
    app.window.search.box.setText("ferns")
    results = app.window.search.results
    qtbot.waitUntil(lambda: results.count() == 1, timeout=WAIT)
    assert app.window.conversations.isHidden()  # results instead of the list
    label = results.itemWidget(results.item(0))
    assert "&lt;img src=x&gt; <b>ferns</b>" in label.text() and "Garden notes" in label.text()
    qtbot.mouseClick(results.viewport(), LEFT, pos=results.visualItemRect(results.item(0)).center())
    qtbot.waitUntil(lambda: hidden in app.window.view.widgets, timeout=WAIT)
    assert app.window.current == cid and shown_ids(app) == [1, hidden]
    # A hit deep in a long branch is scrolled to.
    store.switch_branch(cid, 2)
    message_id = store.search("q3x")[0]["message_id"]
    app.window.search.box.setText("q3x")
    qtbot.waitUntil(lambda: results.count() == 1 and hit(results, 0) == message_id, timeout=WAIT)
    target = results.item(0)
    app.window.show()
    qtbot.mouseClick(results.viewport(), LEFT, pos=results.visualItemRect(target).center())
    qtbot.waitUntil(lambda: message_id in app.window.view.widgets, timeout=WAIT)
    bar, view = app.window.view.verticalScrollBar(), app.window.view
    qtbot.waitUntil(lambda: not view.busy(), timeout=WAIT)  # the messages around it are made
    assert not view.widgets[message_id].visibleRegion().isEmpty()
    assert bar.value() < bar.maximum()  # not at the newest message
    assert len(view.widgets) < 81  # only those near the hit have widgets
    # The keyboard goes on from the hit, not from the results list (a new user's trial).
    assert QApplication.focusWidget() is view.widgets[message_id].body
    app.window.search.box.clear()
    qtbot.waitUntil(lambda: not app.window.conversations.isHidden(), timeout=WAIT)


def hit(results, row: int) -> int | None:
    return results.item(row).data(Qt.ItemDataRole.UserRole)[1]


def test_snippets_are_escaped_before_the_matches_are_marked() -> None:
    assert marked_html("a <b>x</b>\n&amp; fern", [[17, 21]]) == (
        "a &lt;b&gt;x&lt;/b&gt; &amp;amp; <b>fern</b>"
    )


def test_the_side_panel_keeps_the_conversations_own_settings(qtbot, app: Smallwise) -> None:
    send_and_wait(qtbot, app, "hello model")
    window, cid = app.window, app.window.current
    window.panel_action.trigger()
    panel = window.panel
    qtbot.waitUntil(lambda: panel.assistant_box.count() > 0, timeout=WAIT)
    assert panel.numbers["max_tokens"].specialValueText() == "Default (16)"
    panel.numbers["max_tokens"].setValue(20)
    panel.numbers["max_tokens"].editingFinished.emit()
    panel.numbers["temperature"].setValue(0.0)
    panel.numbers["temperature"].editingFinished.emit()
    panel.prompt.setPlainText("Answer like a pirate.")
    pirate = "Answer like a pirate."
    qtbot.waitUntil(
        lambda: app.stores.blocking.conversation_settings(cid).get("system_prompt") == pirate,
        timeout=WAIT,
    )
    saved = app.stores.blocking.conversation_settings(cid)
    assert saved["max_tokens"] == 20 and saved["temperature"] == 0.0
    sent = spy_on_engine(app)
    row = send_and_wait(qtbot, app, "who are you?")
    assert row["completion_tokens"] == 20
    assert sent[0][0] == {"role": "system", "content": "Answer like a pirate."}
    # Another conversation keeps the defaults; coming back shows this one's own again.
    window.new_conversation()
    qtbot.waitUntil(lambda: window.current != cid, timeout=WAIT)
    qtbot.waitUntil(lambda: panel.prompt.toPlainText() == "", timeout=WAIT)
    assert panel.numbers["max_tokens"].value() == panel.numbers["max_tokens"].minimum()
    window.conversations.select(cid)
    qtbot.waitUntil(lambda: panel.prompt.toPlainText() == "Answer like a pirate.", timeout=WAIT)
    qtbot.mouseClick(panel.reset, LEFT)
    qtbot.waitUntil(lambda: not app.stores.blocking.conversation_settings(cid), timeout=WAIT)


def test_file_export_and_import_run_off_the_gui_thread(qtbot, app, tmp_path, monkeypatch):
    send_and_wait(qtbot, app, "hello $x^2$ model")
    page = tmp_path / "chat.html"
    accept = QDialog.DialogCode.Accepted
    monkeypatch.setattr(export_dialog.ExportDialog, "exec", lambda self: accept)
    monkeypatch.setattr(export_dialog.ExportDialog, "choice", lambda self: (False, "html"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(page), ""))
    with qtbot.waitSignal(app.window.archive.exported, timeout=WAIT):
        app.window.export_action.trigger()
    text = page.read_text()
    assert "Content-Security-Policy" in text and "hello" in text and "data:image/svg" in text
    data = tmp_path / "all.json"
    monkeypatch.setattr(export_dialog.ExportDialog, "choice", lambda self: (True, "json"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(data), ""))
    with qtbot.waitSignal(app.window.archive.exported, timeout=WAIT):
        app.window.export_action.trigger()
    assert len(json.loads(data.read_text())["conversations"]) == 1
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(data), ""))
    with qtbot.waitSignal(app.window.archive.imported, timeout=WAIT) as imported:
        app.window.import_conversations()
    qtbot.waitUntil(lambda: len(app.window.conversations.ids()) == 2, timeout=WAIT)
    assert app.window.current == imported.args[0][0]
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(broken), ""))
    with qtbot.waitSignal(app.window.archive.failed, timeout=WAIT):
        app.window.import_conversations()
    assert "not a Smallwise JSON export" in app.window.notice_label.text()


def test_nothing_is_exported_when_the_user_cancels(qtbot, app, monkeypatch) -> None:
    cancel = QDialog.DialogCode.Rejected
    monkeypatch.setattr(export_dialog.ExportDialog, "exec", lambda self: cancel)
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: asked.append(a) or ("", ""))
    app.window.export_action.trigger()
    assert asked == [] and not app.window.notice_label.text().startswith("Exporting")


def test_a_conversations_own_model_answers_it(qtbot, app: Smallwise, tmp_path) -> None:
    from ggufs import write_tiny_model

    other = write_tiny_model(tmp_path / "tiny-b.gguf", seed=3)
    send_and_wait(qtbot, app, "hello model")
    cid = app.window.current
    app.window.change_conversation_settings({"model": str(other)})
    row = send_and_wait(qtbot, app, "and again")
    assert row["model_id"] == "tiny-b" and "tiny-b" in app.window.model_label.toolTip()
    app.window.change_conversation_settings({"model": "no-such-model"})
    row = send_and_wait(qtbot, app, "once more")
    assert row["model_id"] == "tiny-chatml"
    assert "No installed model is called 'no-such-model'" in app.window.notice_label.text()
    assert app.stores.blocking.conversation_settings(cid)["model"] == "no-such-model"


def test_a_hit_in_a_conversation_deleted_since_is_not_opened(qtbot, app: Smallwise) -> None:
    store, window = app.stores.blocking, app.window
    gone = store.create_conversation("Old")
    store.add_message(gone, "user", "zucchini bread")
    window.refresh_conversations(select=gone)
    qtbot.waitUntil(lambda: window.current == gone, timeout=WAIT)
    window.search.box.setText("zucchini")
    qtbot.waitUntil(lambda: window.search.results.count() == 1, timeout=WAIT)
    window.delete_conversation(gone)
    qtbot.waitUntil(lambda: gone not in window.conversations.ids(), timeout=WAIT)
    window.open_at(gone, None)
    assert window.current != gone and "gone" in window.notice_label.text()
    qtbot.waitUntil(lambda: window.search.results.count() == 0, timeout=WAIT)
    assert not window.search.empty.isHidden()


def test_the_panel_shows_the_defaults_of_the_assistant_chosen_below(qtbot, app: Smallwise):
    """A new user switched the assistant under the message box with the panel open: the panel
    named the new one but kept the old one's temperature and instructions."""
    send_and_wait(qtbot, app, "hello model")
    window = app.window
    window.panel_action.trigger()
    temperature = window.panel.numbers["temperature"]
    qtbot.waitUntil(lambda: window.panel.assistant_box.count() > 0, timeout=WAIT)
    for assistant, shown in (("tutor", "Default (0.6)"), ("support", "Default (0.2)")):
        window.composer.select_assistant(assistant)
        qtbot.waitUntil(lambda shown=shown: temperature.specialValueText() == shown, timeout=WAIT)
        assert window.panel.assistant_box.currentData() == assistant


def test_the_panel_shows_its_fields_whole_at_the_default_width(qtbot, app: Smallwise) -> None:
    """A tester found the panel cut at the window's default 1,000 px: "General chat",
    "Default (tiny…" and "Default (0.95)" clipped in fields squeezed beside their labels."""
    send_and_wait(qtbot, app, "hello model")
    window = app.window
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    window.panel_action.trigger()
    panel = window.panel
    qtbot.waitUntil(lambda: panel.model_box.count() > 0, timeout=WAIT)
    qtbot.wait(100)
    for combo in (panel.assistant_box, panel.model_box):
        arrow = combo.style().pixelMetric(combo.style().PixelMetric.PM_ScrollBarExtent) + 16
        shown = combo.fontMetrics().horizontalAdvance(combo.currentText())
        assert shown + arrow <= combo.width(), combo.currentText()
    for box in panel.numbers.values():
        text = box.specialValueText() if box.value() == box.minimum() else box.text()
        assert box.fontMetrics().horizontalAdvance(text) < box.lineEdit().width(), text
