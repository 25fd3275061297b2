"""The Support assistant's documents for the window: indexing runs on a thread of its own with
its own SQLite connection (WAL lets it write beside the store thread), reporting progress, so
neither the window nor a streaming answer waits for it. The indexed paths are kept in memory,
so the window can ask whether a link points at a document without touching the database."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.core.assistants.knowledge import KnowledgeBase

log = logging.getLogger(__name__)


SKIPPED_SHOWN = 5  # files named in a summary; the rest are counted


class KnowledgeService(QObject):
    files_changed = Signal(list)  # [{"path", "chunks", "indexed_at"}]
    indexing_progressed = Signal(int, int, str)  # done, total, file name
    indexing_finished = Signal(str)  # a summary in plain words
    files_skipped = Signal(list)  # [(path, reason)] of the last job, for the dialog

    def __init__(self, database: Path):
        super().__init__()
        self.database = database
        self._lock = threading.Lock()  # one indexing job at a time
        self._indexed: frozenset[str] = frozenset()  # replaced whole: safe to read anywhere

    def is_indexed(self, path: str) -> bool:
        """Whether `path` is exactly a document of the knowledge base (as of the last job)."""
        return path in self._indexed

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
                except Exception:  # a bug: logged, and the user still hears of it
                    log.exception("indexing failed")
                    summary, files = "Indexing failed because of a bug; see the log.", None
                finally:
                    conn.close()
            if files is not None:
                self._indexed = frozenset(str(f["path"]) for f in files)
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
            return (
                f"Indexed {counts['indexed']} file(s) ({counts['chunks']} passages); "
                f"{counts['unchanged']} unchanged." + skipped_note(counts["skipped"])
            )

        self._run(job)

    def refresh(self) -> None:
        def job(kb: KnowledgeBase) -> str:
            counts = kb.refresh()
            self.files_skipped.emit(counts["skipped"])
            return (
                f"Re-indexed {counts['indexed']} changed file(s); forgot "
                f"{counts['removed']} deleted one(s)." + skipped_note(counts["skipped"])
            )

        self._run(job)

    def remove(self, path: Path) -> None:
        self._run(lambda kb: f"Forgot {kb.remove(path)} file(s).")


def skipped_note(skipped: list[tuple[str, str]]) -> str:
    """A sentence naming the files left out and why ("Skipped 2: a.bin (…); …"), or ""."""
    if not skipped:
        return ""
    named = "; ".join(f"{Path(p).name} ({why})" for p, why in skipped[:SKIPPED_SHOWN])
    more = f"; and {len(skipped) - SKIPPED_SHOWN} more" if len(skipped) > SKIPPED_SHOWN else ""
    return f" Skipped {len(skipped)}: {named}{more}."
