"""The engine against what it cannot trust: chat templates that raise, do not compile or never
end, a worker that does not answer a stop, and a parent that dies. Real llama-cpp-python on tiny
generated GGUF files; real processes, killed for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest
from ggufs import write_tiny_model

from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import (
    EngineClient,
    EngineError,
    describe_exit,
    oom_kill_count,
)

ASK = [{"role": "user", "content": "hello model"}]
GREEDY = p.Sampling(max_tokens=16, temperature=0.0)
ENDLESS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
TEMPLATES = {
    "raises": "{{ raise_exception('this template refuses every conversation') }}",
    "type-error": "{% for m in messages %}{{ m['content'] + 1 }}{% endfor %}",
    "broken": "{% for m in messages %}{{ m['content'] }",  # does not compile
    "endless": ENDLESS,
    "memory-bomb": (  # a string doubled 64 times: 8 × 2**64 bytes
        "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(64) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"
    ),
}


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    return {
        name: write_tiny_model(folder / f"tiny-{name}.gguf", chat_template=template)
        for name, template in TEMPLATES.items()
    }


def load(client: EngineClient, path: Path, chat_format: str | None = None) -> p.Loaded:
    return client.load(p.Load(str(path), chat_format, n_ctx=1024, n_threads=1))


def answer_within(client: EngineClient, seconds: float) -> tuple[list, float]:
    """The events of one answer, failing (not hanging) if the stream does not end in time."""
    events: list = []
    started = time.perf_counter()
    thread = threading.Thread(target=lambda: events.extend(client.chat(ASK, GREEDY)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the answer did not end within {seconds} s"
    return events, time.perf_counter() - started


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("template", ["raises", "type-error"])
def test_a_template_that_raises_is_reported_and_the_worker_carries_on(
    client: EngineClient, models, tiny_model: Path, template: str
) -> None:
    load(client, models[template])
    pid = client.pid
    events, _ = answer_within(client, 30)
    assert [type(e) for e in events] == [p.Failed]
    failed = events[0]
    assert failed.kind == p.TEMPLATE_FAILED
    assert f"tiny-{template}.gguf" in failed.message and "chat template" in failed.message
    assert "another model" in failed.message
    # The same worker answers the next request with a sound model.
    load(client, tiny_model)
    assert isinstance(answer_within(client, 30)[0][-1], p.Done) and client.pid == pid


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory cap is Linux's")
def test_a_template_that_fills_memory_is_stopped_at_its_cap(
    client: EngineClient, models, tiny_model: Path
) -> None:
    load(client, models["memory-bomb"])
    pid = client.pid
    events, _ = answer_within(client, 60)
    assert [type(e) for e in events] == [p.Failed] and events[0].kind == p.TEMPLATE_FAILED
    assert "more than 1 GB of memory" in events[0].message
    status = Path(f"/proc/{pid}/status").read_text()
    peak_kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
    assert peak_kb < 2 << 20, f"the worker peaked at {peak_kb >> 10} MB"
    load(client, tiny_model)  # the worker lives on, its memory limit as before
    assert isinstance(answer_within(client, 30)[0][-1], p.Done) and client.pid == pid


def test_a_template_that_does_not_compile_is_refused_at_load(
    client: EngineClient, models, tiny_model: Path
) -> None:
    # Not "llama.cpp could not load … too large for the free memory" (a load failure, which
    # also made the ladder retry with less memory), but the template's fault.
    for chat_format in (None, "chatml"):  # llama-cpp-python compiles the file's template anyway
        with pytest.raises(EngineError, match="chat template inside tiny-broken.gguf is broken"):
            load(client, models["broken"], chat_format)
    error = info_of(client, models["broken"])
    assert error.kind == p.TEMPLATE_FAILED and "another model" in error.message
    pid = client.pid
    load(client, tiny_model)
    assert isinstance(answer_within(client, 30)[0][-1], p.Done) and client.pid == pid


def info_of(client: EngineClient, path: Path) -> p.Failed:
    try:
        load(client, path)
    except EngineError as exc:
        return exc.failed
    raise AssertionError("loaded")


def test_an_endless_template_is_stopped_at_the_render_deadline(
    tmp_path: Path, models, tiny_model: Path
) -> None:
    client = EngineClient(log_path=str(tmp_path / "engine.log"))
    client.render_timeout_s = 2.0
    try:
        load(client, models["endless"])
        pid = client.pid
        events, elapsed = answer_within(client, 15)
        assert [type(e) for e in events] == [p.Failed], events
        assert events[0].kind == p.TEMPLATE_FAILED
        assert "tiny-endless.gguf" in events[0].message and "2 s" in events[0].message
        assert 2.0 <= elapsed < 6.0, f"{elapsed:.1f} s"
        assert gone(pid, 2)
        # The next request starts a fresh worker.
        load(client, tiny_model)
        assert isinstance(answer_within(client, 30)[0][-1], p.Done) and client.pid != pid
    finally:
        client.shutdown()


def test_a_worker_that_does_not_answer_a_stop_is_killed(client, models, tiny_model) -> None:
    load(client, models["endless"])
    pid = client.pid
    threading.Timer(0.5, client.cancel).start()  # as the CLI's Ctrl+C or the window's Stop do
    events, elapsed = answer_within(client, 15)
    assert [type(e) for e in events] == [p.Failed], events
    assert events[0].kind == p.STOPPED and "did not stop" in events[0].message
    assert elapsed < 0.5 + client.cancel_deadline_s + 1.5, f"{elapsed:.1f} s"
    assert gone(pid, 2)
    load(client, tiny_model)  # and the engine starts again
    assert isinstance(answer_within(client, 30)[0][-1], p.Done)


PARENT = """
import sys
sys.path.insert(0, {root!r})
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import EngineClient

client = EngineClient(log_path={log!r})
client.pdeathsig = {pdeathsig!r}
client.load(p.Load({model!r}, None, n_ctx=1024, n_threads=1))
print(client.pid, flush=True)
list(client.chat([{{"role": "user", "content": "hi"}}], p.Sampling(max_tokens=8)))
"""


@pytest.mark.parametrize("pdeathsig", [True, False], ids=["linux-signal", "lifeline-pipe"])
def test_the_worker_exits_when_its_parent_is_killed(tmp_path, models, pdeathsig: bool) -> None:
    if pdeathsig and not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    script = PARENT.format(
        root=str(Path(__file__).parents[2]),
        log=str(tmp_path / "engine.log"),
        model=str(models["endless"]),
        pdeathsig=pdeathsig,
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE, text=True
    )
    worker = int(parent.stdout.readline())
    time.sleep(0.5)  # the worker is now deep in the endless template
    assert psutil.Process(worker).status() != psutil.STATUS_ZOMBIE
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(5)
    try:
        assert gone(worker, 5), "the worker outlived its parent"
    finally:
        if not gone(worker, 0):
            os.kill(worker, signal.SIGKILL)


def test_a_worker_started_from_a_finished_thread_keeps_running(client, tiny_model) -> None:
    # On Linux the parent-death signal follows the thread that started the process: a worker
    # started from a thread that then ends must not be killed with it.
    thread = threading.Thread(target=load, args=(client, tiny_model))
    thread.start()
    thread.join()
    pid = client.pid
    time.sleep(0.5)
    assert isinstance(answer_within(client, 30)[0][-1], p.Done) and client.pid == pid


def test_a_stop_while_the_model_loads_ends_the_answer(client, tiny_model) -> None:
    # The CLI's Ctrl+C can come while the worker starts and loads the model (about a second
    # here): it must not be lost, nor kill a load that finishes in good time.
    client.cancel_deadline_s = 30.0
    client.use(p.Load(str(tiny_model), None, n_ctx=1024, n_threads=1))
    threading.Timer(0.2, client.cancel).start()
    events = list(client.chat(ASK, p.Sampling(max_tokens=4000, temperature=0.0)))
    assert [type(e) for e in events] == [p.Done] and events[0].finish_reason == "cancelled"
    assert client.alive() and client.loaded is not None


def test_a_killed_worker_is_not_said_to_have_run_out_of_memory(client, tiny_model) -> None:
    load(client, tiny_model)
    events = []
    for event in client.chat(ASK, p.Sampling(max_tokens=4000, temperature=0.0)):
        events.append(event)
        if len(events) == 3:
            os.kill(client.pid, signal.SIGKILL)  # killed by someone, not by the OOM killer
    failed = events[-1]
    assert failed.kind == p.WORKER_DIED and "was killed (SIGKILL)" in failed.message
    assert "memory" not in failed.message


def test_exit_descriptions_say_what_is_known() -> None:
    assert "ran out of memory" in describe_exit(-signal.SIGKILL, out_of_memory=True)
    assert "memory" not in describe_exit(-signal.SIGKILL, out_of_memory=False)
    assert "crashed (SIGSEGV)" in describe_exit(-signal.SIGSEGV)
    assert "exit code 3" in describe_exit(3)
    assert "access violation" in describe_exit(0xC0000005)  # how Windows reports a crash
    if Path("/proc/vmstat").exists():  # Linux: the evidence for "ran out of memory" is read
        assert isinstance(oom_kill_count(), int)


def _cli_chat(model: Path, home: Path) -> tuple[subprocess.Popen, int]:
    """`smallwise chat` as a user runs it, and its worker's pid once the template is running."""
    env = {**os.environ, "SMALLWISE_HOME": str(home)}
    cli = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "chat", "hi", "--model", str(model)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for child in psutil.Process(cli.pid).children():
            try:
                maps = {m.path for m in child.memory_maps()}
            except psutil.Error:  # a short-lived child (the build probe) already gone
                continue
            if str(model) in maps:  # loading; a tiny model takes milliseconds
                time.sleep(1.0)
                assert child.cpu_percent(0.3) > 20  # deep in the template
                return cli, child.pid
        time.sleep(0.2)
    cli.kill()
    raise AssertionError("the CLI never started rendering")


def test_ctrl_c_and_kill_stop_the_cli_in_an_endless_template(models, tmp_path: Path) -> None:
    cli, worker = _cli_chat(models["endless"], tmp_path / "home")
    pressed = time.monotonic()
    cli.send_signal(signal.SIGINT)  # Ctrl+C
    try:
        _, err = cli.communicate(timeout=EngineClient.cancel_deadline_s + 5)
    finally:
        cli.kill()
    assert time.monotonic() - pressed < EngineClient.cancel_deadline_s + 3
    assert cli.returncode == 1 and "did not stop" in err and "Traceback" not in err
    assert gone(worker, 2)
    # Killed outright (closing the terminal, `kill -9`): the worker goes with it.
    cli, worker = _cli_chat(models["endless"], tmp_path / "home")
    cli.kill()
    cli.wait()
    assert gone(worker, 5)
