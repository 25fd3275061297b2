"""core.engine.remote against a real OpenAI-compatible server process on 127.0.0.1:
llama-cpp-python's own server (`python -m llama_cpp.server`) serving a tiny model; the turn, the
store, the specialists and a server killed mid-answer, as the user would meet them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as s
from servers import free_port, llama_server, stop

from desktop_app.core import store as st
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.conversation import Conversations, Listener, Turn
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.remote import MAX_LINE, RemoteEngine, _Lost, base_url, sse_data
from desktop_app.core.errors import EngineError, RemoteEngineError
from desktop_app.core.model_choice import remote_model
from desktop_app.core.store import Store
from desktop_app.settings import Settings

ASK = [{"role": "user", "content": "hello model"}]


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_model: Path):
    folder = tmp_path_factory.mktemp("llama-server")
    proc, url = llama_server(tiny_model, folder / "server.log")
    yield url
    stop(proc)


@pytest.fixture
def flow(tmp_path: Path, server: str):
    """The conversation flow on the remote engine, as the window and the CLI build it."""
    store = Store(tmp_path / "db.sqlite")
    settings = Settings(tmp_path / "settings.json")
    settings["max_tokens"] = 16
    engine = RemoteEngine(server)
    yield store, Conversations(store, engine, settings), remote_model(engine.pick())
    engine.shutdown()
    store.close()


def test_addresses_are_made_whole() -> None:
    assert base_url("192.168.1.5:8000") == "http://192.168.1.5:8000/v1"
    assert base_url("http://gpu-box:11434/v1/") == "http://gpu-box:11434/v1"
    assert base_url("https://example.org/llm") == "https://example.org/llm/v1"
    for wrong in ("ftp://host/v1", "http://", ""):
        with pytest.raises(RemoteEngineError):
            base_url(wrong)


def test_the_connection_test_names_the_servers_models(server: str, tiny_model: Path) -> None:
    engine = RemoteEngine(server)
    said = engine.check()
    assert said.startswith(f"Connected to 127.0.0.1:{server.split(':')[2].split('/')[0]}")
    assert str(tiny_model) in said


def test_a_turn_on_a_remote_model_is_stored_like_a_local_one(flow, server: str) -> None:
    store, conversations, model = flow
    cid = store.create_conversation()
    events: list = []
    result = conversations.run(Turn(cid, "hello there", model), Listener(event=events.append))
    assert isinstance(events[0], p.Started) and isinstance(events[-1], p.Done)
    assert result.status == st.COMPLETE and result.text.strip()
    answer = store.messages(cid)[-1]
    assert answer["content"] == result.text and answer["model_id"] == model.id
    assert answer["completion_tokens"] == 16 and answer["finish_reason"] == "length"
    assert conversations.client.loaded.device == f"on {server.split('//')[1].split('/')[0]}"


def test_specialists_work_the_same_with_a_remote_model(flow) -> None:
    store, conversations, model = flow
    assistants = load_assistants()
    math = conversations.run(Turn(store.create_conversation(), "2+2=5?", model, assistants["math"]))
    assert "math_check" in math.extras and math.status == st.COMPLETE
    support = conversations.run(
        Turn(store.create_conversation(), "what is the refund policy", model, assistants["support"])
    )
    assert support.status == st.COMPLETE and support.extras == {"sources": []}  # no documents


def test_a_stop_closes_the_stream_within_a_token(flow) -> None:
    store, conversations, model = flow
    conversations.settings["max_tokens"] = 2000
    tokens: list = []

    def third_token_stops(event) -> None:
        if isinstance(event, p.Token):
            tokens.append(time.perf_counter())
            if len(tokens) == 3:
                conversations.stop()

    cid = store.create_conversation()
    result = conversations.run(Turn(cid, "hello", model), Listener(event=third_token_stops))
    assert result.status == st.STOPPED == store.messages(cid)[-1]["status"]
    assert len(tokens) <= 4  # the stream ended at once (one more may be in flight)
    assert result.done.finish_reason == "cancelled"


def test_a_server_killed_mid_answer_keeps_the_answer_as_interrupted(
    tmp_path: Path, tiny_model: Path
) -> None:
    proc, url = llama_server(tiny_model, tmp_path / "server.log")
    store = Store(tmp_path / "db.sqlite")
    settings = Settings(tmp_path / "settings.json")
    settings["max_tokens"] = 3000
    engine = RemoteEngine(url)
    conversations = Conversations(store, engine, settings)
    model = remote_model(engine.pick())

    def kill_at_the_first_token(event) -> None:
        if isinstance(event, p.Token) and proc.poll() is None:
            proc.kill()
            proc.wait(10)

    try:
        cid = store.create_conversation()
        listener = Listener(event=kill_at_the_first_token)
        result = conversations.run(Turn(cid, "hello", model), listener)
        answer = store.messages(cid)[-1]
        assert result.status == answer["status"] == st.INTERRUPTED
        assert answer["content"] == result.text and result.text  # the text so far is kept
        assert "broke off" in answer["error"]
        again = conversations.run(Turn(cid, "are you there?", model))  # the server is gone
        assert again.status == st.ERROR and "cannot reach" in store.messages(cid)[-1]["error"]
    finally:
        stop(proc)
        engine.shutdown()
        store.close()


def test_a_server_that_is_not_there_is_told_plainly() -> None:
    engine = RemoteEngine(f"127.0.0.1:{free_port()}")
    with pytest.raises(EngineError) as failed:
        engine.load(p.Load("", model_id=""))
    assert failed.value.failed.kind == p.CONNECTION_LOST
    assert "cannot reach the model server at 127.0.0.1:" in str(failed.value)


def test_a_model_the_server_does_not_have_is_named(server: str) -> None:
    with pytest.raises(EngineError, match="has no model 'llama3.2'. It has: "):
        RemoteEngine(server).pick("llama3.2")


# -- the event stream, from any server ------------------------------------------------------------
EVENT_TEXT = s.text(s.characters(blacklist_characters="\r\n", codec="utf-8"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(events=s.lists(EVENT_TEXT, max_size=12), cuts=s.lists(s.integers(0, 400), max_size=8),
       crlf=s.booleans())
def test_events_read_the_same_however_the_bytes_arrive(events, cuts, crlf) -> None:
    end = b"\r\n" if crlf else b"\n"
    raw = b"".join(b": ping" + end + b"data: " + e.encode() + end + end for e in events)
    points = sorted({c % (len(raw) + 1) for c in cuts})
    pieces = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    assert list(sse_data(pieces)) == events


def test_an_endless_line_ends_the_stream_instead_of_filling_memory() -> None:
    def endless():
        yield b"data: "
        while True:
            yield b"x" * 65536

    with pytest.raises(_Lost):
        list(sse_data(endless(), MAX_LINE))


# -- the CLI: `smallwise chat --engine URL` -------------------------------------------------------
def test_chat_answers_with_a_remote_model(server: str, tiny_model: Path, home: Path) -> None:
    import json

    from conftest import smallwise

    done = smallwise("chat", "--engine", server, "--max-tokens", "8", "--json", "hello", home=home)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["model"] == str(tiny_model) and answer["completion_tokens"] == 8
    assert answer["finish_reason"] == "length" and answer["text"]
    with _db(home) as store:
        assert store.messages(answer["conversation_id"])[-1]["content"] == answer["text"]


def _db(home: Path) -> Store:
    return Store(next(home.rglob("smallwise.db")))


def test_chat_says_when_the_server_cannot_be_reached(home: Path) -> None:
    from conftest import smallwise

    gone = smallwise("chat", "--engine", f"127.0.0.1:{free_port()}", "hello", home=home)
    assert gone.returncode == 1 and "cannot reach the model server" in gone.stderr
    wrong = smallwise("chat", "--engine", "ftp://somewhere", "hello", home=home)
    assert wrong.returncode == 2 and "not a server address" in wrong.stderr
