"""The conversation store on real SQLite files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop_app.core import store as st
from desktop_app.core.store import SCHEMA_VERSION, Store, StoreError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path):
    store = Store(tmp_path / "s.db")
    yield store
    store.close()


def test_new_database_has_schema_version_wal_and_private_mode(db: Store) -> None:
    conn = db.db.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert set(db.db.table_names()) >= {"conversations", "messages", "models"}
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600


def test_migrates_a_version_0_database_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).execute("CREATE TABLE unrelated (x)").connection.commit()
    store = Store(path)
    assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "unrelated" in store.db.table_names()
    store.close()


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(st.MIGRATIONS, 1, st.MIGRATIONS[1] + "; CREATE TABLE broken (")
    with pytest.raises(sqlite3.Error):
        Store(tmp_path / "m.db")
    conn = sqlite3.connect(tmp_path / "m.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = digest(path)
    with pytest.raises(StoreError, match="newer Smallwise.*left untouched"):
        Store(path)
    assert digest(path) == before


def test_corrupt_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database, just some text " * 100)
    before = digest(path)
    with pytest.raises(StoreError, match="cannot be read.*left untouched"):
        Store(path)
    assert digest(path) == before


def test_unreadable_database_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    Store(path).close()
    path.chmod(0o000)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        with pytest.raises(StoreError, match="not readable"):
            Store(path)
    finally:
        path.chmod(0o600)


def test_conversations_newest_first_rename_and_cascade_delete(db: Store) -> None:
    a = db.create_conversation("first")
    b = db.create_conversation("second")
    assert [c["id"] for c in db.conversations()] == [b, a]
    db.add_message(a, "user", "hello")  # activity moves a to the top
    assert [c["id"] for c in db.conversations()] == [a, b]
    db.rename_conversation(b, "  renamed\n title ")
    assert db.conversation(b)["title"] == "renamed title"
    db.delete_conversation(a)
    assert [c["id"] for c in db.conversations()] == [b]
    assert db.db.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0


def test_streaming_appends_and_metadata(db: Store) -> None:
    cid = db.create_conversation()
    mid = db.add_message(
        cid, "assistant", status=st.STREAMING, model_id="m", quant="Q4_K_M", n_ctx=4096
    )
    for part in ("Hel", "lo", " world"):
        db.append_to_message(mid, part)
    db.finish_message(
        mid,
        st.COMPLETE,
        ttft_s=0.1,
        tokens_per_s=40.5,
        prompt_tokens=12,
        completion_tokens=3,
        finish_reason="stop",
    )
    row = db.message(mid)
    assert row["content"] == "Hello world"
    assert (row["status"], row["quant"], row["n_ctx"], row["tokens_per_s"]) == (
        "complete",
        "Q4_K_M",
        4096,
        40.5,
    )
    with pytest.raises(TypeError):
        db.finish_message(mid, st.COMPLETE, not_a_field=1)


def test_answer_streaming_at_a_crash_is_kept_and_marked_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    store = Store(path)
    cid = store.create_conversation()
    mid = store.add_message(cid, "assistant", status=st.STREAMING)
    store.append_to_message(mid, "partial answer")
    store.db.conn.close()  # no finish_message: the process "died"
    reopened = Store(path)
    row = reopened.message(mid)
    assert (row["status"], row["content"]) == (st.INTERRUPTED, "partial answer")
    assert reopened.recovered == 1
    reopened.close()


def test_registered_models(db: Store, tmp_path: Path) -> None:
    db.register_model("m1", tmp_path / "m1.gguf", quant="Q8_0", chat_format="chatml")
    assert db.installed_model("m1")["quant"] == "Q8_0"
    assert db.installed_model("nope") is None
    assert [m["id"] for m in db.installed_models()] == ["m1"]


def test_conversation_settings_are_kept_per_conversation(tmp_path) -> None:
    from desktop_app.core.store import Store

    store = Store(tmp_path / "db.sqlite")
    a, b = store.create_conversation(), store.create_conversation()
    store.update_conversation_settings(a, assistant="tutor", level="child")
    store.update_conversation_settings(a, level="university", hint_step=2)
    assert store.conversation_settings(a) == {
        "assistant": "tutor",
        "level": "university",
        "hint_step": 2,
    }
    assert store.conversation_settings(b) == {}
    store.update_conversation_settings(a, hint_step=None)
    assert "hint_step" not in store.conversation_settings(a)
    store.close()
