"""Conversations, messages and installed models in local SQLite (sqlite-utils).

Schema version lives in PRAGMA user_version; migrations run in one transaction. A database that
cannot be read, or was written by a newer Smallwise, is reported and left untouched.
No Qt here. A Store is used from one thread only (the service layer gives it its own).

Messages form a tree (schema 5): each has a `parent_id` (None for the first message), so an
edited question or a regenerated answer is a sibling of the one it replaces, and nothing is
ever overwritten. Each conversation keeps its `active_leaf`, the newest message of the branch
on screen; the rest of the tree stays stored, exported and searchable.

    messages(cid)              the active branch, root to leaf; each row has `parent_id` and
                               `siblings` (ids of the versions at its place, itself included,
                               oldest first) — what the model sees and the window shows
    all_messages(cid)          every message of every branch, oldest first (export)
    branch_to(message_id)      the path root → that message (the history for an answer to it)
    add_message(cid, …, parent_id=ACTIVE)
                               a new message under `parent_id` (by default the active leaf);
                               it becomes the active leaf
    switch_branch(cid, mid)    show the branch through `mid`: the active leaf becomes the
                               newest message under it; returns messages(cid)
    delete_message(mid)        the message and everything under it; the active leaf moves to a
                               remaining sibling, else the parent

Search (schema 6): core.search over SQLite FTS5 tables of titles and messages, kept in step by
triggers (see there).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from desktop_app.core import branches, database, search
from desktop_app.core.errors import NotFound, StoreError  # noqa: F401  (StoreError: re-exported)

SCHEMA_VERSION = 7
MEMORY = database.MEMORY  # Store(MEMORY): nothing written to disk (the API's unkept conversations)
T = TypeVar("T")

class MessageStatus(StrEnum):
    """A message is streaming while it is written; the rest are final. Stored as the text."""

    STREAMING = "streaming"
    COMPLETE = "complete"
    STOPPED = "stopped"  # by the user; the text so far is kept
    INTERRUPTED = "interrupted"  # the engine died or the app closed; the text so far is kept
    ERROR = "error"  # no answer: the row's `error` says why


STREAMING, COMPLETE, STOPPED, INTERRUPTED, ERROR = tuple(MessageStatus)

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
    # Messages as a tree: every existing conversation becomes one branch, each message under
    # the one before it, the newest one active.
    5: """
    ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE;
    ALTER TABLE conversations ADD COLUMN active_leaf INTEGER;
    UPDATE messages SET parent_id = (
        SELECT max(p.id) FROM messages p
        WHERE p.conversation_id = messages.conversation_id AND p.id < messages.id
    );
    UPDATE conversations SET active_leaf = (
        SELECT max(m.id) FROM messages m WHERE m.conversation_id = conversations.id
    );
    CREATE INDEX messages_by_parent ON messages(parent_id)
    """,
    6: search.MIGRATION,
    # Knowledge bases per collection ('global', 'conversation:<id>'): today's index becomes the
    # global one. Passages carry the digest of what is embedded, so a vector is computed once
    # per text and model (re-indexing an unchanged passage, or the same file in two
    # collections, costs nothing). FTS5 tables cannot gain columns: copied into a new one.
    7: """
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


class _Active:
    """The default parent of a new message: the end of the active branch."""


ACTIVE = _Active()

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
        self.db = database.sqlite_utils.Database(database.connect(self.path))
        self._migrate()
        self.recovered = self._recover_streaming()

    # -- opening ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        database.migrate(self.db.conn, self.path, MIGRATIONS, SCHEMA_VERSION)

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
        try:
            return self.db["conversations"].get(conversation_id)
        except database.sqlite_utils.db.NotFoundError:
            raise NotFound(f"There is no conversation {conversation_id}.") from None

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

    def last_answered_by(self, conversation_id: int) -> str | None:
        """The assistant that gave this conversation's latest answer (what a conversation from
        the CLI or the API, which keeps no assistant of its own, is with)."""
        row = self.db.conn.execute(
            "SELECT assistant_id FROM messages WHERE conversation_id = ? AND role = 'assistant'"
            " AND assistant_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        return row[0] if row else None

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

    # -- messages (a tree: see the module's docstring) ---------------------------------------
    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str = "",
        status: str = COMPLETE,
        parent_id: int | None | _Active = ACTIVE,
        **meta: Any,
    ) -> int:
        """A new message under `parent_id` (by default the end of the active branch); the
        active branch now ends with it."""
        conn = self.db.conn
        with conn:
            if parent_id is ACTIVE:
                parent_id = branches.stored_leaf(conn, conversation_id)
            row = {
                "conversation_id": conversation_id,
                "parent_id": parent_id,
                "role": role,
                "content": content,
                "status": status,
                "created_at": now(),
                **_only_meta(meta),
            }
            pk = self.db["messages"].insert(row).last_pk
            branches.set_leaf(conn, conversation_id, pk)
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
        """One message, with the ids of its versions (`siblings`)."""
        row = _decoded(self.db["messages"].get(message_id))
        cid, parent = row["conversation_id"], row["parent_id"]
        return {**row, "siblings": branches.sibling_ids(self.db.conn, cid, parent)}

    def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        """The active branch, first message to last, each with its `siblings`."""
        rows = self.all_messages(conversation_id, decode=False)
        by_id = {row["id"]: row for row in rows}
        leaf = branches.stored_leaf(self.db.conn, conversation_id)
        ids = branches.path({i: row["parent_id"] for i, row in by_id.items()}, leaf)
        versions = branches.children(rows)
        return [
            {**_decoded(by_id[i]), "siblings": versions[by_id[i]["parent_id"]]} for i in ids
        ]

    def all_messages(self, conversation_id: int, decode: bool = True) -> list[dict[str, Any]]:
        """Every message of every branch, oldest first."""
        rows = self.db["messages"].rows_where(
            "conversation_id = ?", [conversation_id], order_by="id"
        )
        return [_decoded(row) for row in rows] if decode else list(rows)

    def branch_to(self, message_id: int) -> list[dict[str, Any]]:
        """The messages from the first one down to `message_id`: what came before it."""
        ids = branches.up_to(self.db.conn, message_id)
        return [_decoded(self.db["messages"].get(i)) for i in ids]

    def active_leaf(self, conversation_id: int) -> int | None:
        return branches.stored_leaf(self.db.conn, conversation_id)

    def switch_branch(self, conversation_id: int, message_id: int) -> list[dict[str, Any]]:
        """Show the branch through `message_id` (a version picked, a search hit opened): it
        runs on to the newest message under it. Returns the branch, as messages() does."""
        row = self.db.conn.execute(
            "SELECT conversation_id FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None or row[0] != conversation_id:
            raise NotFound(f"Message {message_id} is not in conversation {conversation_id}.")
        with self.db.conn:
            branches.set_leaf(
                self.db.conn, conversation_id, branches.newest_under(self.db.conn, message_id)
            )
        return self.messages(conversation_id)

    def delete_message(self, message_id: int) -> None:
        """The message and every message under it."""
        row = self.db["messages"].get(message_id)
        conn, cid = self.db.conn, row["conversation_id"]
        with conn:
            leaf, removed = branches.stored_leaf(conn, cid), branches.subtree(conn, message_id)
            self.db["messages"].delete(message_id)  # the rest by ON DELETE CASCADE
            branches.set_leaf(conn, cid, branches.leaf_after_delete(conn, row, removed, leaf))

    # -- search ----------------------------------------------------------------------------
    def search(self, query: str, limit: int = search.LIMIT) -> list[dict[str, Any]]:
        """Titles and messages (every branch) matching the user's words; see core.search."""
        return search.search(self.db.conn, query, limit)

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
