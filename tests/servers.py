"""Real server processes for the API tests, on 127.0.0.1: llama-cpp-python's own OpenAI-compatible
server (`python -m llama_cpp.server`) and `smallwise serve`. No network beyond loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the server ended ({proc.returncode})"
        try:
            if httpx.get(url + "/models", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def llama_server(model: Path, log: Path, n_ctx: int = 4096) -> tuple[subprocess.Popen, str]:
    """llama-cpp-python's server on a free loopback port; (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", "1"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_ready(url, proc)
    return proc, url


def smallwise_serve(home: Path, *args: str, env: dict[str, str] | None = None):
    """`smallwise serve ARGS --port 0`; (process, base URL from its first line)."""
    home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "serve", "--port", "0", *args],
        env={**os.environ, "SMALLWISE_HOME": str(home), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=(home / "serve.err").open("wb"),
        text=True,
    )
    line = proc.stdout.readline()
    found = re.search(r"at (http://\S+/v1)", line)
    if found is None:
        proc.wait(10)
        raise AssertionError(f"serve did not start: {line!r} {(home / 'serve.err').read_text()}")
    return proc, found.group(1)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
