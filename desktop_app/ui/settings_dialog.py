"""The Settings dialog, built from the options declared in settings.py (labels, types, ranges)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from desktop_app.settings import OPTIONS, Option, Settings


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        for option in OPTIONS.values():
            if option.user:
                self.editors[option.name] = editor = _editor(option, settings[option.name])
                form.addRow(option.label, editor)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, Any]:
        return {name: _value(editor) for name, editor in self.editors.items()}


def _editor(option: Option, value: Any) -> QWidget:
    if option.choices:
        combo = QComboBox()
        for choice in option.choices:
            combo.addItem(choice.capitalize(), choice)
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


def _value(editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentData()
    return editor.text() if isinstance(editor, QLineEdit) else editor.value()
