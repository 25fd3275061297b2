"""The Support assistant's documents for the window: indexing (and the meaning vectors, with an
embedding model) runs on a thread of its own with its own SQLite connection (WAL lets it write
beside the store thread), reporting progress, so neither the window nor a streaming answer
waits for it. Files dropped onto a conversation are indexed for that conversation only. The
indexed paths are kept in memory, so the window can ask whether a link points at a document
without touching the database."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.core.assistants.knowledge import (
    GLOBAL,
    KnowledgeBase,
    conversation_collection,
    forget_deleted_conversations,
)
from desktop_app.core.engine.embeddings import BETTER_RETRIEVAL, shared_embedder
from desktop_app.core.errors import Cancelled
from desktop_app.services.background import Background

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
        # One worker: one indexing job at a time, in the order asked. Results, progress and
        # failures come back on the GUI thread (services/background.py, as every service).
        self.background = Background("kb-index", parent=self)
        self._closing = False
        self._indexed: frozenset[str] = frozenset()  # replaced whole: safe to read anywhere

    def is_indexed(self, path: str) -> bool:
        """Whether `path` is exactly a document of the knowledge base (as of the last job)."""
        return path in self._indexed

    def shutdown(self) -> None:
        """A job in progress stops at its next file (the app is closing); none start."""
        self._closing = True
        self.background.shutdown(wait=False)

    def _progress(self, done: int, total: int, name: str) -> None:
        """From the worker: progress for the window; stops the job when the app closes."""
        if self._closing:
            raise Cancelled("Smallwise is closing: indexing stopped.")
        self.background.post(lambda args: self.indexing_progressed.emit(*args), (done, total, name))

    def _run(self, job: Callable[[KnowledgeBase], str], collection: str = GLOBAL) -> None:
        def work() -> Indexed:
            conn = sqlite3.connect(self.database, timeout=30)
            try:
                kb = KnowledgeBase(conn, collection=collection)
                kb.embedder = shared_embedder(conn, self.log_path)
                summary = job(kb)
                kb.collection = GLOBAL
                every = frozenset(p for (p,) in conn.execute("SELECT path FROM kb_documents"))
                return Indexed(summary, kb.files(), every, describe(kb))
            finally:
                conn.close()

        def done(indexed: Indexed) -> None:
            self._indexed = indexed.every  # dropped files too: their links open
            self.retrieval_described.emit(indexed.described)
            self.files_changed.emit(indexed.files)
            if indexed.summary:
                self.indexing_finished.emit(indexed.summary)

        def failed(message: str) -> None:
            log.warning("indexing failed: %s", message)
            self.indexing_finished.emit(self.tr("Indexing failed: {error}").format(error=message))

        self.background.run(work, done, failed)

    def _emit(self, signal: Any, *args: Any) -> None:
        """From the worker: a signal emitted on the GUI thread."""
        self.background.post(lambda values: signal.emit(*values), args)

    def list_files(self) -> None:
        self._run(lambda kb: "")

    def add(self, paths: list[Path]) -> None:
        def job(kb: KnowledgeBase) -> str:
            counts = kb.add(paths, on_progress=self._progress)
            self._emit(self.files_skipped, counts["skipped"])
            text = self.tr("Indexed %n file(s)", "", counts["indexed"]) + " " + self.tr(
                "({passages} passages); {unchanged} unchanged."
            ).format(passages=counts["chunks"], unchanged=counts["unchanged"])
            return text + skipped_note(counts["skipped"])

        self._run(job)

    def refresh(self) -> None:
        def job(kb: KnowledgeBase) -> str:
            forget_deleted_conversations(kb.conn)  # their dropped files go with them
            counts = kb.refresh()
            self._emit(self.files_skipped, counts["skipped"])
            text = self.tr("Re-indexed %n changed file(s);", "", counts["indexed"]) + " "
            text += self.tr("forgot %n deleted one(s).", "", counts["removed"])
            return text + skipped_note(counts["skipped"])

        self._run(job)

    def remove(self, path: Path) -> None:
        self._run(lambda kb: self.tr("Forgot %n file(s).", "", kb.remove(path)))

    def attach(self, conversation_id: int, paths: list[Path]) -> None:
        """Index files for one conversation; its next question is answered from them."""

        def job(kb: KnowledgeBase) -> str:
            counts = kb.add(paths, on_progress=self._progress)
            if counts["indexed"] or counts["unchanged"]:
                ask_dropped(kb.conn, conversation_id)
                summary = self.tr(
                    "Ask your question: the next answer comes from the file(s) you dropped."
                )
            else:
                summary = self.tr("Nothing could be read from the file(s) dropped.")
            summary += skipped_note(counts["skipped"])
            self._emit(self.attached, conversation_id, summary)
            return summary

        self._run(job, conversation_collection(conversation_id))


@dataclass(frozen=True)
class Indexed:
    """What a job leaves for the window: its summary, the global files, every indexed path
    (for the link policy), and how search works now."""

    summary: str
    files: list[dict[str, Any]]
    every: frozenset[str]
    described: str


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
