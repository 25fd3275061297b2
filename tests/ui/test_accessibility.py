"""What a screen reader gets (offscreen, the app built as it runs): a name on every control of
every window — the main window with messages and search results, the conversation panel, the
model manager, the first-run page, the settings and documents dialogs — and the status line's
notices announced without moving the focus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)

from desktop_app.app import Smallwise, build
from desktop_app.paths import app_paths
from desktop_app.settings import Settings
from desktop_app.ui.settings_dialog import SettingsDialog

WAIT = 15_000
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QAbstractSlider,
)


@pytest.fixture
def app(qtbot) -> Smallwise:
    paths = app_paths().ensure()
    settings = Settings(paths.settings_file)
    settings["welcomed"] = True
    settings.save()
    smallwise = build(paths)
    qtbot.addWidget(smallwise.window)
    smallwise.window.show()
    yield smallwise
    smallwise.shutdown()


def is_part_of_another(widget: QWidget) -> bool:
    """Qt's own pieces of a control (a spin box's line edit, a scroll area's bars, a line
    edit's clear button): the control they belong to carries the name."""
    if isinstance(widget, QScrollBar) or isinstance(widget.parentWidget(), QAbstractItemView):
        return True  # a view's bars and header
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QLineEdit, QMenuBar)):
            return True
        parent = parent.parentWidget()
    return False


def name_of(widget: QWidget, labels: list[QLabel]) -> str:
    """The name a screen reader says: the accessible name, else a button's text, else the text
    of a label that is its buddy (a form row's label)."""
    if widget.accessibleName().strip():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
        return widget.text()
    return next((label.text() for label in labels if label.buddy() is widget), "")


def unnamed(top: QWidget) -> list[str]:
    widgets = [top, *top.findChildren(QWidget)]
    labels = [w for w in widgets if isinstance(w, QLabel)]
    controls = [w for w in widgets if isinstance(w, INTERACTIVE) and not is_part_of_another(w)]
    assert controls, "nothing to check"
    return [
        f"{type(w).__name__} {w.objectName()!r} {w.toolTip()!r}"
        for w in controls
        if not name_of(w, labels).strip()
    ]


def test_every_control_of_the_main_window_has_a_name(qtbot, app) -> None:
    window = app.window
    cid = app.stores.blocking.create_conversation()
    window.refresh_conversations(select=cid)  # and the window's own first listing, done
    qtbot.waitUntil(lambda: window.current == cid, timeout=WAIT)
    barrier: list[int] = []  # the store thread answers in order: its messages are shown by then
    app.stores.call(lambda store: 0, on_done=barrier.append)
    qtbot.waitUntil(lambda: bool(barrier), timeout=WAIT)
    window.composer.select_assistant("tutor")  # its level and buttons too
    window.view.show_messages(
        [
            {"id": 1, "role": "user", "content": "see [it](https://a.example)", "status": "done"},
            {"id": 2, "role": "assistant", "content": "an answer", "status": "complete",
             "finish_reason": "length", "siblings": [2, 3],
             "extras": {"sources": [{"heading": "Guide", "path": "/tmp/guide.md"}]}},
        ]
    )
    window.panel_dock.show()  # the conversation's own settings
    with qtbot.waitSignal(window.search.query_changed, timeout=WAIT):  # its search, done
        window.search.box.setText("answer")
    qtbot.waitUntil(lambda: not window.search.empty.isHidden(), timeout=WAIT)  # none stored
    window.search.show_hits(
        "answer",
        [{"conversation_id": 1, "message_id": 2, "title": "Chat", "kind": "message",
          "role": "assistant", "snippet": "an answer", "highlights": [[3, 9]]}],
    )
    assert unnamed(window) == []
    answer = window.view.widgets[2]
    assert answer.accessibleName() == "Answer 2 of 2"
    assert answer.body.accessibleName() == "Answer 2 of 2"
    assert window.view.widgets[1].accessibleName() == "Your message 1 of 2"
    hit = window.search.results.item(0)
    assert hit.data(Qt.ItemDataRole.AccessibleTextRole) == "Chat, the assistant: an answer"


def test_message_names_follow_new_messages(qtbot, app) -> None:
    view = app.window.view
    view.show_messages([{"id": 1, "role": "user", "content": "hi", "status": "complete"}])
    view.add_message({"id": 2, "role": "assistant", "content": "", "status": "streaming"})
    assert [w.accessibleName() for w in view.widgets.values()] == [
        "Your message 1 of 2",
        "Answer 2 of 2",
    ]
    view.remove_message(1)
    assert view.widgets[2].accessibleName() == "Answer 1 of 1"
    qtbot.waitUntil(lambda: not view.busy(), timeout=WAIT)  # before the services stop


def test_every_control_of_the_dialogs_has_a_name(qtbot, app) -> None:
    window = app.window
    manager = window.show_model_manager()
    qtbot.waitUntil(lambda: bool(manager.items()), timeout=WAIT)
    manager.tree.setCurrentItem(manager.items()[0])
    assert unnamed(manager) == []
    page = window.show_first_run()
    qtbot.waitUntil(lambda: bool(page.offers), timeout=WAIT)
    assert unnamed(page) == []
    assert unnamed(SettingsDialog(app.settings, window, app.chat)) == []
    assert unnamed(window.show_documents()) == []
    assert unnamed(window.panel) == []


@pytest.fixture
def announced(monkeypatch) -> list[tuple[str, str]]:
    """What reaches the screen reader: QAccessible.updateAccessibility patched (PySide6 does
    not expose installUpdateHandler), recording (kind of event, what it says)."""
    heard: list[tuple[str, str]] = []
    original = QAccessible.updateAccessibility

    def record(event: QAccessibleEvent) -> None:
        said = event.message() if hasattr(event, "message") else ""
        heard.append((type(event).__name__, said))
        original(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", record)
    return heard


def test_notices_are_announced(qtbot, app, announced) -> None:
    window = app.window
    focus = window.focusWidget()
    window.show_notice("Settings saved; they apply from the next answer.")
    assert ("QAccessibleAnnouncementEvent", "Settings saved; they apply from the next answer.") in (
        announced
    )
    window.chat.generation_started.emit(7, [])
    assert announced[-1] == ("QAccessibleAnnouncementEvent", "Thinking…")
    window.chat.generation_finished.emit(7, {"id": 7, "status": "complete"})
    assert announced[-1] == ("QAccessibleAnnouncementEvent", "Answer finished.")
    assert window.focusWidget() is focus  # said, not focused


def test_page_up_scrolls_the_conversation_from_the_message_box_and_a_message(qtbot, app) -> None:
    """Page Up did nothing with the focus in the message box (where it starts) or in a
    message's text: only after a click on an empty strip of the transcript (a new user's
    trial)."""
    window = app.window
    rows = [
        {"id": i, "role": "user" if i % 2 else "assistant", "content": f"message {i} " * 40}
        | {"status": "complete"}
        for i in range(1, 201)
    ]
    qtbot.waitExposed(window)
    app.stores.blocking.conversations()  # the window's own first reads are done…
    qtbot.wait(50)  # …and shown, so they do not replace these rows
    window.view.show_messages(rows)
    qtbot.waitUntil(lambda: not window.view.busy(), timeout=WAIT)
    bar = window.view.verticalScrollBar()  # laid out, at the newest message
    qtbot.waitUntil(lambda: 0 < bar.maximum() == bar.value(), timeout=WAIT)
    window.composer.focus_input()
    bottom = bar.value()
    qtbot.keyClick(window.composer.input, Qt.Key.Key_PageUp)
    assert bar.value() < bottom
    text = window.view.shown_messages()[-1].body
    text.setFocus()
    before = bar.value()
    qtbot.keyClick(text, Qt.Key.Key_PageUp)
    assert bar.value() < before
    window.composer.input.setPlainText("a message of its own\n" * 40)  # it scrolls itself
    before = bar.value()
    qtbot.keyClick(window.composer.input, Qt.Key.Key_PageUp)
    assert bar.value() == before
