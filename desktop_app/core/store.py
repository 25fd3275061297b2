"""Conversations, messages and installed models in local SQLite (sqlite-utils).

Schema version lives in PRAGMA user_version; migrations run in one transaction. A database that
cannot be read, or was written by a newer Smallwise, is reported and left untouched.
No Qt here. A Store is used from one thread only (the service layer gives it its own).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from desktop_app.core.errors import StoreError


def _import_sqlite_utils() -> ModuleType:
    """sqlite-utils imports numpy (~0.1 s of a cold start) only for type adapters this app never
    uses: it is imported with numpy marked absent for that one import, and numpy stays importable
    for whatever needs it later (gguf reads GGUF headers with it)."""
    if "numpy" in sys.modules:
        import sqlite_utils
    else:
        sys.modules["numpy"] = None  # type: ignore[assignment]
        try:
            import sqlite_utils
        finally:
            del sys.modules["numpy"]
    return sqlite_utils


sqlite_utils = _import_sqlite_utils()

SCHEMA_VERSION = 5
T = TypeVar("T")

# Message status: streaming while being written; the rest are final.
STREAMING, COMPLETE, STOPPED, INTERRUPTED, ERROR = (
    "streaming",
    "complete",
    "stopped",
    "interrupted",
    "error",
)

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: ids may be referenced later
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'complete',
        error TEXT,
        model_id TEXT,
        quant TEXT,
        n_ctx INTEGER,
        ttft_s REAL,
        tokens_per_s REAL,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        finish_reason TEXT,
        context_left_out INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    CREATE TABLE models (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        quant TEXT,
        chat_format TEXT,
        source TEXT,
        size_bytes INTEGER,
        sha256 TEXT,
        added_at TEXT NOT NULL
    );
    """,
    2: """
    ALTER TABLE messages ADD COLUMN assistant_id TEXT
    """,
    3: """
    CREATE TABLE kb_documents (
        path TEXT PRIMARY KEY,
        mtime REAL NOT NULL,
        size INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        indexed_at TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE kb_chunks USING fts5(
        text, heading, path UNINDEXED, tokenize = 'porter unicode61'
    )
    """,
    4: """
    ALTER TABLE messages ADD COLUMN extras TEXT;
    ALTER TABLE conversations ADD COLUMN named INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversations ADD COLUMN settings TEXT;
    UPDATE conversations SET named = 1 WHERE title != 'New conversation'
    """,
    # Knowledge bases per collection ('global', 'conversation:<id>'): today's index becomes the
    # global one. Passages carry the digest of what is embedded, so a vector is computed once
    # per text and model (re-indexing an unchanged passage, or the same file in two
    # collections, costs nothing). FTS5 tables cannot gain columns: copied into a new one.
    5: """
    CREATE TABLE kb_documents_v5 (
        collection TEXT NOT NULL,
        path TEXT NOT NULL,
        mtime REAL NOT NULL,
        size INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        indexed_at TEXT NOT NULL,
        PRIMARY KEY (collection, path)
    );
    INSERT INTO kb_documents_v5
        SELECT 'global', path, mtime, size, chunks, indexed_at FROM kb_documents;
    DROP TABLE kb_documents;
    ALTER TABLE kb_documents_v5 RENAME TO kb_documents;
    CREATE VIRTUAL TABLE kb_passages USING fts5(
        text, heading, path UNINDEXED, collection UNINDEXED, digest UNINDEXED,
        tokenize = 'porter unicode61'
    );
    INSERT INTO kb_passages (rowid, text, heading, path, collection, digest)
        SELECT rowid, text, heading, path, 'global', '' FROM kb_chunks;
    DROP TABLE kb_chunks;
    CREATE TABLE kb_vectors (
        model TEXT NOT NULL,
        digest TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, digest)
    ) WITHOUT ROWID;
    CREATE TABLE kb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
    """,
}

MESSAGE_META = (
    "model_id",
    "quant",
    "n_ctx",
    "ttft_s",
    "tokens_per_s",
    "prompt_tokens",
    "completion_tokens",
    "finish_reason",
    "context_left_out",
    "error",
    "assistant_id",
)


_last_stamp = datetime.min.replace(tzinfo=UTC)


def now() -> str:
    """UTC ISO time in microseconds, strictly increasing within the process, so that "newest
    first" never ties even for events in the same clock tick."""
    global _last_stamp
    stamp = datetime.now(UTC)
    if stamp <= _last_stamp:
        stamp = _last_stamp + timedelta(microseconds=1)
    _last_stamp = stamp
    return stamp.isoformat(timespec="microseconds")


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.db = sqlite_utils.Database(_connect(self.path))
        self._migrate()
        self.recovered = self._recover_streaming()

    # -- opening ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        conn = self.db.conn
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"The conversation database {self.path} cannot be read ({exc}). It was left "
                "untouched. Restore it from a backup, or move it aside to start with an empty one."
            ) from exc
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"The conversation database {self.path} was written by a newer Smallwise "
                f"(schema {version}, this version knows {SCHEMA_VERSION}). It was left untouched. "
                "Update Smallwise, or set SMALLWISE_HOME to use another profile folder."
            )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # executescript would COMMIT first; run the statements ourselves in one transaction.
            conn.execute("BEGIN")
            try:
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        _make_private(self.path)

    def _recover_streaming(self) -> int:
        """Answers that were streaming when the app died are kept and marked interrupted."""
        with self.db.conn:
            cur = self.db.conn.execute(
                "UPDATE messages SET status = ?, error = ? WHERE status = ?",
                (INTERRUPTED, "Smallwise closed before this answer finished.", STREAMING),
            )
        return cur.rowcount

    def close(self) -> None:
        self.db.conn.close()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(self, *args): several calls as one, on whatever thread owns this store."""
        return fn(self, *args)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- conversations -------------------------------------------------------------------------
    def create_conversation(self, title: str = "New conversation") -> int:
        stamp = now()
        with self.db.conn:
            table = self.db["conversations"].insert(
                {"title": title, "created_at": stamp, "updated_at": stamp}
            )
        return table.last_pk

    def conversations(self) -> list[dict[str, Any]]:
        """Newest activity first."""
        return list(self.db["conversations"].rows_where(order_by="updated_at DESC, id DESC"))

    def conversation(self, conversation_id: int) -> dict[str, Any]:
        return self.db["conversations"].get(conversation_id)

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """A title the user gave, or the automatic one: either way it is not changed again."""
        title = " ".join(title.split()) or "Untitled"
        with self.db.conn:
            self.db["conversations"].update(conversation_id, {"title": title, "named": 1})

    def conversation_settings(self, conversation_id: int) -> dict[str, Any]:
        """What this conversation keeps of its own (assistant, level, tutor's hint step…)."""
        row = self.db.conn.execute(
            "SELECT settings FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return _json_object(row[0] if row else None)

    def update_conversation_settings(self, conversation_id: int, **values: Any) -> None:
        """Merge `values` into the conversation's settings (None removes a key)."""
        with self.db.conn:
            merged = {**self.conversation_settings(conversation_id), **values}
            merged = {k: v for k, v in merged.items() if v is not None}
            self.db["conversations"].update(conversation_id, {"settings": json.dumps(merged)})

    def delete_conversation(self, conversation_id: int) -> None:
        with self.db.conn:
            self.db["conversations"].delete(conversation_id)

    def _touch(self, conversation_id: int) -> None:
        self.db["conversations"].update(conversation_id, {"updated_at": now()})

    # -- messages ------------------------------------------------------------------------------
    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str = "",
        status: str = COMPLETE,
        **meta: Any,
    ) -> int:
        row = {
            "conversation_id": conversation_id,
            "role": role,
            "content": content,
            "status": status,
            "created_at": now(),
            **_only_meta(meta),
        }
        with self.db.conn:
            pk = self.db["messages"].insert(row).last_pk
            self._touch(conversation_id)
        return pk

    def append_to_message(self, message_id: int, text: str) -> None:
        with self.db.conn:
            self.db.conn.execute(
                "UPDATE messages SET content = content || ? WHERE id = ?", (text, message_id)
            )

    def finish_message(self, message_id: int, status: str, **meta: Any) -> None:
        with self.db.conn:
            self.db["messages"].update(message_id, {"status": status, **_only_meta(meta)})

    def set_extras(self, message_id: int, extras: dict[str, Any]) -> None:
        """What the app added to an answer (sources, math checks…), shown again on reopen."""
        with self.db.conn:
            self.db["messages"].update(message_id, {"extras": json.dumps(extras)})

    def message(self, message_id: int) -> dict[str, Any]:
        return _decoded(self.db["messages"].get(message_id))

    def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        rows = self.db["messages"].rows_where(
            "conversation_id = ?", [conversation_id], order_by="id"
        )
        return [_decoded(row) for row in rows]

    def delete_message(self, message_id: int) -> None:
        with self.db.conn:
            self.db["messages"].delete(message_id)

    # -- installed models ----------------------------------------------------------------------
    def register_model(self, model_id: str, path: Path, **info: Any) -> None:
        row = {"id": model_id, "path": str(path), "added_at": now(), **info}
        with self.db.conn:
            self.db["models"].upsert(row, pk="id")

    def remove_model(self, model_id: str) -> None:
        with self.db.conn:
            self.db["models"].delete(model_id)

    def installed_models(self) -> list[dict[str, Any]]:
        return list(self.db["models"].rows_where(order_by="added_at"))

    def installed_model(self, model_id: str) -> dict[str, Any] | None:
        rows = list(self.db["models"].rows_where("id = ?", [model_id]))
        return rows[0] if rows else None


def _json_object(text: str | None) -> dict[str, Any]:
    """A stored JSON object; {} when there is none or it is unreadable."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A message row with its extras as a dict."""
    return {**row, "extras": _json_object(row.get("extras"))}


def _only_meta(meta: dict[str, Any]) -> dict[str, Any]:
    unknown = set(meta) - set(MESSAGE_META)
    if unknown:
        raise TypeError(f"unknown message fields: {sorted(unknown)}")
    return meta


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(
            f"The conversation database {path} is not readable and writable by you. It was left "
            "untouched. Fix its permissions (chmod 600) or set SMALLWISE_HOME to another folder."
        )
    try:
        # check_same_thread=False: the service layer confines a Store to one thread of its own,
        # which is not the thread that opened it.
        conn = sqlite3.connect(path, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"The conversation database {path} cannot be opened ({exc}).") from exc
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _make_private(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            os.chmod(p, 0o600)
