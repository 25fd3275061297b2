"""The Support assistant's documents: add folders or files, see what is indexed, remove,
re-index; indexing shows progress and never freezes the window, and each file left out is
listed with the reason. File names are outside text: shown as plain text only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.knowledge import KnowledgeService

SKIPPED_LISTED = 20


class DocumentsDialog(QDialog):
    def __init__(self, knowledge: KnowledgeService, parent: QWidget | None = None):
        super().__init__(parent)
        self.knowledge = knowledge
        self.setWindowTitle(self.tr("Support documents"))
        self.resize(640, 420)
        intro = QLabel(
            self.tr(
                "The Support assistant answers from these files (txt, md, html, pdf, docx) and "
                "cites them. They stay on this computer. To ask about one file once, drop it "
                "onto the message box instead."
            ),
            wordWrap=True,
        )
        self.retrieval = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.retrieval.setProperty("tone", "muted")
        self.files = QListWidget()
        self.files.setAccessibleName(self.tr("Documents the Support assistant answers from"))
        self.add_folder_button = QPushButton(self.tr("Add folder…"))
        self.add_files_button = QPushButton(self.tr("Add files…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.refresh_button = QPushButton(self.tr("Re-index changed"))
        self.progress = QProgressBar(visible=False)
        self.status = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.skipped = QLabel(wordWrap=True, visible=False, textFormat=Qt.TextFormat.PlainText)
        self.skipped.setProperty("tone", "warning")
        buttons = QHBoxLayout()
        for button in (
            self.add_folder_button,
            self.add_files_button,
            self.remove_button,
            self.refresh_button,
        ):
            buttons.addWidget(button)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.retrieval)
        column.addWidget(self.files, 1)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addWidget(self.skipped)
        self.add_folder_button.clicked.connect(self.ask_folder)
        self.add_files_button.clicked.connect(self.ask_files)
        self.remove_button.clicked.connect(self.remove_selected)
        self.refresh_button.clicked.connect(knowledge.refresh)
        knowledge.files_changed.connect(self.show_files)
        knowledge.indexing_progressed.connect(self._progressed)
        knowledge.indexing_finished.connect(self._finished)
        knowledge.files_skipped.connect(self.show_skipped)
        knowledge.retrieval_described.connect(self.retrieval.setText)
        knowledge.list_files()

    def show_files(self, files: list[dict[str, Any]]) -> None:
        self.files.clear()
        for f in files:
            passages = self.tr("%n passage(s)", "", f["chunks"])
            item = QListWidgetItem(f"{f['path']}  ({passages})")
            item.setData(Qt.ItemDataRole.UserRole, f["path"])
            self.files.addItem(item)

    def add(self, paths: list[Path]) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(self.tr("Indexing…"))
        self.knowledge.add(paths)

    def ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder of documents"))
        if folder:
            self.add([Path(folder)])

    def ask_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Add documents"),
            str(Path.home()),
            self.tr("Documents (*.txt *.md *.markdown *.html *.htm *.pdf *.docx);;All files (*)"),
        )
        if paths:
            self.add([Path(p) for p in paths])

    def remove_selected(self) -> None:
        item = self.files.currentItem()
        if item is not None:
            self.knowledge.remove(Path(item.data(Qt.ItemDataRole.UserRole)))

    def show_skipped(self, skipped: list[tuple[str, str]]) -> None:
        """Each file left out by the last indexing, with the reason."""
        lines = [f"{path} — {why}" for path, why in skipped[:SKIPPED_LISTED]]
        if len(skipped) > SKIPPED_LISTED:
            lines.append(self.tr("… and %n more.", "", len(skipped) - SKIPPED_LISTED))
        self.skipped.setText(self.tr("Left out:") + "\n" + "\n".join(lines) if lines else "")
        self.skipped.setVisible(bool(lines))

    def _progressed(self, done: int, total: int, name: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(
            self.tr("Indexing {done} of {total}: {name}").format(done=done, total=total, name=name)
        )

    def _finished(self, summary: str) -> None:
        self.progress.hide()
        self.status.setText(summary)
