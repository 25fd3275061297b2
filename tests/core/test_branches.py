"""Messages as a tree in the store: versions, the active branch, and the migration that keeps
every conversation of a v3 database as one branch (on a copy of a populated one)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from v3_database import make_v3_database

from desktop_app.core.errors import NotFound
from desktop_app.core.store import SCHEMA_VERSION, Store


@pytest.fixture
def db(tmp_path: Path):
    store = Store(tmp_path / "s.db")
    yield store
    store.close()


def ids(rows: list[dict]) -> list[int]:
    return [r["id"] for r in rows]


def test_a_v3_database_keeps_each_conversation_as_one_branch(tmp_path: Path) -> None:
    original = make_v3_database(tmp_path / "v3.db", conversations=3, messages=7)
    copy = tmp_path / "copy.db"
    shutil.copy(original, copy)
    before = sqlite3.connect(copy)
    old = {
        cid: before.execute(
            "SELECT id, role, content, model_id, quant, completion_tokens, finish_reason, "
            "assistant_id FROM messages WHERE conversation_id = ? ORDER BY id",
            (cid,),
        ).fetchall()
        for cid in (1, 2, 3)
    }
    before.close()
    with Store(copy) as store:
        assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        for cid, rows in old.items():
            branch = store.messages(cid)
            assert [tuple(r[k] for k in ("id", "role", "content")) for r in branch] == [
                row[:3] for row in rows
            ]
            assert [r["parent_id"] for r in branch] == [None] + ids(branch)[:-1]
            assert all(r["siblings"] == [r["id"]] for r in branch)
            assert branch[1]["model_id"] == "old-model" and branch[1]["assistant_id"] == "chat"
            assert store.active_leaf(cid) == rows[-1][0]
            assert store.all_messages(cid) == [
                {k: v for k, v in r.items() if k != "siblings"} for r in branch
            ]
        # A new message goes on the end of the old branch.
        added = store.add_message(2, "user", "a new question")
        assert store.messages(2)[-1]["parent_id"] == old[2][-1][0]
        assert store.message(added)["siblings"] == [added]


def test_a_new_message_goes_under_the_active_leaf_and_becomes_it(db: Store) -> None:
    cid = db.create_conversation()
    q = db.add_message(cid, "user", "q")
    a = db.add_message(cid, "assistant", "a")
    assert db.message(q)["parent_id"] is None and db.message(a)["parent_id"] == q
    assert db.active_leaf(cid) == a


def test_versions_are_siblings_and_switching_shows_their_branch(db: Store) -> None:
    cid = db.create_conversation()
    q = db.add_message(cid, "user", "q")
    a1 = db.add_message(cid, "assistant", "first answer")
    q2 = db.add_message(cid, "user", "follow-up")
    a2 = db.add_message(cid, "assistant", "second answer", parent_id=q)  # regenerated
    assert ids(db.messages(cid)) == [q, a2]
    assert db.messages(cid)[-1]["siblings"] == [a1, a2]
    # Back to the first version: the branch runs on to what was written under it.
    assert ids(db.switch_branch(cid, a1)) == [q, a1, q2]
    assert ids(db.branch_to(q2)) == [q, a1, q2]
    assert ids(db.switch_branch(cid, a2)) == [q, a2]
    assert len(db.all_messages(cid)) == 4


def test_switching_to_a_message_of_another_conversation_is_refused(db: Store) -> None:
    one, two = db.create_conversation(), db.create_conversation()
    message = db.add_message(one, "user", "q")
    with pytest.raises(NotFound):
        db.switch_branch(two, message)
    assert db.active_leaf(one) == message


def test_deleting_a_version_moves_the_branch_to_the_remaining_one(db: Store) -> None:
    cid = db.create_conversation()
    q = db.add_message(cid, "user", "q")
    a1 = db.add_message(cid, "assistant", "one")
    q2 = db.add_message(cid, "user", "more")
    a2 = db.add_message(cid, "assistant", "two", parent_id=q)
    db.delete_message(a2)
    assert ids(db.messages(cid)) == [q, a1, q2]
    db.delete_message(a1)  # and what was under it
    assert ids(db.messages(cid)) == [q] and len(db.all_messages(cid)) == 1


def test_a_damaged_tree_cannot_make_the_branch_walk_loop(db: Store) -> None:
    cid = db.create_conversation()
    q = db.add_message(cid, "user", "q")
    a = db.add_message(cid, "assistant", "a")
    with db.db.conn:
        db.db.conn.execute("PRAGMA foreign_keys=OFF")
        db.db.conn.execute("UPDATE messages SET parent_id = ? WHERE id = ?", (a, q))
    assert ids(db.messages(cid)) == [q, a]
    assert ids(db.branch_to(a)) == [q, a]
