"""The window from the keyboard (offscreen, the app built as it runs): the focus starts in the
message box and comes back to it; Tab walks the window in the order it reads, through the
transcript's messages and every button; message text is selected with keys; every menu action
has a shortcut."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from desktop_app.app import Smallwise, build
from desktop_app.paths import app_paths
from desktop_app.settings import Settings
from desktop_app.ui.settings_dialog import SettingsDialog

WAIT = 10_000


@pytest.fixture
def app(qtbot) -> Smallwise:
    paths = app_paths().ensure()
    settings = Settings(paths.settings_file)
    settings["welcomed"] = True  # the first-run page has its own tests
    settings.save()
    smallwise = build(paths)
    qtbot.addWidget(smallwise.window)
    smallwise.window.show()
    smallwise.window.activateWindow()
    qtbot.waitUntil(smallwise.window.isActiveWindow, timeout=WAIT)
    yield smallwise
    smallwise.shutdown()


def rows(count: int, start: int = 1) -> list[dict]:
    return [
        {
            "id": i,
            "role": "user" if i % 2 else "assistant",
            "content": f"message {i}",
            "status": "complete",
        }
        for i in range(start, start + count)
    ]


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def walk(qtbot, presses: int, backwards: bool = False) -> list[QWidget | None]:
    seen = []
    for _ in range(presses):
        key = Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab
        assert focused() is not None, f"the focus was lost after {seen}"
        qtbot.keyClick(focused(), key)
        seen.append(focused())
    return seen


def test_typing_at_start_writes_a_message_and_makes_no_conversation(qtbot, app) -> None:
    window = app.window
    assert focused() is window.composer.input
    qtbot.keyClicks(focused(), "hi how are you")
    qtbot.wait(300)  # a store call, had a space clicked a button, would be back by now
    assert window.composer.input.toPlainText() == "hi how are you"
    assert app.stores.blocking.conversations() == []


def test_new_conversation_on_an_empty_one_makes_no_other(qtbot, app) -> None:
    window = app.window
    window.new_conversation()
    qtbot.waitUntil(lambda: len(window.conversations.ids()) == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: window.current is not None, timeout=WAIT)
    qtbot.keyClick(window.conversations.list, Qt.Key.Key_Down)  # focus anywhere else
    for _ in range(3):  # Ctrl+N, again and again, on the still empty conversation
        qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(300)
    assert len(app.stores.blocking.conversations()) == 1
    assert focused() is window.composer.input


def test_focus_comes_back_to_the_message_box(qtbot, app, monkeypatch) -> None:
    window, box = app.window, app.window.composer.input
    box.setPlainText("hello")
    qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    assert focused() is box  # after sending with the button
    qtbot.waitUntil(lambda: len(window.conversations.ids()) == 1, timeout=WAIT)
    window.conversations.list.setFocus()
    item = window.conversations.list.item(0)
    qtbot.mouseClick(
        window.conversations.list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.conversations.list.visualItemRect(item).center(),
    )
    assert focused() is box  # after choosing a conversation
    documents = window.show_documents()
    documents.activateWindow()
    qtbot.waitUntil(documents.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(documents, Qt.Key.Key_Escape)
    # After closing a dialog (offscreen, no window manager activates the window again: its
    # focus widget is the one that gets the focus when it is).
    qtbot.waitUntil(lambda: not documents.isVisible(), timeout=WAIT)
    assert window.focusWidget() is box
    window.conversations.list.setFocus()
    monkeypatch.setattr(SettingsDialog, "exec", lambda _d: SettingsDialog.DialogCode.Rejected)
    window.edit_settings()
    assert window.focusWidget() is box


def test_arrow_keys_in_the_list_leave_the_focus_there(qtbot, app) -> None:
    window = app.window
    for _ in range(2):
        app.stores.blocking.create_conversation()
    window.refresh_conversations()
    qtbot.waitUntil(lambda: len(window.conversations.ids()) == 2, timeout=WAIT)
    window.conversations.list.setFocus()
    qtbot.keyClick(window.conversations.list, Qt.Key.Key_Down)
    assert focused() is window.conversations.list  # browsing: Enter goes to the box
    qtbot.keyClick(window.conversations.list, Qt.Key.Key_Return)
    assert focused() is window.composer.input


def test_tab_walks_the_window_in_reading_order(qtbot, app) -> None:
    window = app.window
    window.view.show_messages(rows(4))
    qtbot.waitUntil(lambda: not window.view.busy(), timeout=WAIT)
    messages = list(window.view.widgets.values())
    expected: list[QWidget] = [window.composer.send_button, window.composer.regenerate_button]
    expected += [window.search.box, window.conversations.new_button, window.conversations.list]
    expected.append(window.view)
    for widget in messages:  # each message: its text, then its buttons
        expected.append(widget.body)
        expected += [widget.edit_button] if widget.row["role"] == "user" else []
        expected.append(widget.copy_button)
    expected += [window.composer.assistant_box, window.composer.input]
    seen = walk(qtbot, len(expected))
    assert seen == expected
    assert walk(qtbot, len(expected), backwards=True) == expected[-2::-1] + [expected[-1]]
    assert window.composer.input.toPlainText() == ""  # Tab moved on; it typed nothing


def test_ctrl_tab_types_a_tab_in_the_message_box(qtbot, app) -> None:
    box = app.window.composer.input
    qtbot.keyClick(box, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert box.toPlainText() == "\t" and focused() is box


def test_tutor_buttons_and_level_are_in_the_order(qtbot, app) -> None:
    window, composer = app.window, app.window.composer
    composer.select_assistant("tutor")
    window.view.show_messages(rows(2))  # a question: Quiz me and Show solution apply
    composer.assistant_box.setFocus()
    order = walk(qtbot, 7)
    assert order == [
        composer.level_box,
        composer.input,
        composer.send_button,
        composer.regenerate_button,
        composer.quiz_button,
        composer.solution_button,
        window.search.box,
    ]


def test_tab_goes_top_to_bottom_after_messages_are_made_above(qtbot, app) -> None:
    """The transcript makes widgets above as the user scrolls up: Tab still reads downwards,
    from the first message on screen."""
    view = app.window.view
    view.show_messages(rows(300))
    qtbot.waitUntil(lambda: not view.busy(), timeout=WAIT)
    view.scroll_to(150)
    qtbot.waitUntil(lambda: not view.busy(), timeout=WAIT)
    view.setFocus()
    places = []
    for _ in range(12):
        assert focused() is not None, "the focus was lost"
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        owner = next(w for w in view.widgets.values() if w.isAncestorOf(focused()))
        places.append(owner.position[0])
    assert places[0] >= 149  # the message scrolled to (or the one just above, partly shown)
    assert places == sorted(places) and places[-1] > places[0]


def test_message_text_is_selected_and_copied_with_keys(qtbot, app) -> None:
    view = app.window.view
    view.show_messages(rows(2))
    text = view.widgets[1].body
    text.setFocus()
    qtbot.keyClick(text, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(7):
        qtbot.keyClick(text, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert text.textCursor().selectedText() == "message"
    qtbot.keyClick(text, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(text, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text().strip() == "message 1"


def menu_actions(window) -> list:
    found = []

    def visit(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            if action.menu() is not None:
                visit(action.menu(), f"{path} > {action.text()}")
            else:
                found.append((f"{path} > {action.text()}", action))

    for top in window.menuBar().actions():
        visit(top.menu(), top.text())
    return found


# Menu actions without a key of their own, and why.
EXEMPT = {
    # The theme's three choices: a setting changed once, reached with Alt+V, T and the arrows.
    "&View > &Theme > System",
    "&View > &Theme > Light",
    "&View > &Theme > Dark",
}


def test_every_menu_action_has_a_shortcut_and_none_is_shared(app) -> None:
    actions = menu_actions(app.window)
    assert len(actions) >= 16
    missing = [path for path, action in actions if not action.shortcuts() and path not in EXEMPT]
    assert missing == []
    keys = [key.toString() for _path, action in actions for key in action.shortcuts()]
    assert len(keys) == len(set(keys)), keys  # one key, one action (else neither fires)
    by_path = {path: action for path, action in actions}
    settings = by_path["&File > &Settings…"].shortcuts()
    assert QKeySequence("Ctrl+,") in settings or settings == QKeySequence.keyBindings(
        QKeySequence.StandardKey.Preferences
    )
    assert by_path["&Chat > Regenerate the answer"].shortcut() == QKeySequence("Ctrl+R")
    assert by_path["&Chat > Stop the answer"].shortcut() == QKeySequence("Esc")


def test_shortcuts_do_what_they_say(qtbot, app) -> None:
    window = app.window
    window.view.show_messages(rows(4))
    control_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(focused(), Qt.Key.Key_C, control_shift)
    assert QGuiApplication.clipboard().text() == "message 4"
    assert window.notice_label.text() == "Copied the last answer to the clipboard."
    qtbot.keyClick(focused(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert focused() is window.search.box
    qtbot.keyClick(focused(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert focused() is window.composer.input
    assert not window.composer.regenerate_action.isEnabled() or window.view.has_topic()
    window.composer.set_busy(True)
    assert window.composer.stop_action.isEnabled()
    assert not window.composer.regenerate_action.isEnabled()
