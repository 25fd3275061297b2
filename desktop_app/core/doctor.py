"""`smallwise doctor` and `smallwise self-test`: what this installation sees, and whether it
works end to end. No Qt here."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from desktop_app import __version__
from desktop_app.core import hardware
from desktop_app.core.engine.build import known, probe_in_process
from desktop_app.core.errors import SmallwiseError
from desktop_app.paths import AppPaths

# The libraries a bug report needs, by distribution name, with the module that carries them:
# the frozen build ships their metadata (packaging/smallwise.spec), and a module's own
# __version__ answers where the metadata is missing.
DISTRIBUTIONS = {
    "llama_cpp_python": "llama_cpp",
    "PySide6_Essentials": "PySide6",
    "sqlite-utils": "sqlite_utils",
    "huggingface-hub": "huggingface_hub",
    "platformdirs": "platformdirs",
    "psutil": "psutil",
    "markdown-it-py": "markdown_it",
    "pygments": "pygments",
    "gguf": "gguf",
    "jsonschema": "jsonschema",
    "sympy": "sympy",
    "ziamath": "ziamath",
}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        pass
    module = sys.modules.get(DISTRIBUTIONS.get(dist, ""))  # never imported just for this
    return str(getattr(module, "__version__", "")) or "not installed"


def versions(build: dict[str, Any]) -> dict[str, str]:
    found = {dist: _version(dist) for dist in DISTRIBUTIONS}
    if found["llama_cpp_python"] == "not installed" and build.get("llama_cpp_python"):
        found["llama_cpp_python"] = build["llama_cpp_python"]  # what the engine process loaded
    return found | {"sqlite": sqlite3.sqlite_version}


def llama_build() -> dict[str, Any]:
    return probe_in_process()


def describe_device(device: dict[str, Any]) -> str:
    """One line per compute device, e.g. "CUDA0: NVIDIA H100 (gpu, 79.1 of 79.6 GB free)"."""
    memory = ""
    if device.get("memory_total_bytes"):
        free, total = device["memory_free_bytes"] / 1e9, device["memory_total_bytes"] / 1e9
        memory = f", {free:.1f} of {total:.1f} GB free"
    return f"{device['name']}: {device['description']} ({device['type']}{memory})"


def describe_build(build: dict[str, Any]) -> str:
    """What llama.cpp build this is and what it sees: "CPU build; devices: CPU: …"."""
    devices = "; ".join(describe_device(d) for d in build.get("devices", []))
    offload = "GPU offload" if build.get("gpu_offload") else "no GPU offload"
    return f"{build.get('build', '?')} build ({offload}); devices: {devices or 'none'}"


def report(paths: AppPaths) -> dict[str, Any]:
    from dataclasses import asdict

    mem = psutil.virtual_memory()
    build = llama_build()
    host = hardware.profile(build)
    return {
        "host_profile": asdict(host),
        "smallwise": {
            "version": __version__,
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "frozen": bool(getattr(sys, "frozen", 0)),
        },
        "versions": versions(build),
        "llama_cpp": build,
        "host": {
            "physical_cores": hardware.physical_cores(),
            "logical_cores": os.cpu_count(),
            "threads_chosen_now": hardware.choose_threads(),
            "ram_total_gb": round(mem.total / 2**30, 1),
            "ram_available_gb": round(mem.available / 2**30, 1),
        },
        "paths": {
            "data": str(paths.data_dir),
            "models": str(paths.models_dir),
            "database": str(paths.database),
            "settings": str(paths.settings_file),
            "logs": str(paths.log_dir),
        },
        "installed_models": _installed(paths),
    }


def _installed(paths: AppPaths) -> list[str]:
    from desktop_app.core.store import Store, StoreError

    if not paths.database.exists():
        return []
    try:
        store = Store(paths.database)
    except StoreError as exc:
        return [f"database unreadable: {exc}"]
    try:
        return [f"{m['id']} {m['quant'] or ''} {m['path']}" for m in store.installed_models()]
    finally:
        store.close()


def self_test(paths: AppPaths, model: str | None) -> Iterator[tuple[str, bool, str]]:
    """Yield (step, passed, detail); stop at the first failure."""
    with tempfile.TemporaryDirectory(prefix="smallwise-selftest-") as tmp:
        ok, detail = _check_database(Path(tmp) / "selftest.db")
        yield "database", ok, detail
        if not ok:
            return
        build = llama_build()
        if "error" in build:
            yield "llama.cpp build", False, build["error"]
            return
        yield "llama.cpp build", True, describe_build(build)
        try:
            path, chat_format, detail = _model_for_test(paths, model)
        except SmallwiseError as exc:
            yield "model", False, str(exc)
            return
        yield "model", True, detail
        yield ("engine", *_check_engine(path, chat_format, Path(tmp) / "engine.log"))


def _check_database(db_path: Path) -> tuple[bool, str]:
    from desktop_app.core.store import SCHEMA_VERSION, Store

    try:
        store = Store(db_path)
        cid = store.create_conversation("self-test")
        store.add_message(cid, "user", "ping")
        mid = store.add_message(cid, "assistant", "", status="streaming")
        store.append_to_message(mid, "po")
        store.append_to_message(mid, "ng")
        store.finish_message(mid, "complete", completion_tokens=2)
        store.close()
        store = Store(db_path)
        rows = store.messages(cid)
        version = store.db.conn.execute("PRAGMA user_version").fetchone()[0]
        store.close()
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    got = [(r["role"], r["content"], r["status"]) for r in rows]
    want = [("user", "ping", "complete"), ("assistant", "pong", "complete")]
    mode = oct(db_path.stat().st_mode & 0o777)
    if got != want or version != SCHEMA_VERSION or mode != "0o600":
        return False, f"read back {got}, schema {version}, mode {mode}"
    return True, f"wrote and read back a conversation (schema {version}, mode {mode})"


def _model_for_test(paths: AppPaths, model: str | None) -> tuple[Path, str | None, str]:
    """The model `smallwise chat` would use (or the one named), and how it was chosen."""
    from desktop_app.core.catalog import for_profile
    from desktop_app.core.model_choice import choose_model
    from desktop_app.core.store import Store
    from desktop_app.settings import Settings

    settings = Settings(paths.settings_file)
    with Store(paths.database) as store:
        chosen = choose_model(
            store,
            for_profile(paths, settings),
            settings,
            paths.models_dir,
            hardware.profile(known(paths.data_dir)),
            spec=model,
        )
    m = chosen.model
    detail = f"{m.id} {m.quant} ({m.path})".replace("  ", " ")
    return m.path, m.chat_format, f"{detail}. {chosen.note}" if chosen.note else detail


def _check_engine(path: Path, chat_format: str | None, log: Path) -> tuple[bool, str]:
    from desktop_app.core.engine import protocol as p
    from desktop_app.core.engine.client import EngineClient, EngineError

    client = EngineClient(log_path=str(log))
    started = time.perf_counter()
    try:
        loaded = client.load(
            p.Load(str(path), chat_format, n_ctx=1024, n_threads=hardware.physical_cores())
        )
        events = list(
            client.chat(
                [{"role": "user", "content": "Say hello."}],
                p.Sampling(max_tokens=16, temperature=0.0, seed=1),
            )
        )
    except EngineError as exc:
        return False, exc.failed.message
    finally:
        client.shutdown()
    text = "".join(e.text for e in events if isinstance(e, p.Token))
    last = events[-1]
    if not isinstance(last, p.Done) or not text.strip():
        return False, getattr(last, "message", f"no text came back ({last})")
    return True, (
        f"loaded in {loaded.load_s:.2f} s ({loaded.chat_format} format), answered "
        f"{last.completion_tokens} tokens at {last.tokens_per_s:.1f} tokens/s, "
        f"{time.perf_counter() - started:.2f} s in all: {text.strip()[:60]!r}"
    )
