"""Messages as a tree, the queries behind the Store's branch methods (see core.store for the
API): a message's parent always has a smaller id (it existed first, or an import kept that
order), which is what bounds every walk here, whatever a damaged database holds. No Qt here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

Row = dict[str, Any]


def children(rows: Iterable[Row]) -> dict[int | None, list[int]]:
    """Ids under each parent id (None: the first messages), oldest first."""
    found: dict[int | None, list[int]] = {}
    for row in rows:
        found.setdefault(row["parent_id"], []).append(row["id"])
    return found


def path(parents: dict[int, int | None], leaf: int | None) -> list[int]:
    """The ids from the first message down to `leaf`."""
    ids: list[int] = []
    while leaf is not None and leaf in parents:
        ids.append(leaf)
        parent = parents[leaf]
        leaf = parent if parent is not None and parent < leaf else None
    return ids[::-1]


def stored_leaf(conn: sqlite3.Connection, conversation_id: int) -> int | None:
    """The conversation's active leaf; its newest message if none is kept (or the one kept is
    not its own); None for an empty conversation."""
    row = conn.execute(
        "SELECT c.active_leaf FROM conversations c JOIN messages m "
        "ON m.id = c.active_leaf AND m.conversation_id = c.id WHERE c.id = ?",
        (conversation_id,),
    ).fetchone()
    if row is not None:
        return row[0]
    newest = conn.execute(
        "SELECT max(id) FROM messages WHERE conversation_id = ?", (conversation_id,)
    ).fetchone()
    return newest[0] if newest else None


def newest_under(conn: sqlite3.Connection, message_id: int) -> int:
    """The newest message at or under `message_id`: the end of the branch last written there."""
    row = conn.execute(
        "WITH RECURSIVE down(id) AS (SELECT ? UNION ALL "
        "SELECT m.id FROM messages m JOIN down ON m.parent_id = down.id WHERE m.id > down.id) "
        "SELECT max(id) FROM down",
        (message_id,),
    ).fetchone()
    return row[0] if row and row[0] is not None else message_id


def subtree(conn: sqlite3.Connection, message_id: int) -> set[int]:
    rows = conn.execute(
        "WITH RECURSIVE down(id) AS (SELECT ? UNION ALL "
        "SELECT m.id FROM messages m JOIN down ON m.parent_id = down.id WHERE m.id > down.id) "
        "SELECT id FROM down",
        (message_id,),
    )
    return {r[0] for r in rows}


def up_to(conn: sqlite3.Connection, message_id: int) -> list[int]:
    """The ids from the first message down to `message_id`."""
    rows = conn.execute(
        "WITH RECURSIVE up(id) AS (SELECT ? UNION ALL "
        "SELECT m.parent_id FROM messages m JOIN up ON m.id = up.id "
        "WHERE m.parent_id IS NOT NULL AND m.parent_id < m.id) "
        "SELECT id FROM up",
        (message_id,),
    )
    return sorted(r[0] for r in rows)


def sibling_ids(conn: sqlite3.Connection, conversation_id: int, parent_id: int | None) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY id",
        (conversation_id, parent_id),
    )
    return [r[0] for r in rows]


def set_leaf(conn: sqlite3.Connection, conversation_id: int, leaf: int | None) -> None:
    conn.execute("UPDATE conversations SET active_leaf = ? WHERE id = ?", (leaf, conversation_id))


def leaf_after_delete(
    conn: sqlite3.Connection, row: Row, removed: set[int], leaf: int | None
) -> int | None:
    """Where the active branch goes when `row` and the messages under it are deleted: unchanged
    if it ran elsewhere; else through the newest remaining version at that place; else the
    parent."""
    if leaf is not None and leaf not in removed:
        return leaf
    others = [
        i
        for i in sibling_ids(conn, row["conversation_id"], row["parent_id"])
        if i not in removed
    ]
    if others:
        return newest_under(conn, others[-1])
    return row["parent_id"]
