"""The engine worker process with the real llama-cpp-python on tiny generated GGUF files."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from ggufs import truncate_copy

from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import EngineClient, EngineError

ASK = [{"role": "user", "content": "hello model"}]
GREEDY = p.Sampling(max_tokens=32, temperature=0.0)
EXPECTED_BUILD = os.environ.get("SMALLWISE_EXPECT_BUILD", "CPU")  # CI's GPU variants set it


def load(client: EngineClient, path: Path, chat_format: str | None = None, n_ctx: int = 2048):
    return client.load(p.Load(str(path), chat_format, n_ctx=n_ctx, n_threads=1))


def answer(client: EngineClient, messages=ASK, sampling=GREEDY) -> list:
    return list(client.chat(messages, sampling))


def text_of(events: list) -> str:
    return "".join(e.text for e in events if isinstance(e, p.Token))


def test_streams_tokens_with_the_models_own_template(client: EngineClient, tiny_model) -> None:
    loaded = load(client, tiny_model, chat_format="gemma")
    assert loaded.chat_format == "template"  # the GGUF's template wins over a named format
    events = answer(client)
    assert isinstance(events[0], p.Started) and events[0].left_out == 0
    tokens = [e for e in events if isinstance(e, p.Token)]
    assert len(tokens) > 5 and text_of(events).strip()
    done = events[-1]
    assert isinstance(done, p.Done)
    assert (done.finish_reason, done.completion_tokens) == ("length", 32)
    assert done.ttft_s > 0 and done.tokens_per_s > 0
    assert client.pid != os.getpid()


def test_greedy_answers_are_repeatable(client: EngineClient, tiny_model) -> None:
    load(client, tiny_model)
    assert text_of(answer(client)) == text_of(answer(client))


def test_model_without_template_uses_the_named_format(client, tiny_model_no_template) -> None:
    assert load(client, tiny_model_no_template, chat_format="chatml").chat_format == "chatml"
    chatml = answer(client)
    assert isinstance(chatml[-1], p.Done)
    load(client, tiny_model_no_template, chat_format="gemma")
    gemma = answer(client)
    # Different formats give different prompts: the format really is applied.
    assert chatml[0].prompt_tokens != gemma[0].prompt_tokens


def test_model_without_template_or_format_is_refused(client, tiny_model_no_template) -> None:
    with pytest.raises(EngineError, match="no chat template") as info:
        load(client, tiny_model_no_template)
    assert info.value.failed.kind == p.NO_CHAT_FORMAT
    with pytest.raises(EngineError, match="Unknown chat format"):
        load(client, tiny_model_no_template, chat_format="klingon")


@pytest.mark.parametrize("kind", ["text", "truncated"])
def test_broken_model_files_get_a_clear_error_and_the_worker_lives(
    client: EngineClient, tiny_model: Path, tmp_path: Path, kind: str
) -> None:
    if kind == "text":
        bad = tmp_path / "notes.gguf"
        bad.write_text("not a model\n" * 100)
        expected = "not a GGUF model file"
    else:
        bad = truncate_copy(tiny_model, tmp_path / "cut.gguf", 0.7)
        expected = "incomplete"
    with pytest.raises(EngineError, match=expected) as info:
        load(client, bad)
    assert info.value.failed.kind == p.BAD_MODEL
    pid = client.pid
    load(client, tiny_model)  # the same worker process carries on
    assert client.pid == pid
    assert isinstance(answer(client)[-1], p.Done)


def test_stop_cancels_within_one_token(client: EngineClient, tiny_model: Path) -> None:
    load(client, tiny_model, n_ctx=8192)
    stream = client.chat(ASK, p.Sampling(max_tokens=6000, temperature=0.0))
    received = 0
    for event in stream:
        if isinstance(event, p.Token):
            received += 1
            if received == 3:
                cancelled_at = time.perf_counter()
                client.cancel()
        if isinstance(event, p.Done):
            latency = time.perf_counter() - cancelled_at
            break
    assert event.finish_reason == "cancelled"
    assert event.completion_tokens < 6000
    assert latency < 0.2, f"stop took {latency * 1000:.0f} ms"
    # The worker is idle and usable right away.
    assert isinstance(answer(client)[-1], p.Done)


def test_worker_killed_mid_stream_gives_an_error_and_restarts_cleanly(
    client: EngineClient, tiny_model: Path
) -> None:
    load(client, tiny_model, n_ctx=8192)
    first_pid = client.pid
    events = []
    for event in client.chat(ASK, p.Sampling(max_tokens=6000, temperature=0.0)):
        events.append(event)
        if isinstance(event, p.Token) and sum(isinstance(e, p.Token) for e in events) == 3:
            os.kill(first_pid, signal.SIGKILL)
    failed = events[-1]
    assert isinstance(failed, p.Failed) and failed.kind == p.WORKER_DIED
    assert "killed" in failed.message and "conversation is saved" in failed.message
    # The next request starts a fresh worker and reloads the same model.
    again = answer(client)
    assert isinstance(again[-1], p.Done)
    assert client.pid not in (None, first_pid)


def test_segfault_in_the_worker_is_reported_as_a_crash(client, tiny_model) -> None:
    load(client, tiny_model, n_ctx=8192)
    events = []
    for event in client.chat(ASK, p.Sampling(max_tokens=6000, temperature=0.0)):
        events.append(event)
        if len(events) == 3:
            os.kill(client.pid, signal.SIGSEGV)
    assert events[-1].kind == p.WORKER_DIED and "crashed (SIGSEGV)" in events[-1].message
    assert events[-1].detail == "crashed (SIGSEGV)"  # the load ladder reads it


def test_prompt_longer_than_the_context_is_refused_before_generation(client, tiny_model) -> None:
    load(client, tiny_model, n_ctx=256)
    long = [{"role": "user", "content": "the cat is a model " * 200}]
    events = answer(client, long)
    assert len(events) == 1 and events[0].kind == p.PROMPT_TOO_LONG
    assert "Shorten" in events[0].message and "context 256" in events[0].message
    assert isinstance(answer(client)[-1], p.Done)  # and the worker carries on


def turns(count: int) -> list[dict[str, str]]:
    """Questions and answers, `count` of each."""
    history = []
    for i in range(count):
        history += [
            {"role": "user", "content": f"question {i} " + "the cat " * 10},
            {"role": "assistant", "content": f"answer {i} " + "a model " * 10},
        ]
    return history


def test_long_conversation_leaves_out_the_oldest_turns_and_says_so(client, tiny_model) -> None:
    load(client, tiny_model, n_ctx=512)
    messages = [
        {"role": "system", "content": "Be brief."},
        *turns(12),
        {"role": "user", "content": "last question"},
    ]
    events = answer(client, messages, p.Sampling(max_tokens=64, temperature=0.0))
    started = events[0]
    assert isinstance(started, p.Started)
    assert started.left_out > 0 and started.left_out % 2 == 0  # whole turns, from a user turn
    assert started.prompt_tokens <= 512 - 64
    assert isinstance(events[-1], p.Done)
    # A short conversation leaves nothing out.
    assert answer(client, messages[-3:])[0].left_out == 0


def test_a_very_long_conversation_is_fitted_quickly(client: EngineClient, tiny_model) -> None:
    """Fitting rendered the conversation from each user turn in turn, oldest first: with
    2,000 messages it outran the 30 s template limit, and the user was told the model's
    template was broken (a new user's trial, in the window)."""
    load(client, tiny_model, n_ctx=512)
    messages = [{"role": "system", "content": "Be brief."}, *turns(2500)]
    messages.append({"role": "user", "content": "last question"})
    started = time.monotonic()
    events = answer(client, messages, p.Sampling(max_tokens=64, temperature=0.0))
    assert isinstance(events[0], p.Started) and isinstance(events[-1], p.Done), events[-1]
    assert time.monotonic() - started < 10
    assert events[0].left_out % 2 == 0  # whole turns, from a user turn
    # as much as fits: the same prompt as from the newest 20 turns, fitted as before
    recent = answer(client, [messages[0], *messages[-41:]], p.Sampling(max_tokens=64))
    assert recent[0].left_out > 0
    assert events[0].prompt_tokens == recent[0].prompt_tokens <= 512 - 64
    assert events[0].left_out - recent[0].left_out == len(messages) - 42


def test_request_before_any_load_is_refused(client: EngineClient) -> None:
    events = answer(client)
    assert events[0].kind == p.NOT_LOADED


def test_worker_output_goes_to_the_log_file(client: EngineClient, tiny_model, tmp_path) -> None:
    load(client, tiny_model)
    answer(client)
    client.shutdown()
    assert (tmp_path / "engine.log").exists()


def test_the_build_reports_its_devices_and_gpu_layers_fall_back_to_the_cpu(
    client: EngineClient, tiny_model: Path
) -> None:
    from desktop_app.core.engine.build import build_label, probe

    build = probe()
    # This machine's build is CPU-only (GGML_NATIVE=OFF); CI's GPU variants say what they are.
    assert build["build"] == EXPECTED_BUILD == build_label(build["backends"])
    assert build["gpu_offload"] is (EXPECTED_BUILD != "CPU")
    cpu = [d for d in build["devices"] if d["type"] == "cpu"]
    assert "CPU" in build["backends"] and len(cpu) == 1 and cpu[0]["memory_total_bytes"] > 0
    if not [d for d in build["devices"] if d["type"] in ("gpu", "igpu")]:  # no GPU here
        load = p.Load(str(tiny_model), None, n_ctx=512, n_threads=1, n_gpu_layers=99)
        loaded = client.load(load)
        assert (loaded.device, loaded.n_gpu_layers) == ("CPU", 0)  # asked for a GPU, got none
    # The label of a GPU build: its backends, listed whether or not a device is present.
    assert build_label(["CUDA", "CPU"]) == "CUDA"
    assert build_label(["Metal", "BLAS", "CPU"]) == "Metal"
    assert build_label(["CPU", "RPC"]) == "CPU"
def test_an_answer_ends_before_a_stop_string(client: EngineClient, tiny_model: Path) -> None:
    """The API's `stop`: the answer ends before the first stop string, which is not shown."""
    load(client, tiny_model)
    free = text_of(answer(client))
    cut = free[len(free) // 2 : len(free) // 2 + 3]
    assert cut.strip() and len(free) > 10
    stopped = answer(client, sampling=p.Sampling(max_tokens=32, temperature=0.0, stop=(cut,)))
    assert text_of(stopped) == free[: free.index(cut)]
    assert stopped[-1].finish_reason == "stop"
