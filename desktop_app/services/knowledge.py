"""The Support assistant's documents for the window: indexing runs on a thread of its own with
its own SQLite connection (WAL lets it write beside the store thread), reporting progress, so
neither the window nor a streaming answer waits for it."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.core.assistants.knowledge import KnowledgeBase

log = logging.getLogger(__name__)


class KnowledgeService(QObject):
    files_changed = Signal(list)  # [{"path", "chunks", "indexed_at"}]
    indexing_progressed = Signal(int, int, str)  # done, total, file name
    indexing_finished = Signal(str)  # a summary in plain words

    def __init__(self, database: Path):
        super().__init__()
        self.database = database
        self._lock = threading.Lock()  # one indexing job at a time

    def _run(self, job) -> None:
        def work() -> None:
            with self._lock:
                conn = sqlite3.connect(self.database, timeout=30)
                try:
                    kb = KnowledgeBase(conn)
                    summary = job(kb)
                    files = kb.files()
                except (OSError, sqlite3.Error) as exc:
                    log.warning("indexing failed: %s", exc)
                    summary, files = f"Indexing failed: {exc}", None
                finally:
                    conn.close()
            if files is not None:
                self.files_changed.emit(files)
            if summary:
                self.indexing_finished.emit(summary)

        threading.Thread(target=work, name="kb-index", daemon=True).start()

    def list(self) -> None:
        self._run(lambda kb: "")

    def add(self, paths: list[Path]) -> None:
        def job(kb: KnowledgeBase) -> str:
            counts = kb.add(paths, on_progress=self.indexing_progressed.emit)
            return (
                f"Indexed {counts['indexed']} file(s) ({counts['chunks']} passages); "
                f"{counts['unchanged']} unchanged."
            )

        self._run(job)

    def refresh(self) -> None:
        def job(kb: KnowledgeBase) -> str:
            counts = kb.refresh()
            return (
                f"Re-indexed {counts['indexed']} changed file(s); forgot "
                f"{counts['removed']} deleted one(s)."
            )

        self._run(job)

    def remove(self, path: Path) -> None:
        self._run(lambda kb: f"Forgot {kb.remove(path)} file(s).")
