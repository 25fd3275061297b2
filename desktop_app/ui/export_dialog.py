"""File → Export…: which conversations, in which format, then where (a file dialog)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.settings import QT_TRANSLATE_NOOP

FORMATS = {
    "md": (
        QT_TRANSLATE_NOOP("ExportDialog", "Markdown"),
        QT_TRANSLATE_NOOP("ExportDialog", "Markdown (*.md)"),
    ),
    "json": (
        QT_TRANSLATE_NOOP("ExportDialog", "JSON — complete; Smallwise imports it back"),
        QT_TRANSLATE_NOOP("ExportDialog", "JSON (*.json)"),
    ),
    "html": (
        QT_TRANSLATE_NOOP("ExportDialog", "HTML — one page, opens in any browser"),
        QT_TRANSLATE_NOOP("ExportDialog", "HTML page (*.html)"),
    ),
}


def translated(text: str) -> str:
    return QCoreApplication.translate("ExportDialog", text)


class ExportDialog(QDialog):
    def __init__(self, has_current: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export conversations"))
        self.current = QRadioButton(
            self.tr("This conversation"), checked=has_current, enabled=has_current
        )
        self.every = QRadioButton(self.tr("All conversations"), checked=not has_current)
        self.format = QComboBox()
        for key, (label, _) in FORMATS.items():
            self.format.addItem(self.tr(label), key)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Export"), self.current)
        form.addRow("", self.every)
        form.addRow(self.tr("As"), self.format)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def choice(self) -> tuple[bool, str]:
        """(all conversations?, format)."""
        return self.every.isChecked(), self.format.currentData()


def ask_export(parent: QWidget, title: str | None) -> tuple[bool, str, Path] | None:
    """What to export and where, asked of the user; None if they cancel. `title`: the current
    conversation's, or None when there is none."""
    dialog = ExportDialog(title is not None, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    every, fmt = dialog.choice()
    name = "conversations" if every else _file_name(title or "conversation")
    path, _ = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("ExportDialog", "Export to"),
        str(Path.home() / f"{name}.{fmt}"),
        translated(FORMATS[fmt][1]),
    )
    return (every, fmt, Path(path)) if path else None


def ask_import(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("ExportDialog", "Import conversations"),
        str(Path.home()),
        QCoreApplication.translate("ExportDialog", "Smallwise export (*.json)"),
    )
    return Path(path) if path else None


def _file_name(title: str) -> str:
    """A file name from a conversation's title: letters, digits, spaces and dashes only."""
    kept = "".join(c if c.isalnum() or c in " -_" else " " for c in title)
    return " ".join(kept.split())[:60] or "conversation"
