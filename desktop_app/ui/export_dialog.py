"""File → Export…: which conversations, in which format, then where (a file dialog)."""

from __future__ import annotations

from pathlib import Path

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

FORMATS = {
    "md": ("Markdown", "Markdown (*.md)"),
    "json": ("JSON — complete; Smallwise imports it back", "JSON (*.json)"),
    "html": ("HTML — one page, opens in any browser", "HTML page (*.html)"),
}


class ExportDialog(QDialog):
    def __init__(self, has_current: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export conversations")
        self.current = QRadioButton("This conversation", checked=has_current, enabled=has_current)
        self.every = QRadioButton("All conversations", checked=not has_current)
        self.format = QComboBox()
        for key, (label, _) in FORMATS.items():
            self.format.addItem(label, key)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Export", self.current)
        form.addRow("", self.every)
        form.addRow("As", self.format)
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
        parent, "Export to", str(Path.home() / f"{name}.{fmt}"), FORMATS[fmt][1]
    )
    return (every, fmt, Path(path)) if path else None


def ask_import(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Import conversations", str(Path.home()), "Smallwise export (*.json)"
    )
    return Path(path) if path else None


def _file_name(title: str) -> str:
    """A file name from a conversation's title: letters, digits, spaces and dashes only."""
    kept = "".join(c if c.isalnum() or c in " -_" else " " for c in title)
    return " ".join(kept.split())[:60] or "conversation"
