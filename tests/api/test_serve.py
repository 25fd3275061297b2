"""`smallwise serve` as a client sees it: the official `openai` Python client (and plain HTTP for
the raw shapes) against the real command, started as a process on 127.0.0.1 with a tiny model."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import httpx
import openai
import pytest
from servers import smallwise_serve, stop

from desktop_app.core.assistants.knowledge import NOT_COVERED

ASK = [{"role": "user", "content": "hello model"}]
GREEDY = {"temperature": 0.0, "seed": 7}
SPECIALISTS = {"smallwise/chat", "smallwise/tutor", "smallwise/math", "smallwise/support"}


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_model: Path):
    """One server for the module: loopback, no key, conversations not kept."""
    home = tmp_path_factory.mktemp("serve-home")
    proc, url = smallwise_serve(home, "--model", str(tiny_model))
    yield url, home
    stop(proc)


@pytest.fixture
def api(served) -> openai.OpenAI:
    return openai.OpenAI(base_url=served[0], api_key="unused", max_retries=0, timeout=60)


def test_models_are_the_installed_ones_and_the_specialists(api) -> None:
    ids = {m.id for m in api.models.list()}
    assert ids == {"tiny-chatml"} | SPECIALISTS


def test_an_answer_with_usage_and_finish_reason(api) -> None:
    reply = api.chat.completions.create(
        model="tiny-chatml", messages=ASK, max_tokens=8, **GREEDY
    )
    choice = reply.choices[0]
    assert choice.message.role == "assistant" and choice.message.content.strip()
    assert choice.finish_reason == "length"
    assert reply.usage.completion_tokens == 8 and reply.usage.prompt_tokens > 3
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + 8


def test_a_streamed_answer_is_the_same_answer(api) -> None:
    whole = api.chat.completions.create(model="tiny-chatml", messages=ASK, max_tokens=12, **GREEDY)
    chunks = list(
        api.chat.completions.create(
            model="tiny-chatml",
            messages=ASK,
            max_tokens=12,
            stream=True,
            stream_options={"include_usage": True},
            **GREEDY,
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "length" and set(finishes[:-1]) == {None}
    assert len(finishes) > 5  # token by token, not one block
    assert chunks[-1].usage.completion_tokens == 12 and not chunks[-1].choices


def test_stop_strings_end_the_answer_before_them(api) -> None:
    free = api.chat.completions.create(model="tiny-chatml", messages=ASK, max_tokens=24, **GREEDY)
    text = free.choices[0].message.content
    cut = text[len(text) // 2 : len(text) // 2 + 3]
    assert cut.strip()
    stopped = api.chat.completions.create(
        model="tiny-chatml", messages=ASK, max_tokens=24, stop=[cut, "never-said"], **GREEDY
    )
    assert stopped.choices[0].message.content == text[: text.index(cut)]
    assert stopped.choices[0].finish_reason == "stop"


def test_earlier_turns_and_the_clients_system_prompt_reach_the_model(api) -> None:
    short = api.chat.completions.create(model="tiny-chatml", messages=ASK, max_tokens=1)
    longer = api.chat.completions.create(
        model="tiny-chatml",
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "first answer"},
            *ASK,
        ],
        max_tokens=1,
    )
    assert longer.usage.prompt_tokens > short.usage.prompt_tokens + 10


def test_specialists_answer_with_their_extras(api) -> None:
    support = api.chat.completions.create(model="smallwise/support", messages=ASK, max_tokens=8)
    assert support.choices[0].message.content == NOT_COVERED  # no documents: not covered
    assert support.choices[0].finish_reason == "stop"
    math = api.chat.completions.create(model="smallwise/math", messages=ASK, max_tokens=8)
    assert "math_check" in math.model_extra["smallwise"]


def test_errors_come_in_openais_shape(api, served) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        api.chat.completions.create(model="no-such-model", messages=ASK)
    assert missing.value.code == "model_not_found" and "tiny-chatml" in missing.value.message
    with pytest.raises(openai.BadRequestError) as hot:
        api.chat.completions.create(model="tiny-chatml", messages=ASK, temperature=3.5)
    assert hot.value.param == "temperature"
    with pytest.raises(openai.BadRequestError) as last:
        api.chat.completions.create(
            model="tiny-chatml", messages=[{"role": "assistant", "content": "hi"}]
        )
    assert last.value.param == "messages"
    raw = httpx.post(served[0] + "/chat/completions", content=b"{not json", timeout=10,
                     headers={"Content-Type": "application/json"})
    assert raw.status_code == 400
    assert set(raw.json()["error"]) == {"message", "type", "param", "code"}
    assert httpx.get(served[0] + "/nothing", timeout=10).json()["error"]["message"]


def test_a_body_over_one_mib_is_refused_before_it_is_read(served) -> None:
    question = {"role": "user", "content": "x" * (1 << 20)}
    huge = json.dumps({"model": "tiny-chatml", "messages": [question]})
    reply = httpx.post(
        served[0] + "/chat/completions", content=huge, timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 413 and reply.json()["error"]["type"] == "invalid_request_error"


def test_a_web_page_cannot_reach_it_by_another_name(served) -> None:
    """DNS rebinding: a page at evil.example resolving to 127.0.0.1 sends its own Host."""
    reply = httpx.get(served[0] + "/models", headers={"Host": "evil.example"}, timeout=10)
    assert reply.status_code == 421
    form = httpx.post(served[0] + "/chat/completions", content=b"{}", timeout=10,
                      headers={"Content-Type": "text/plain"})  # what a form may send
    assert form.status_code == 415


def test_api_conversations_are_not_kept_by_default(api, served) -> None:
    api.chat.completions.create(model="tiny-chatml", messages=ASK, max_tokens=2)
    database = next(served[1].rglob("smallwise.db"))
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0


def test_an_open_address_needs_a_key(tmp_path: Path, tiny_model: Path) -> None:
    from conftest import smallwise

    refused = smallwise("serve", "--host", "0.0.0.0", "--model", str(tiny_model), home=tmp_path)
    assert refused.returncode == 2
    assert "API key" in refused.stderr and "Serving" not in refused.stdout


# -- a server with a key, a short queue, and conversations kept -----------------------------------
@pytest.fixture(scope="module")
def keyed(tmp_path_factory, tiny_model: Path):
    home = tmp_path_factory.mktemp("keyed-home")
    proc, url = smallwise_serve(
        home, "--host", "0.0.0.0", "--model", str(tiny_model), "--store", "--max-waiting", "1",
        env={"SMALLWISE_API_KEY": "s3cret-key"},
    )
    yield url.replace("0.0.0.0", "127.0.0.1"), home
    stop(proc)


def test_with_a_key_requests_without_it_are_refused(keyed) -> None:
    url, _ = keyed
    for key in ("", "wrong", "s3cret-ke", "s3cret-key-and-more"):
        with pytest.raises(openai.AuthenticationError) as refused:
            openai.OpenAI(base_url=url, api_key=key or "x", max_retries=0).models.list()
        assert refused.value.code == "invalid_api_key"
    ok = openai.OpenAI(base_url=url, api_key="s3cret-key", max_retries=0)
    assert "smallwise/math" in {m.id for m in ok.models.list()}


def _stream(client: httpx.Client, url: str, max_tokens: int = 4000):
    return client.stream(
        "POST",
        url + "/chat/completions",
        json={"model": "tiny-chatml", "messages": ASK, "max_tokens": max_tokens, "stream": True},
        headers={"Authorization": "Bearer s3cret-key"},
    )


def test_a_full_queue_answers_429_with_retry_after(keyed) -> None:
    url, _ = keyed
    with httpx.Client(timeout=60) as one, httpx.Client(timeout=60) as two:
        with _stream(one, url) as running:
            # Kept: a line iterator thrown away may close the response, and the server then
            # rightly stops that answer (the test was flaky, not the queue).
            lines = running.iter_lines()
            next(lines)  # generating
            with _stream(two, url) as waiting:  # admitted: the one place in the queue
                assert waiting.status_code == 200
                full = httpx.post(
                    url + "/chat/completions",
                    json={"model": "tiny-chatml", "messages": ASK, "max_tokens": 4},
                    headers={"Authorization": "Bearer s3cret-key"},
                    timeout=10,
                )
    assert full.status_code == 429
    assert int(full.headers["Retry-After"]) >= 1
    assert full.json()["error"]["code"] == "rate_limit_exceeded"


def test_a_client_that_goes_away_stops_its_answer(keyed) -> None:
    url, home = keyed
    with httpx.Client(timeout=60) as client, _stream(client, url) as reply:
        lines = reply.iter_lines()
        received = [next(lines) for _ in range(12)]
    assert any('"content"' in line for line in received)
    database = next(home.rglob("smallwise.db"))
    deadline, row = time.monotonic() + 10, None
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as db:
            row = db.execute(
                "SELECT status, completion_tokens, content FROM messages WHERE role = 'assistant' "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
        if row and row[0] != "streaming":
            break
        time.sleep(0.05)
    assert row is not None and row[0] == "stopped"
    assert row[1] < 400  # of the 4000 asked for: it stopped when the client left
    # The engine is free at once for the next one.
    started = time.monotonic()
    ok = openai.OpenAI(base_url=url, api_key="s3cret-key", max_retries=0)
    ok.chat.completions.create(model="tiny-chatml", messages=ASK, max_tokens=4)
    assert time.monotonic() - started < 5


def test_a_kept_api_conversation_is_in_the_database(keyed) -> None:
    url, home = keyed
    ok = openai.OpenAI(base_url=url, api_key="s3cret-key", max_retries=0)
    ok.chat.completions.create(model="tiny-chatml", messages=ASK, max_tokens=3)
    database = next(home.rglob("smallwise.db"))
    with sqlite3.connect(database) as db:
        titles = [r[0] for r in db.execute("SELECT title FROM conversations")]
    assert "hello model" in titles


def test_another_smallwise_is_a_remote_engine(keyed) -> None:
    from desktop_app.core.engine import protocol as p
    from desktop_app.core.engine.remote import RemoteEngine
    from desktop_app.core.errors import EngineError

    url, _ = keyed
    with pytest.raises(EngineError, match="refused the key"):
        RemoteEngine(url, "wrong").check()
    remote = RemoteEngine(url, "s3cret-key")
    assert "smallwise/tutor" in remote.check()
    remote.load(p.Load("", model_id="tiny-chatml"))
    events = list(remote.chat(ASK, p.Sampling(max_tokens=6, temperature=0.0)))
    assert isinstance(events[-1], p.Done) and events[-1].completion_tokens == 6
    remote.shutdown()
