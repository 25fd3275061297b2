"""core.conversation: one turn, as every front end runs it (real engine on tiny models, real
SQLite)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from ggufs import write_tiny_model

from desktop_app.core import store as st
from desktop_app.core.conversation import Conversations, Listener, Turn, title_for
from desktop_app.core.model_choice import resolve_model
from desktop_app.core.store import Store
from desktop_app.settings import Settings

ENDLESS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


@pytest.fixture
def setup(tmp_path: Path, client, tiny_model: Path):
    store = Store(tmp_path / "db.sqlite")
    settings = Settings(tmp_path / "settings.json")
    settings["n_threads"], settings["n_ctx"], settings["max_tokens"] = 1, 2048, 16
    conversations = Conversations(store, client, settings)
    yield store, conversations, resolve_model(str(tiny_model), store, {})
    store.close()


def test_a_turn_stores_question_title_and_answer(setup) -> None:
    store, conversations, model = setup
    cid = store.create_conversation()
    heard: dict[str, list] = {"renamed": [], "created": []}
    listener = Listener(renamed=heard["renamed"].append, created=heard["created"].append)
    result = conversations.run(Turn(cid, "hello there model, how are you", model), listener)
    rows = store.messages(cid)
    assert [r["role"] for r in rows] == ["user", "assistant"]
    assert rows[1]["status"] == st.COMPLETE and rows[1]["content"] == result.text
    assert heard["created"] == [result.message_id]
    assert (
        store.conversation(cid)["title"] == heard["renamed"][0] == "hello there model, how are you"
    )
    conversations.run(Turn(cid, "a second question", model))
    assert store.conversation(cid)["title"] == "hello there model, how are you"  # named once


def test_a_renamed_conversation_keeps_its_name(setup) -> None:
    store, conversations, model = setup
    cid = store.create_conversation()
    store.rename_conversation(cid, "My plans")
    conversations.run(Turn(cid, "hello", model))
    assert store.conversation(cid)["title"] == "My plans"


def test_regenerate_replaces_the_last_answer(setup) -> None:
    store, conversations, model = setup
    cid = store.create_conversation()
    first = conversations.run(Turn(cid, "hello", model))
    removed: list[int] = []
    again = conversations.run(Turn(cid, None, model), Listener(removed=removed.append))
    assert removed == [first.message_id]
    assert [r["id"] for r in store.messages(cid)][-1] == again.message_id
    assert len(store.messages(cid)) == 2


def test_a_stop_while_the_model_loads_keeps_no_empty_answer(setup) -> None:
    store, conversations, model = setup
    cid = store.create_conversation()
    # "Loading …" is told just before the load: the user presses Stop right then.
    listener = Listener(notice=lambda text: conversations.stop())
    result = conversations.run(Turn(cid, "hello", model), listener)
    assert result.message_id == 0 and result.status == st.STOPPED
    assert [r["role"] for r in store.messages(cid)] == ["user"]


def test_a_model_that_does_not_stop_is_ended_and_the_answer_kept_as_stopped(
    setup, tmp_path: Path
) -> None:
    store, conversations, _ = setup
    endless = write_tiny_model(tmp_path / "endless.gguf", chat_template=ENDLESS)
    model = resolve_model(str(endless), store, {})
    conversations.client.cancel_deadline_s = 1.0
    cid = store.create_conversation()

    def stop_once_loaded() -> None:  # the template never builds the prompt: stop then
        deadline = time.monotonic() + 60  # a busy machine may take more than a second to load
        while conversations.client.loaded is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        conversations.stop()

    timer = threading.Thread(target=stop_once_loaded)
    timer.start()
    result = conversations.run(Turn(cid, "hello", model))
    timer.join()
    answer = store.messages(cid)[-1]
    assert result.status == answer["status"] == st.STOPPED
    assert "did not stop" in answer["error"]


def test_a_model_that_cannot_load_is_recorded_with_the_reason(setup, tmp_path: Path) -> None:
    store, conversations, _ = setup
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    model = resolve_model(str(broken), store, {})
    cid = store.create_conversation()
    result = conversations.run(Turn(cid, "hello", model))
    answer = store.messages(cid)[-1]
    assert result.failed is not None and answer["status"] == st.ERROR
    assert "broken.gguf" in answer["error"]


def test_titles_are_the_first_words() -> None:
    assert title_for("one two three") == "one two three"
    assert title_for(" ".join(str(i) for i in range(12))) == "0 1 2 3 4 5 6 7…"


def test_a_stop_reaches_only_its_own_turn(setup) -> None:
    """The window and the API share one engine: stopping the window's answer while it waits
    behind an API request leaves that request running, and the waiting one ends unanswered."""
    store, conversations, model = setup
    conversations.settings["max_tokens"] = 200
    api, window = store.create_conversation(), store.create_conversation()
    api_ticket = conversations.gate.enter()
    started, stopped = threading.Event(), threading.Event()

    def hold_the_first_token(event: object) -> None:  # the API answer is mid-way at the stop
        if not started.is_set():
            started.set()
            stopped.wait(10)

    listener = Listener(event=hold_the_first_token)
    results: dict[str, object] = {}
    runner = threading.Thread(
        target=lambda: results.update(
            api=conversations.run(Turn(api, "hello model", model), listener, api_ticket)
        )
    )
    runner.start()
    assert started.wait(30)
    window_ticket = conversations.gate.enter()
    waiter = threading.Thread(
        target=lambda: results.update(
            window=conversations.run(Turn(window, "hello", model), ticket=window_ticket)
        )
    )
    waiter.start()
    conversations.stop(window_ticket)
    stopped.set()
    waiter.join(10)
    runner.join(60)
    assert results["window"].message_id == 0 and results["window"].status == st.STOPPED
    assert [r["role"] for r in store.messages(window)] == ["user"]  # the question is kept
    assert results["api"].status == st.COMPLETE and results["api"].done.finish_reason == "length"
