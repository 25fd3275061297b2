"""Search across all conversations (core.search) on real SQLite files: old data found after
the migration, the index kept in step by triggers, any text a valid query."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from v3_database import make_v3_database

from desktop_app.core import search
from desktop_app.core.store import Store


@pytest.fixture
def db(tmp_path: Path):
    store = Store(tmp_path / "s.db")
    yield store
    store.close()


def found(store: Store, query: str) -> list[tuple[str, int | None]]:
    return [(h["kind"], h["message_id"]) for h in store.search(query)]


def marked(hit: dict) -> list[str]:
    return [text for text, on in search.segments(hit["snippet"], hit["highlights"]) if on]


def test_messages_of_a_v3_database_are_found_after_the_migration(tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(make_v3_database(tmp_path / "v3.db", conversations=4, messages=10), copy)
    with Store(copy) as store:
        hits = store.search("c3 m7")
        assert [(h["conversation_id"], h["role"]) for h in hits] == [(3, "user")]
        assert store.message(hits[0]["message_id"])["content"].startswith("c3 m7 ")
        titles = [h for h in store.search("conversation about") if h["kind"] == "title"]
        assert {h["conversation_id"] for h in titles} == {1, 2, 3, 4}


def test_the_index_follows_every_change(db: Store) -> None:
    cid = db.create_conversation()
    q = db.add_message(cid, "user", "How long do sourdough loaves rise?")
    a = db.add_message(cid, "assistant", "")
    db.append_to_message(a, "Overnight in the fridge")
    assert found(db, "fridge") == [("message", a)]
    db.append_to_message(a, ", then bake at 250 degrees.")
    assert found(db, "degrees") == [("message", a)] and found(db, "fridge") == [("message", a)]
    assert found(db, "loaves rising") == [("message", q)]  # stems: rise, rising
    db.rename_conversation(cid, "Bread recipes")
    assert found(db, "recipes") == [("title", None)]
    db.delete_message(a)
    assert found(db, "fridge") == []
    db.delete_conversation(cid)
    assert found(db, "sourdough") == [] and found(db, "bread") == []


def test_every_version_is_searchable(db: Store) -> None:
    cid = db.create_conversation()
    q = db.add_message(cid, "user", "name a colour")
    first = db.add_message(cid, "assistant", "turquoise")
    db.add_message(cid, "assistant", "crimson", parent_id=q)  # regenerated: first is hidden
    assert found(db, "turquoise") == [("message", first)]


def test_the_words_typed_last_match_as_a_prefix(db: Store) -> None:
    cid = db.create_conversation()
    m = db.add_message(cid, "user", "photosynthesis in plants")
    assert found(db, "photosyn") == [("message", m)]
    assert found(db, "photosyn ") == []  # a finished word is a word
    assert found(db, "ph") == []  # too short to stand for every word it starts


@pytest.mark.parametrize(
    "query",
    ['"', 'say "hi', "NOT", "a OR b", "content:x", "NEAR(a b)", "x*", "^start", "(", "-", "a AND"],
)
def test_search_syntax_is_just_text(db: Store, query: str) -> None:
    cid = db.create_conversation()
    m = db.add_message(cid, "user", f"literally {query} here")
    hits = db.search(query)
    if search.fts_query(query) is not None:
        assert ("message", m) in [(h["kind"], h["message_id"]) for h in hits]
    else:
        assert hits == []


def test_highlights_mark_the_matches_and_cannot_be_forged(db: Store) -> None:
    cid = db.create_conversation()
    db.add_message(cid, "assistant", "a <b>bold</b> \x02x[fake]x\x03 claim about ferns")
    (hit,) = db.search("ferns")
    assert marked(hit) == ["ferns"]
    assert "<b>bold</b>" in hit["snippet"]  # text, for the front end to escape


def test_any_text_is_a_valid_query(db: Store) -> None:
    cid = db.create_conversation()

    @settings(max_examples=300, deadline=None)
    @given(hs.text(max_size=80))
    def check(text: str) -> None:
        db.add_message(cid, "user", text)
        hits = db.search(text)
        assert all(h["conversation_id"] == cid for h in hits)
        for hit in hits:
            for start, end in hit["highlights"]:
                assert 0 <= start < end <= len(hit["snippet"])

    check()
