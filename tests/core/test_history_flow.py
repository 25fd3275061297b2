"""Edit, regenerate and continue through the real flow (core.conversation on the real engine
with the tiny model, real SQLite): versions are kept, the model sees only the branch it answers
on, and a cut answer goes on in place."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from desktop_app.core import store as st
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.conversation import Conversations, Listener, Turn
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.worker import Worker
from desktop_app.core.errors import UsageError
from desktop_app.core.model_choice import resolve_model
from desktop_app.core.store import Store
from desktop_app.settings import Settings


@pytest.fixture
def setup(tmp_path: Path, client, tiny_model: Path):
    store = Store(tmp_path / "db.sqlite")
    settings = Settings(tmp_path / "settings.json")
    settings["n_threads"], settings["n_ctx"], settings["max_tokens"] = 1, 2048, 16
    settings["temperature"] = 0.0
    conversations = Conversations(store, client, settings)
    sent: list[list[dict]] = []  # what the engine was asked, request by request
    chat = client.chat
    client.chat = lambda messages, sampling: (sent.append(messages), chat(messages, sampling))[1]
    yield store, conversations, resolve_model(str(tiny_model), store, {}), sent
    store.close()


def test_regenerate_keeps_every_answer_as_a_version(setup) -> None:
    store, conversations, model, sent = setup
    cid = store.create_conversation()
    first = conversations.run(Turn(cid, "hello", model))
    removed: list[int] = []
    second = conversations.run(Turn(cid, None, model), Listener(removed=removed.append))
    third = conversations.run(Turn(cid, None, model), Listener(removed=removed.append))
    assert removed == [first.message_id, second.message_id]  # left the screen, not the store
    branch = store.messages(cid)
    assert [r["id"] for r in branch][-1] == third.message_id
    assert branch[-1]["siblings"] == [first.message_id, second.message_id, third.message_id]
    assert store.message(first.message_id)["content"] == first.text  # kept as it was
    assert sent[1] == sent[2] == [{"role": "user", "content": "hello"}]


def test_an_edit_starts_a_branch_and_the_model_sees_only_that_branch(setup) -> None:
    store, conversations, model, sent = setup
    cid = store.create_conversation()
    conversations.run(Turn(cid, "first question", model))
    conversations.run(Turn(cid, "second question", model))
    question = store.messages(cid)[0]
    heard: dict[str, list] = {"removed": [], "user": []}
    listener = Listener(removed=heard["removed"].append, user_message=heard["user"].append)
    edited = conversations.run(Turn(cid, "first, edited", model, edit_of=question["id"]), listener)
    assert sent[-1] == [{"role": "user", "content": "first, edited"}]
    branch = store.messages(cid)
    assert [r["content"] for r in branch] == ["first, edited", edited.text]
    assert branch[0]["siblings"] == [question["id"], heard["user"][0]["id"]]
    assert heard["user"][0]["siblings"] == branch[0]["siblings"]
    assert len(heard["removed"]) == 4 and len(store.all_messages(cid)) == 6
    # Back on the first branch, a new question follows its whole history.
    store.switch_branch(cid, question["id"])
    conversations.run(Turn(cid, "third question", model))
    asked = [m["content"] for m in sent[-1] if m["role"] == "user"]
    assert asked == ["first question", "second question", "third question"]


def test_only_your_own_messages_on_the_shown_branch_can_be_edited(setup) -> None:
    store, conversations, model, _ = setup
    cid = store.create_conversation()
    answer = conversations.run(Turn(cid, "hello", model))
    with pytest.raises(UsageError):
        conversations.run(Turn(cid, "new", model, edit_of=answer.message_id))
    with pytest.raises(UsageError):
        conversations.run(Turn(store.create_conversation(), None, model))  # nothing to redo
    assert len(store.all_messages(cid)) == 2


def test_continue_extends_the_cut_answer_in_place(setup) -> None:
    store, conversations, model, sent = setup
    cid = store.create_conversation()
    cut = conversations.run(Turn(cid, "hello model", model))
    row = store.message(cut.message_id)
    assert row["finish_reason"] == "length" and row["completion_tokens"] == 16
    heard: list[int] = []
    more = conversations.run(
        Turn(cid, None, model, continue_of=cut.message_id), Listener(continued=heard.append)
    )
    assert heard == [cut.message_id] and more.message_id == cut.message_id
    assert sent[-1][-1] == {"role": "assistant", "content": cut.text}  # the answer so far
    row = store.message(cut.message_id)
    assert row["content"] == more.text and more.text.startswith(cut.text)
    assert len(more.text) > len(cut.text) and row["completion_tokens"] == 32
    assert row["status"] == st.COMPLETE and len(store.all_messages(cid)) == 2


def test_the_engine_continues_an_answer_from_its_last_word(tiny_model: Path) -> None:
    """Messages that end with an answer: the prompt opens the answer's turn and the text so far
    follows, unclosed (no end of turn, no new turn after it)."""
    here, there = multiprocessing.Pipe()
    worker = Worker(here)
    worker.load(p.Load(str(tiny_model), n_ctx=512, n_threads=1, n_threads_batch=1))
    assert isinstance(there.recv(), p.Loaded)
    try:
        asked = [{"role": "user", "content": "hi"}]
        tokens, _ = worker.render([*asked, {"role": "assistant", "content": "the cat is"}])
        prompt = worker.llm.detokenize(tokens, special=True).decode()
        assert prompt.endswith("<|im_end|>\n<|im_start|>assistant\nthe cat is")
        fresh, _ = worker.render(asked)
        assert tokens[: len(fresh)] == fresh
    finally:
        worker.unload()


def test_only_the_last_answer_can_be_continued(setup) -> None:
    store, conversations, model, _ = setup
    cid = store.create_conversation()
    first = conversations.run(Turn(cid, "hello", model))
    conversations.run(Turn(cid, "again", model))
    with pytest.raises(UsageError):
        conversations.run(Turn(cid, None, model, continue_of=first.message_id))


def test_the_conversations_instructions_and_sampling_are_used(setup) -> None:
    store, conversations, model, sent = setup
    cid = store.create_conversation()
    tutor = load_assistants()["tutor"]
    result = conversations.run(
        Turn(cid, "hi", model, tutor, system_prompt="Answer in haiku.", sampling={"max_tokens": 3})
    )
    assert sent[-1][0] == {"role": "system", "content": "Answer in haiku."}
    assert store.message(result.message_id)["completion_tokens"] == 3
    conversations.run(Turn(cid, "and you?", model, system_prompt="Be brief."))  # no assistant
    assert sent[-1][0] == {"role": "system", "content": "Be brief."}
