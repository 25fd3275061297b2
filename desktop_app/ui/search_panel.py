"""The search box above the conversation list, and its results: each match with its
conversation's title and a snippet, the matched words in bold. Snippets are outside text: each
piece is escaped before the app adds its own <b> marks, so a message can never make markup;
the labels load nothing and open nothing."""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop_app.core.search import segments
from desktop_app.ui import theme

TYPING_MS = 200  # one query per pause in typing, not one per key
HIT_ROLE = Qt.ItemDataRole.UserRole


def marked_html(snippet: str, spans: list[list[int]]) -> str:
    """The snippet as rich text on one line: escaped, with the matches (and only they) bold."""
    return "".join(
        f"<b>{_escaped(text)}</b>" if lit else _escaped(text)
        for text, lit in segments(snippet, spans)
    )


def _escaped(text: str) -> str:
    return html.escape(re.sub(r"\s+", " ", text))


class SearchPanel(QWidget):
    query_changed = Signal(str)  # after a pause in typing; "" when cleared
    hit_chosen = Signal(int, object)  # conversation id, message id (None: the title matched)
    searching_changed = Signal(bool)  # results shown instead of the conversation list

    def __init__(self) -> None:
        super().__init__()
        self.box = QLineEdit(
            placeholderText=self.tr("Search all conversations"), clearButtonEnabled=True
        )
        self.results = QListWidget(visible=False)
        self.results.setWordWrap(True)
        self.box.setAccessibleName(self.tr("Search all conversations"))
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setAccessibleDescription(self.tr("Enter opens the conversation at the match"))
        self.results.itemActivated.connect(self._chosen)
        self.results.itemClicked.connect(self._chosen)
        self.empty = QLabel(self.tr("No conversation has these words."), visible=False)
        self.empty.setProperty("tone", "muted")
        self.empty.setStyleSheet("padding: 6px;")
        self._typing = QTimer(self, singleShot=True, interval=TYPING_MS)
        self._typing.timeout.connect(self._search)
        self.box.textChanged.connect(self._typing.start)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.empty)
        layout.addWidget(self.results, 1)

    def query(self) -> str:
        return self.box.text()

    def _search(self) -> None:
        text = self.query()
        searching = bool(text.strip())
        self.results.setVisible(searching)
        self.searching_changed.emit(searching)
        if not searching:
            self.results.clear()
            self.empty.hide()
        self.query_changed.emit(text if searching else "")

    def show_hits(self, query: str, hits: list[dict[str, Any]]) -> None:
        """The matches for `query` (ignored when the box says something else by now)."""
        if query != self.query():
            return
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem()
            item.setData(HIT_ROLE, (hit["conversation_id"], hit["message_id"]))
            # The label shows it; a screen reader reads the item, so it says it too, plainly.
            item.setData(Qt.ItemDataRole.AccessibleTextRole, _spoken(hit))
            label = _hit_label(hit)
            self.results.addItem(item)
            item.setSizeHint(label.sizeHint())
            self.results.setItemWidget(item, label)
        self.empty.setVisible(not hits)

    def _chosen(self, item: QListWidgetItem) -> None:
        self.hit_chosen.emit(*item.data(HIT_ROLE))


def _spoken(hit: dict[str, Any]) -> str:
    title = " ".join(hit["title"].split())
    if hit["kind"] == "title":
        return f"Conversation {title}"
    who = "you" if hit["role"] == "user" else "the assistant"
    return f"{title}, {who}: " + " ".join(hit["snippet"].split())


def _hit_label(hit: dict[str, Any]) -> QLabel:
    title = html.escape(" ".join(hit["title"].split()))
    if hit["kind"] == "title":
        text = f"<b>{marked_html(hit['snippet'], hit['highlights'])}</b>"
    else:
        who = (
            QCoreApplication.translate("SearchPanel", "You")
            if hit["role"] == "user"
            else QCoreApplication.translate("SearchPanel", "Assistant")
        )
        snippet = marked_html(hit["snippet"], hit["highlights"])
        muted = theme.current().colour("muted")
        text = f"<span style='color:{muted}'>{title} · {who}</span><br/>{snippet}"
    label = QLabel(text, wordWrap=True, textFormat=Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setOpenExternalLinks(False)
    label.setContentsMargins(4, 3, 4, 3)
    return label
