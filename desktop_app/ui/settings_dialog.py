"""The Settings dialog, built from the options declared in settings.py (labels, types, ranges),
under their sections; the API server's address shown as it will be, and a "Test connection"
button for a model server (the test runs in the chat service, off the GUI thread). Labels are
declared in English in settings.py and translated here (context "Settings")."""

from __future__ import annotations

import secrets
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop_app.settings import OPTIONS, QT_TRANSLATE_NOOP, Option, Settings

# What a choice is called in the list (the stored value stays the English key). A language is
# named in its own words, so that a user who cannot read the current one still finds theirs.
CHOICE_NAMES = {
    "system": QT_TRANSLATE_NOOP("Settings", "Follow the system"),
    "light": QT_TRANSLATE_NOOP("Settings", "Light"),
    "dark": QT_TRANSLATE_NOOP("Settings", "Dark"),
}
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def translated(text: str) -> str:
    return QCoreApplication.translate("Settings", text)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None, chat: Any = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.settings, self.chat = settings, chat
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        section = ""
        for option in OPTIONS.values():
            if not option.user:
                continue
            if option.section != section:
                section = option.section
                form.addRow(QLabel(f"<b>{translated(section)}</b>"))
            self.editors[option.name] = editor = _editor(option, settings[option.name])
            editor.setAccessibleName(translated(option.label))  # the row's label, spoken
            form.addRow(translated(option.label), editor)
            if option.name == "api_key":
                self._add_api_rows(form)
            elif option.name == "engine_key":
                self._add_test_row(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._show_address()

    def values(self) -> dict[str, Any]:
        return {name: _value(editor) for name, editor in self.editors.items()}

    # -- Local API server ----------------------------------------------------------------------
    def _add_api_rows(self, form: QFormLayout) -> None:
        generate = QPushButton(self.tr("New key"))
        generate.clicked.connect(lambda: self.editors["api_key"].setText(secrets.token_urlsafe(24)))
        self.address = QLabel()
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(generate)
        form.addRow("", _widget(row))
        for name in ("api_server", "api_host", "api_port", "api_key"):
            _changed(self.editors[name], self._show_address)

    def _show_address(self) -> None:
        if not hasattr(self, "address"):
            return
        v = self.values()
        host = f"[{v['api_host']}]" if ":" in v["api_host"] else v["api_host"]
        where = f"http://{host}:{v['api_port']}/v1"
        if not v["api_server"]:
            self.address.setText(self.tr("Off."))
        elif v["api_key"]:
            text = self.tr("Other programs connect to {address} (with the key above).")
            self.address.setText(text.format(address=where))
        else:
            text = self.tr("Other programs connect to {address} (no key: this computer only).")
            self.address.setText(text.format(address=where))

    # -- Models on another machine -------------------------------------------------------------
    def _add_test_row(self, form: QFormLayout) -> None:
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_button.clicked.connect(self.test_connection)
        self.test_button.setEnabled(self.chat is not None)
        if self.chat is not None:
            self.chat.engine_tested.connect(self._tested)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.test_result, 1)
        form.addRow("", _widget(row))

    def test_connection(self) -> None:
        address = self.editors["engine_url"].text().strip()
        if not address:
            self.test_result.setText(
                self.tr("Give the server's address first, e.g. http://HOST:8000.")
            )
            return
        self.test_result.setText(self.tr("Testing…"))
        self.test_button.setEnabled(False)
        self.chat.test_engine(address, self.editors["engine_key"].text().strip())

    def _tested(self, words: str) -> None:
        self.test_result.setText(words)
        self.test_button.setEnabled(True)


def _editor(option: Option, value: Any) -> QWidget:
    if option.type is bool:
        box = QCheckBox()
        box.setChecked(bool(value))
        return box
    if option.choices:
        combo = QComboBox()
        for choice in option.choices:
            combo.addItem(_choice_name(choice), choice)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        return combo
    if option.type is int:
        box = QSpinBox(minimum=int(option.minimum or 0), maximum=int(option.maximum or 10**9))
        box.setValue(value)
        return box
    if option.type is float:
        box = QDoubleSpinBox(minimum=option.minimum or 0.0, maximum=option.maximum or 1e9)
        box.setSingleStep(0.1)
        box.setValue(value)
        return box
    return QLineEdit(str(value))


def _choice_name(choice: str) -> str:
    if choice in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[choice]
    return translated(CHOICE_NAMES[choice]) if choice in CHOICE_NAMES else choice


def _value(editor: QWidget) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox):
        return editor.currentData()
    return editor.text() if isinstance(editor, QLineEdit) else editor.value()


def _changed(editor: QWidget, slot: Any) -> None:
    signal = {
        QCheckBox: "toggled",
        QLineEdit: "textChanged",
        QSpinBox: "valueChanged",
    }[type(editor)]
    getattr(editor, signal).connect(lambda *_: slot())


def _widget(layout: QHBoxLayout) -> QWidget:
    holder = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder
