"""Conversations into the app from a JSON export (core.export): an untrusted file, checked
field by field within fixed bounds before anything is written, then stored in one transaction
(all or nothing) as new conversations with new ids; the tree, the active branch, settings,
models and metrics come back as they were. An answer exported while it was being written comes
back marked interrupted. What is wrong is said with where it is (ImportRefused). No Qt here.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop_app.core import export
from desktop_app.core.errors import ImportRefused

MAX_FILE_BYTES = 256 << 20
MAX_CONVERSATIONS = 100_000
MAX_MESSAGES = 2_000_000  # in the whole file
MAX_TEXT = 4 << 20  # characters of one message
MAX_SHORT = 10_000  # characters of a title, an error, an id
MAX_OBJECT = 1 << 20  # characters of one message's extras or a conversation's settings, as JSON
ROLES = ("user", "assistant", "system")
STATUSES = ("complete", "stopped", "interrupted", "error", "streaming")

_INT, _NUM, _STR = (int,), (int, float), (str,)
# field → (accepted types, may be null, default when missing)
MESSAGE_SPEC: dict[str, tuple[tuple[type, ...], bool, Any]] = {
    "id": (_INT, False, ...),
    "parent_id": (_INT, True, None),
    "role": (_STR, False, ...),
    "content": (_STR, False, ...),
    "status": (_STR, False, "complete"),
    "error": (_STR, True, None),
    "assistant_id": (_STR, True, None),
    "model_id": (_STR, True, None),
    "quant": (_STR, True, None),
    "n_ctx": (_INT, True, None),
    "ttft_s": (_NUM, True, None),
    "tokens_per_s": (_NUM, True, None),
    "prompt_tokens": (_INT, True, None),
    "completion_tokens": (_INT, True, None),
    "finish_reason": (_STR, True, None),
    "context_left_out": (_INT, False, 0),
    "extras": ((dict,), False, {}),
    "created_at": (_STR, False, ...),
}
CONVERSATION_KEYS = {*export.CONVERSATION_FIELDS, "settings", "active_leaf", "messages"}


def read(path: Path) -> dict[str, Any]:
    """The checked document in `path`; ImportRefused says what is wrong."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportRefused(
                f"{path} is {size / 1e6:.0f} MB; an import takes at most "
                f"{MAX_FILE_BYTES >> 20} MB. Export fewer conversations at a time."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    return parse(raw, str(path))


def parse(raw: bytes, name: str = "the file") -> dict[str, Any]:
    if len(raw) > MAX_FILE_BYTES:
        raise ImportRefused(f"{name} is larger than {MAX_FILE_BYTES >> 20} MB.")
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ImportRefused(f"{name} is not a Smallwise JSON export ({_brief(exc)}).") from exc
    except RecursionError as exc:
        raise ImportRefused(f"{name} is nested too deeply to be an export.") from exc
    check(doc, name)
    return doc


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a number JSON allows")


def check(doc: Any, name: str = "the file") -> None:
    if not isinstance(doc, dict) or doc.get("format") != export.FORMAT:
        raise ImportRefused(f"{name} is not a Smallwise conversations export (no 'format').")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportRefused(f"{name}: 'version' must be a whole number.")
    if version > export.VERSION:
        raise ImportRefused(
            f"{name} was written by a newer Smallwise (export version {version}; this one reads "
            f"{export.VERSION}). Update Smallwise to import it."
        )
    conversations = doc.get("conversations")
    if not isinstance(conversations, list) or len(conversations) > MAX_CONVERSATIONS:
        raise ImportRefused(f"{name}: 'conversations' must be a list of at most "
                            f"{MAX_CONVERSATIONS:,}.")
    total = 0
    for n, conv in enumerate(conversations, 1):
        total += _check_conversation(conv, f"{name}, conversation {n}")
        if total > MAX_MESSAGES:
            raise ImportRefused(f"{name} holds more than {MAX_MESSAGES:,} messages.")


def _check_conversation(conv: Any, where: str) -> int:
    if not isinstance(conv, dict):
        raise ImportRefused(f"{where} is not an object.")
    _no_unknown(conv, CONVERSATION_KEYS, where)
    if not isinstance(conv.get("id", 0), int) or isinstance(conv.get("id"), bool):
        raise ImportRefused(f"{where}: 'id' must be a whole number.")
    _string(conv.get("title"), where, "title", MAX_SHORT)
    for key in ("created_at", "updated_at"):
        _timestamp(conv.get(key), where, key)
    if not isinstance(conv.get("named", False), bool):
        raise ImportRefused(f"{where}: 'named' must be true or false.")
    _object(conv.get("settings", {}), where, "settings")
    messages = conv.get("messages")
    if not isinstance(messages, list):
        raise ImportRefused(f"{where}: 'messages' must be a list.")
    seen: set[int] = set()
    for n, message in enumerate(messages, 1):
        _check_message(message, f"{where}, message {n}", seen)
        seen.add(message["id"])
    leaf = conv.get("active_leaf")
    if leaf is not None and (not isinstance(leaf, int) or leaf not in seen):
        raise ImportRefused(f"{where}: 'active_leaf' {leaf!r} is none of its messages.")
    return len(messages)


def _check_message(message: Any, where: str, earlier: set[int]) -> None:
    if not isinstance(message, dict):
        raise ImportRefused(f"{where} is not an object.")
    _no_unknown(message, MESSAGE_SPEC.keys(), where)
    for key, (types, nullable, default) in MESSAGE_SPEC.items():
        value = message.get(key, default)
        if value is ...:
            raise ImportRefused(f"{where} has no '{key}'.")
        if value is None and nullable:
            continue
        if not isinstance(value, types) or isinstance(value, bool):
            raise ImportRefused(f"{where}: '{key}' has the wrong type ({type(value).__name__}).")
        _in_range(value, where, key)
    _string(message["content"], where, "content", MAX_TEXT)
    for key in ("error", "assistant_id", "model_id", "quant", "finish_reason"):
        _string(message.get(key) or "", where, key, MAX_SHORT)
    _choice(message["role"], ROLES, where, "role")
    _choice(message.get("status", "complete"), STATUSES, where, "status")
    _timestamp(message["created_at"], where, "created_at")
    _object(message.get("extras", {}), where, "extras")
    if message["id"] in earlier:
        raise ImportRefused(f"{where}: id {message['id']} is used twice.")
    parent = message.get("parent_id")
    if parent is not None and parent not in earlier:
        raise ImportRefused(f"{where}: its parent {parent} is not an earlier message.")


def _in_range(value: Any, where: str, key: str) -> None:
    """Numbers SQLite can hold and a person can read: finite, whole ones within ±2⁵³."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ImportRefused(f"{where}: '{key}' is not a finite number.")
    if isinstance(value, int) and abs(value) > 2**53:
        raise ImportRefused(f"{where}: '{key}' is out of range.")


def _no_unknown(item: dict, known: Any, where: str) -> None:
    unknown = sorted(set(item) - set(known))
    if unknown:
        names = ", ".join(repr(k)[:40] for k in unknown[:5])
        raise ImportRefused(f"{where} has fields this Smallwise does not know: {names}.")


def _string(value: Any, where: str, key: str, limit: int) -> None:
    if not isinstance(value, str):
        raise ImportRefused(f"{where}: '{key}' must be text.")
    if len(value) > limit:
        raise ImportRefused(f"{where}: '{key}' is longer than {limit:,} characters.")


def _choice(value: Any, allowed: tuple[str, ...], where: str, key: str) -> None:
    if value not in allowed:
        raise ImportRefused(f"{where}: '{key}' must be one of {', '.join(allowed)}.")


def _timestamp(value: Any, where: str, key: str) -> None:
    _string(value, where, key, 64)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ImportRefused(f"{where}: '{key}' is not a date and time.") from None


def _object(value: Any, where: str, key: str) -> None:
    if not isinstance(value, dict):
        raise ImportRefused(f"{where}: '{key}' must be an object.")
    if len(json.dumps(value)) > MAX_OBJECT:
        raise ImportRefused(f"{where}: '{key}' is larger than {MAX_OBJECT:,} characters.")


def _brief(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:160] + "…"


# -- storing -------------------------------------------------------------------------------------
def store_document(store: Any, doc: dict[str, Any]) -> list[int]:
    """Store a checked document (see check) as new conversations; their ids, in order."""
    conn = store.db.conn
    with conn:
        return [_store_conversation(conn, conv) for conv in doc["conversations"]]


def _store_conversation(conn: Any, conv: dict[str, Any]) -> int:
    cid = conn.execute(
        "INSERT INTO conversations (title, created_at, updated_at, named, settings) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            conv["title"],
            conv["created_at"],
            conv["updated_at"],
            int(conv.get("named", False)),
            json.dumps(conv.get("settings", {})),
        ),
    ).lastrowid
    ids: dict[int, int] = {}
    fields = [k for k in MESSAGE_SPEC if k != "id"]
    sql = (
        f"INSERT INTO messages (conversation_id, {', '.join(fields)}) "
        f"VALUES (?, {', '.join('?' for _ in fields)})"
    )
    for message in conv["messages"]:
        values = {k: message.get(k, MESSAGE_SPEC[k][2]) for k in fields}
        parent = values["parent_id"]
        values["parent_id"] = ids[parent] if parent is not None else None
        values["extras"] = json.dumps(values["extras"])
        if values["status"] == "streaming":  # nothing is writing it any more
            values["status"] = "interrupted"
        ids[message["id"]] = conn.execute(sql, (cid, *values.values())).lastrowid
    leaf = conv.get("active_leaf")
    conn.execute(
        "UPDATE conversations SET active_leaf = ? WHERE id = ?",
        (ids.get(leaf) if isinstance(leaf, int) else None, cid),
    )
    return cid


def import_file(store: Any, path: Path) -> list[int]:
    """Check `path` whole, then store it; the new conversations' ids."""
    return store_document(store, read(path))
