"""The Support assistant's documents for the window: indexing (and the meaning vectors, with an
embedding model) runs on a thread of its own with its own SQLite connection (WAL lets it write
beside the store thread), reporting progress, so neither the window nor a streaming answer
waits for it. Files dropped onto a conversation are indexed for that conversation only. The
indexed paths are kept in memory, so the window can ask whether a link points at a document
without touching the database."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.core.assistants.knowledge import (
    GLOBAL,
    KnowledgeBase,
    conversation_collection,
    forget_deleted_conversations,
)
from desktop_app.core.engine.embeddings import BETTER_RETRIEVAL, shared_embedder
from desktop_app.core.errors import EmbeddingError

log = logging.getLogger(__name__)


SKIPPED_SHOWN = 5  # files named in a summary; the rest are counted


class KnowledgeService(QObject):
    files_changed = Signal(list)  # [{"path", "chunks", "indexed_at"}]
    indexing_progressed = Signal(int, int, str)  # done, total, file name
    indexing_finished = Signal(str)  # a summary in plain words
    files_skipped = Signal(list)  # [(path, reason)] of the last job, for the dialog
    retrieval_described = Signal(str)  # how search works now, and what would make it better
    attached = Signal(int, str)  # conversation id, a summary: files dropped onto it are ready

    def __init__(self, database: Path, log_path: str | None = None):
        super().__init__()
        self.database, self.log_path = database, log_path
        self._lock = threading.Lock()  # one indexing job at a time
        self._indexed: frozenset[str] = frozenset()  # replaced whole: safe to read anywhere

    def is_indexed(self, path: str) -> bool:
        """Whether `path` is exactly a document of the knowledge base (as of the last job)."""
        return path in self._indexed

    def _run(self, job, collection: str = GLOBAL) -> None:
        def work() -> None:
            with self._lock:
                conn = sqlite3.connect(self.database, timeout=30)
                try:
                    kb = KnowledgeBase(conn, collection=collection)
                    kb.embedder = shared_embedder(conn, self.log_path)
                    summary = job(kb)
                    kb.collection = GLOBAL
                    files = kb.files()
                    every = {p for (p,) in conn.execute("SELECT path FROM kb_documents")}
                    self.retrieval_described.emit(describe(kb))
                except (OSError, sqlite3.Error, EmbeddingError) as exc:
                    log.warning("indexing failed: %s", exc)
                    summary = self.tr("Indexing failed: {error}").format(error=exc)
                    files = None
                except Exception:  # a bug: logged, and the user still hears of it
                    log.exception("indexing failed")
                    summary = self.tr("Indexing failed because of a bug; see the log.")
                    files = None
                finally:
                    conn.close()
            if files is not None:
                self._indexed = frozenset(every)  # dropped files too: their links open
                self.files_changed.emit(files)
            if summary:
                self.indexing_finished.emit(summary)

        threading.Thread(target=work, name="kb-index", daemon=True).start()

    def list_files(self) -> None:
        self._run(lambda kb: "")

    def add(self, paths: list[Path]) -> None:
        def job(kb: KnowledgeBase) -> str:
            counts = kb.add(paths, on_progress=self.indexing_progressed.emit)
            self.files_skipped.emit(counts["skipped"])
            text = self.tr("Indexed %n file(s)", "", counts["indexed"]) + " " + self.tr(
                "({passages} passages); {unchanged} unchanged."
            ).format(passages=counts["chunks"], unchanged=counts["unchanged"])
            return text + skipped_note(counts["skipped"])

        self._run(job)

    def refresh(self) -> None:
        def job(kb: KnowledgeBase) -> str:
            forget_deleted_conversations(kb.conn)  # their dropped files go with them
            counts = kb.refresh()
            self.files_skipped.emit(counts["skipped"])
            text = self.tr("Re-indexed %n changed file(s);", "", counts["indexed"]) + " "
            text += self.tr("forgot %n deleted one(s).", "", counts["removed"])
            return text + skipped_note(counts["skipped"])

        self._run(job)

    def remove(self, path: Path) -> None:
        self._run(lambda kb: self.tr("Forgot %n file(s).", "", kb.remove(path)))

    def attach(self, conversation_id: int, paths: list[Path]) -> None:
        """Index files for one conversation; its next question is answered from them."""

        def job(kb: KnowledgeBase) -> str:
            counts = kb.add(paths, on_progress=self.indexing_progressed.emit)
            if counts["indexed"] or counts["unchanged"]:
                ask_dropped(kb.conn, conversation_id)
                summary = self.tr(
                    "Ask your question: the next answer comes from the file(s) you dropped."
                )
            else:
                summary = self.tr("Nothing could be read from the file(s) dropped.")
            summary += skipped_note(counts["skipped"])
            self.attached.emit(conversation_id, summary)
            return summary

        self._run(job, conversation_collection(conversation_id))


def ask_dropped(conn: sqlite3.Connection, conversation_id: int) -> None:
    """Mark the conversation: its next question is grounded in the files dropped onto it."""
    with conn:
        conn.execute(
            "UPDATE conversations SET settings = "
            "json_set(coalesce(settings, '{}'), '$.ask_dropped', json('true')) WHERE id = ?",
            (conversation_id,),
        )


def describe(kb: KnowledgeBase) -> str:
    """How search works with what is installed, and what better retrieval needs."""
    if kb.embedder is None:
        return BETTER_RETRIEVAL
    with_vectors, total = kb.vector_status()
    name = kb.embedder.model_key.split("#")[0]
    return (
        f"Search matches words and meaning ({name}): {with_vectors:,} of {total:,} passages "
        "have a meaning vector."
    )


def skipped_note(skipped: list[tuple[str, str]]) -> str:
    """A sentence naming the files left out and why ("Skipped 2: a.bin (…); …"), or ""."""
    if not skipped:
        return ""
    named = "; ".join(f"{Path(p).name} ({why})" for p, why in skipped[:SKIPPED_SHOWN])
    more = f"; and {len(skipped) - SKIPPED_SHOWN} more" if len(skipped) > SKIPPED_SHOWN else ""
    return f" Skipped {len(skipped)}: {named}{more}."
