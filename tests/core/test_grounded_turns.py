"""The turn grounded in documents (core.conversation): files dropped onto a conversation answer
its next question, for any assistant, once; the documents' weak answer is given by the app,
with the passages it shows kept as the answer's sources. Real engine on a tiny model, real
SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.assistants.knowledge import KnowledgeBase, conversation_collection
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.conversation import Conversations, Turn
from desktop_app.core.model_choice import resolve_model
from desktop_app.core.store import Store
from desktop_app.services.knowledge import ask_dropped
from desktop_app.settings import Settings


@pytest.fixture
def setup(tmp_path: Path, client, tiny_model: Path):
    store = Store(tmp_path / "db.sqlite")
    settings = Settings(tmp_path / "settings.json")
    settings["n_threads"], settings["n_ctx"], settings["max_tokens"] = 1, 2048, 16
    yield store, Conversations(store, client, settings), resolve_model(str(tiny_model), store, {})
    store.close()


def test_a_dropped_file_grounds_the_next_question_once(tmp_path: Path, setup) -> None:
    store, conversations, model = setup
    cid = store.create_conversation()
    note = tmp_path / "lease.md"
    note.write_text("# Deposit\n\nThe deposit of 900 euros is returned within 14 days.\n")
    KnowledgeBase(store, collection=conversation_collection(cid)).add([note])
    ask_dropped(store.db.conn, cid)
    first = conversations.run(Turn(cid, "When is the deposit returned?", model))
    assert first.extras["sources"] == [{"path": str(note.resolve()), "heading": "Deposit"}]
    assert store.conversation_settings(cid).get("ask_dropped") is None  # asked once
    second = conversations.run(Turn(cid, "When is the deposit returned?", model))
    assert "sources" not in second.extras  # plain chat again


def test_the_weak_answer_shows_the_passages_instead_of_the_model(tmp_path: Path, setup) -> None:
    store, conversations, model = setup
    support = load_assistants()["support"]
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# Backups\n\nThe backup tool copies the database every night to the backup disk.\n"
    )
    KnowledgeBase(store).add([guide])
    cid = store.create_conversation()
    result = conversations.run(
        Turn(cid, "How do I copy the backup disk to Dropbox?", model, assistant=support)
    )
    answer = store.messages(cid)[-1]
    assert answer["finish_reason"] == "weak_evidence" and answer["model_id"] == model.id
    assert answer["content"].startswith("Your documents mention this")
    assert "copies the database every night" in answer["content"]
    assert answer["extras"]["sources"][0]["heading"] == "Backups"
    assert result.extras["sources"] == answer["extras"]["sources"]
