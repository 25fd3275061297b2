"""End to end through the `smallwise` command, with the real Gemma 3 270M starter model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from conftest import smallwise

from desktop_app.core.store import Store

pytestmark = pytest.mark.starter


def test_first_run_installs_the_starter_model_privately(starter_home: Path) -> None:
    models = starter_home / "data" / "models"
    model = models / "gemma-3-270m-q4_k_m.gguf"
    assert model.stat().st_size == 253113024
    assert oct(models.stat().st_mode & 0o777) == "0o700"
    assert oct(model.stat().st_mode & 0o777) == "0o600"
    assert oct((starter_home / "data" / "smallwise.db").stat().st_mode & 0o777) == "0o600"
    assert not list(models.glob("*.partial"))


def test_self_test_passes(starter_home: Path) -> None:
    result = smallwise("self-test", home=starter_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[ok] engine" in result.stdout and "self-test passed" in result.stdout
    build = os.environ.get("SMALLWISE_EXPECT_BUILD", "CPU")  # CI's GPU variants set it
    assert f"[ok] llama.cpp build: {build} build (" in result.stdout


def test_chat_json_answers_with_the_starter_model(starter_home: Path) -> None:
    result = smallwise(
        "chat",
        "What is the capital of France?",
        "--json",
        "--max-tokens",
        "24",
        "--temperature",
        "0",
        home=starter_home,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["text"].strip()
    assert (data["model"], data["quant"]) == ("gemma-3-270m", "Q4_K_M")
    assert 0 < data["ttft_s"] < 30 and data["tokens_per_s"] > 0
    assert 0 < data["completion_tokens"] <= 24
    store = Store(starter_home / "data" / "smallwise.db")
    saved = store.messages(data["conversation_id"])
    store.close()
    assert [m["role"] for m in saved] == ["user", "assistant"]
    assert saved[1]["content"] == data["text"] and saved[1]["status"] == "complete"


def test_chat_streams_text_to_stdout(starter_home: Path) -> None:
    result = smallwise("chat", "-", "--max-tokens", "16", home=starter_home, stdin="Name a colour.")
    assert result.returncode == 0 and result.stdout.strip()


def test_chat_refuses_a_file_that_is_not_a_model(starter_home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "holiday.gguf"
    fake.write_text("photos from the beach\n" * 20)
    result = smallwise("chat", "hi", "--model", str(fake), home=starter_home)
    assert result.returncode == 1
    assert "not a GGUF model file" in result.stderr and "Traceback" not in result.stderr


def test_chat_refuses_an_unknown_model_id(starter_home: Path) -> None:
    result = smallwise("chat", "hi", "--model", "no-such-model", home=starter_home)
    assert result.returncode == 2 and "No installed model is called" in result.stderr


def test_prompt_longer_than_the_context_gets_a_message(starter_home: Path) -> None:
    result = smallwise("chat", "-", home=starter_home, stdin="word " * 20000)
    assert result.returncode == 1
    assert "Shorten or split the message" in result.stderr and "Traceback" not in result.stderr


def test_doctor_json(starter_home: Path) -> None:
    result = smallwise("doctor", "--json", home=starter_home)
    data = json.loads(result.stdout)
    assert data["versions"]["llama_cpp_python"].startswith("0.3")
    assert "AVX2 = 1" in data["llama_cpp"]["system_info"]
    assert data["paths"]["data"] == str(starter_home.resolve() / "data")
    assert any("gemma-3-270m" in m for m in data["installed_models"])
    assert data["host"]["physical_cores"] >= 1


@pytest.mark.parametrize("command", [[], ["chat"], ["serve"], ["doctor"], ["self-test"]])
def test_help_everywhere(command: list[str], tmp_path: Path) -> None:
    result = smallwise(*command, "--help", home=tmp_path)
    assert result.returncode == 0 and "usage: smallwise" in result.stdout


def test_hard_kill_mid_answer_loses_at_most_about_a_second(starter_home: Path) -> None:
    """SIGKILL the whole app while it streams: the saved text is what was shown up to ~1 s
    before, it is marked interrupted on the next start, and the engine process goes too."""
    env = {**os.environ, "SMALLWISE_HOME": str(starter_home), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop_app",
            "chat",
            "Tell me a long story about a dragon.",
            "--max-tokens",
            "600",
            "--temperature",
            "0.8",
            "--seed",
            "7",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    shown: list[tuple[float, bytes]] = []

    def read() -> None:
        while chunk := os.read(proc.stdout.fileno(), 4096):
            shown.append((time.monotonic(), chunk))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while (not shown or time.monotonic() - shown[0][0] < 3.5) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the answer ended before the kill; it should take ~10 s"
    engine = psutil.Process(proc.pid).children()
    killed_at = time.monotonic()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join(5)
    printed = b"".join(c for _, c in shown).decode(errors="ignore")
    printed_1s_before = b"".join(c for t, c in shown if t <= killed_at - 1.2).decode(
        errors="ignore"
    )

    store = Store(starter_home / "data" / "smallwise.db")
    last = store.messages(store.conversations()[0]["id"])[-1]
    store.close()
    assert last["status"] == "interrupted"
    assert printed.startswith(last["content"])
    assert len(last["content"]) >= len(printed_1s_before) > 0
    # The engine process does not outlive the app.
    gone, alive = psutil.wait_procs(engine, timeout=10)
    assert not alive


def test_chat_with_an_assistant_records_it_and_folds_its_instructions(starter_home) -> None:
    plain = json.loads(
        smallwise(
            "chat", "What is 12 times 7?", "--json", "--max-tokens", "16", home=starter_home
        ).stdout
    )
    result = smallwise(
        "chat",
        "What is 12 times 7?",
        "--assistant",
        "math",
        "--json",
        "--max-tokens",
        "16",
        home=starter_home,
    )
    data = json.loads(result.stdout)
    assert data["assistant"] == "math" and "math_check" in data and "reasoning" in data
    # The starter takes no system prompt: the Math instructions ride in the user turn.
    assert data["prompt_tokens"] > plain["prompt_tokens"] + 10
    store = Store(starter_home / "data" / "smallwise.db")
    answer = store.messages(data["conversation_id"])[-1]
    store.close()
    assert answer["assistant_id"] == "math"


def test_assistants_list_and_unknown_assistant(starter_home) -> None:
    listed = json.loads(smallwise("assistants", "list", "--json", home=starter_home).stdout)
    assert [a["id"] for a in listed] == ["chat", "tutor", "math", "support"]
    unknown = smallwise("chat", "hi", "--assistant", "astrologer", home=starter_home)
    assert unknown.returncode == 2 and "No assistant is called" in unknown.stderr


def test_check_math_command(tmp_path: Path) -> None:
    good = smallwise("check-math", "-", home=tmp_path, stdin="3/4 + 1/8 = 7/8 and 2^10 = 1024")
    assert good.returncode == 0 and "2 checks passed" in good.stdout
    bad = smallwise("check-math", "--json", "-", home=tmp_path, stdin="12 × 7 = 82")
    assert bad.returncode == 1
    (entry,) = json.loads(bad.stdout)
    assert entry == {
        "expression": "12 * 7 = 82",
        "expected": "84",
        "found": "82",
        "ok": False,
        "kind": "arithmetic",
    }


LICENSES = Path("/usr/share/common-licenses")


@pytest.mark.skipif(not LICENSES.is_dir(), reason="not a Debian system")
def test_knowledge_base_commands_and_the_support_assistant(starter_home) -> None:
    added = smallwise("kb", "add", str(LICENSES), home=starter_home)
    assert added.returncode == 0 and "indexed 14 file(s)" in added.stdout
    again = smallwise("kb", "add", str(LICENSES), home=starter_home)
    assert "indexed 0 file(s)" in again.stdout and "14 unchanged" in again.stdout
    hits = json.loads(
        smallwise(
            "kb",
            "search",
            "NOTICE text file attribution notices",
            "--json",
            "--k",
            "3",
            home=starter_home,
        ).stdout
    )
    assert Path(hits[0]["path"]).name == "Apache-2.0" and hits[0]["heading"]
    off_topic = smallwise(
        "chat",
        "How do I bake sourdough bread?",
        "--assistant",
        "support",
        "--json",
        home=starter_home,
    )
    data = json.loads(off_topic.stdout)
    assert data["sources"] == [] and "don't cover" in data["text"]
    on_topic = json.loads(
        smallwise(
            "chat",
            "What are Invariant Sections and Front-Cover Texts?",
            "--assistant",
            "support",
            "--json",
            "--max-tokens",
            "16",
            home=starter_home,
        ).stdout
    )
    assert any(Path(s["path"]).name.startswith("GFDL") for s in on_topic["sources"])
    assert on_topic["prompt_tokens"] > 300  # the passages travel with the question
    store = Store(starter_home / "data" / "smallwise.db")
    assert store.messages(data["conversation_id"])[-1]["assistant_id"] == "support"
    store.close()
    removed = smallwise("kb", "remove", str(LICENSES), home=starter_home)
    assert "forgot 14 file(s)" in removed.stdout
    assert smallwise("kb", "list", home=starter_home).stdout.strip() == ""


def test_the_model_process_loads_llama_cpp_before_numpy(tiny_model, tmp_path) -> None:
    """On a GPU machine, numpy's OpenBLAS loaded before a CUDA build of llama.cpp made every
    model load crash (SIGSEGV): the model process read the GGUF header with `gguf`, which
    imports numpy, before it imported llama_cpp. An audit hook records the order per process."""
    hooks, record = tmp_path / "hooks", tmp_path / "imports.txt"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        "import os, sys\n"
        "def _seen(event, args):\n"
        "    if event == 'import' and args[0] in ('numpy', 'llama_cpp', 'gguf'):\n"
        f"        with open({str(record)!r}, 'a') as fh:\n"
        "            fh.write(f'{os.getpid()} {args[0]}\\n')\n"
        "sys.addaudithook(_seen)\n"
    )
    path = os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")]))
    args = ("chat", "hi", "--model", str(tiny_model), "--max-tokens", "4", "--json")
    result = smallwise(*args, home=tmp_path / "home", env={"PYTHONPATH": path})
    assert result.returncode == 0, result.stderr
    first: dict[str, list[str]] = {}
    for line in record.read_text().splitlines():
        pid, name = line.split()
        if name not in first.setdefault(pid, []):
            first[pid].append(name)
    loading = [names for names in first.values() if "llama_cpp" in names]
    assert loading, first  # the model process (and the build probe) import llama_cpp
    assert any("gguf" in names for names in loading), first  # it reads the header with gguf
    for names in loading:
        assert names[0] == "llama_cpp", first


def test_chat_takes_a_thread_count_for_one_answer(tiny_model, tmp_path) -> None:
    """A new user on a busy machine could set the threads only by editing settings.json."""
    home = tmp_path / "home"
    args = ("chat", "hi", "--model", str(tiny_model), "--max-tokens", "4", "--json")
    result = smallwise(*args, "--threads", "1", home=home)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["threads"] == 1
    # where it ran (no GPU here: the CPU; a CUDA build on a GPU says the GPU and its layers)
    assert (answer["device"], answer["n_gpu_layers"]) == ("CPU", 0)
    written = home / "config" / "settings.json"
    assert not written.exists() or "n_threads" not in written.read_text()  # that answer only
    refused = smallwise(*args, "--threads", "0", home=home)
    said = json.loads(refused.stdout)["error"]["message"]  # --json: the error as JSON too
    assert refused.returncode == 2 and said == "--threads takes a number from 1 to 256."
