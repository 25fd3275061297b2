"""The list of conversations, newest first: new, rename, delete (with confirmation)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.safe_text import plain_tooltip

ID_ROLE = Qt.ItemDataRole.UserRole


class ConversationList(QWidget):
    conversation_selected = Signal(int)
    conversation_chosen = Signal(int)  # clicked or Enter: the user means to write in it now
    new_requested = Signal()
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.new_button = QPushButton(self.tr("New conversation"))
        self.new_button.clicked.connect(self.new_requested)
        self.list = QListWidget()
        # A long title ends in "…" (its whole text in the tooltip), not under a scroll bar.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(self._current_changed)
        # Arrow keys only show a conversation (focus stays in the list to go on browsing).
        self.list.itemClicked.connect(self._chosen)
        self.list.itemActivated.connect(self._chosen)
        self.new_button.setToolTip(self.tr("Start a new conversation (Ctrl+N)"))
        self.new_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves focus in place
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setAccessibleDescription(
            self.tr(
                "Up and Down show a conversation, Enter goes to its message box; F2 renames; "
                "Delete deletes"
            )
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.new_button)
        layout.addWidget(self.list)
        self.rename_action = QAction(
            self.tr("Rename…"), self, shortcut=QKeySequence(Qt.Key.Key_F2)
        )
        self.rename_action.triggered.connect(lambda: self.ask_rename(self.current_id()))
        self.delete_action = QAction(
            self.tr("Delete…"), self, shortcut=QKeySequence.StandardKey.Delete
        )
        self.delete_action.triggered.connect(lambda: self.ask_delete(self.current_id()))
        for action in (self.rename_action, self.delete_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.list.addAction(action)

    def set_conversations(self, rows: list[dict[str, Any]], select: int | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(row["title"])
            item.setData(ID_ROLE, row["id"])
            when = row["updated_at"][:16].replace("T", " ")
            active = self.tr("Last active {when} UTC").format(when=when)
            item.setToolTip(plain_tooltip(f"{row['title']}\n{active}"))  # a title may be HTML
            self.list.addItem(item)
        self.list.blockSignals(False)
        if select is not None:
            self.select(select)

    def ids(self) -> list[int]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())]

    def titles(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def title(self, conversation_id: int) -> str | None:
        item = self._item(conversation_id)
        return item.text() if item is not None else None

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item else None

    def select(self, conversation_id: int) -> None:
        item = self._item(conversation_id)
        if item is not None:
            self.list.setCurrentItem(item)

    def set_title(self, conversation_id: int, title: str) -> None:
        item = self._item(conversation_id)
        if item is not None:
            item.setText(title)

    def move_to_top(self, conversation_id: int) -> None:
        item = self._item(conversation_id)
        if item is None or self.list.row(item) == 0:
            return
        self.list.blockSignals(True)
        current = self.list.currentItem() is item
        self.list.insertItem(0, self.list.takeItem(self.list.row(item)))
        if current:
            self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _item(self, conversation_id: int) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == conversation_id:
                return self.list.item(i)
        return None

    def _current_changed(self, current: QListWidgetItem | None, _previous: Any) -> None:
        if current is not None:
            self.conversation_selected.emit(current.data(ID_ROLE))

    def _chosen(self, item: QListWidgetItem) -> None:
        self.conversation_chosen.emit(item.data(ID_ROLE))

    def _menu(self, pos: Any) -> None:
        if self.list.itemAt(pos) is None:
            return
        menu = QMenu(self)
        menu.addAction(self.rename_action)
        menu.addAction(self.delete_action)
        menu.exec(self.list.mapToGlobal(pos))

    def ask_rename(self, conversation_id: int | None) -> None:
        item = self._item(conversation_id) if conversation_id is not None else None
        if item is None:
            return
        title, ok = QInputDialog.getText(
            self, self.tr("Rename conversation"), self.tr("Name:"), text=item.text()
        )
        if ok and title.strip():
            self.rename_requested.emit(conversation_id, title.strip())

    def ask_delete(self, conversation_id: int | None) -> None:
        item = self._item(conversation_id) if conversation_id is not None else None
        if item is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete conversation"),
            self.tr("Delete “{title}” and all its messages? This cannot be undone.").format(
                title=item.text()
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the title is the user's or the model's text
        if box.exec() == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(conversation_id)
