"""Dropping a file onto the chat: the message box hands it over instead of pasting its path, the
knowledge service indexes it for that conversation only and marks the next question to be
answered from it; the Documents dialog says how search works and what would make it better.
Real widgets offscreen, a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl

from desktop_app.app import build
from desktop_app.core.assistants.knowledge import KnowledgeBase
from desktop_app.core.engine.embeddings import BETTER_RETRIEVAL
from desktop_app.core.store import Store
from desktop_app.paths import app_paths
from desktop_app.services.knowledge import KnowledgeService
from desktop_app.ui.composer import Composer
from desktop_app.ui.documents import DocumentsDialog

WAIT = 30_000


def test_a_dropped_file_is_offered_not_pasted(qtbot, tmp_path: Path) -> None:
    composer = Composer()
    qtbot.addWidget(composer)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "lease.pdf"))])
    assert composer.input.canInsertFromMimeData(mime)
    with qtbot.waitSignal(composer.files_dropped) as dropped:
        composer.input.insertFromMimeData(mime)
    assert dropped.args[0] == [tmp_path / "lease.pdf"]
    assert composer.input.toPlainText() == ""
    text = QMimeData()
    text.setText("plain words")
    composer.input.insertFromMimeData(text)  # text still pastes as text
    assert composer.input.toPlainText() == "plain words"


def test_dropped_files_are_indexed_for_that_conversation_only(qtbot, tmp_path: Path) -> None:
    with Store(tmp_path / "kb.db") as store:
        cid = store.create_conversation()
    knowledge = KnowledgeService(tmp_path / "kb.db")
    note = tmp_path / "lease.md"
    note.write_text("# Deposit\n\nThe deposit is returned within 14 days.\n")
    with qtbot.waitSignal(knowledge.attached, timeout=WAIT) as attached:
        knowledge.attach(cid, [note])
    assert attached.args[0] == cid and attached.args[1].startswith("Ask your question")
    with Store(tmp_path / "kb.db") as store:
        assert store.conversation_settings(cid)["ask_dropped"] is True
        assert KnowledgeBase(store).files() == []  # not in the global documents
        own = KnowledgeBase(store, collection=f"conversation:{cid}")
        assert [Path(f["path"]).name for f in own.files()] == ["lease.md"]


def test_the_documents_dialog_says_what_better_search_needs(qtbot, tmp_path: Path) -> None:
    Store(tmp_path / "kb.db").close()
    knowledge = KnowledgeService(tmp_path / "kb.db")
    dialog = DocumentsDialog(knowledge)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.retrieval.text() == BETTER_RETRIEVAL, timeout=WAIT)
    assert "embedding model" in dialog.retrieval.text()


def test_the_ask_your_question_notice_belongs_to_its_conversation(qtbot) -> None:
    """A new user saw "Ask your question: …" still shown after switching to another chat."""
    app = build(app_paths().ensure())
    qtbot.addWidget(app.window)
    window = app.window
    first = app.stores.blocking.create_conversation("with a file")
    other = app.stores.blocking.create_conversation("another")
    window.refresh_conversations(select=first)
    qtbot.waitUntil(lambda: window.current == first, timeout=WAIT)
    said = "Ask your question: the next answer comes from the file(s) you dropped."
    window.knowledge.attached.emit(first, said)
    assert window.notice_label.text() == said
    window.conversations.select(other)
    qtbot.waitUntil(lambda: window.current == other, timeout=WAIT)
    assert window.notice_label.text() == ""
    app.shutdown()
