"""`smallwise models` end to end: a loopback hub serves generated GGUF files; an organisation
catalog (SMALLWISE_CATALOG) lists them; a downloaded model then answers in `smallwise chat`."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ggufs import write_tiny_model
from hub_server import FakeHub

REPO = "acme/tiny-GGUF"


def entry(path: Path, sha: str | None) -> dict:
    return {
        "id": "tiny-chat",
        "name": "Tiny chat (test)",
        "family": "llama",
        "parameters": 100000,
        "license": {
            "name": "MIT",
            "url": "https://opensource.org/license/mit",
            "non_commercial": False,
        },
        "roles": ["chat"],
        "context_length": 8192,
        "architecture": {
            "n_layer": 2,
            "n_head": 4,
            "n_head_kv": 2,
            "key_length": 16,
            "value_length": 16,
            "n_vocab": 294,
            "verified": True,
        },
        "chat_format": None,
        "system_prompt": True,
        "sampling": {"temperature": 0.0},
        "description": "A tiny random model served by the test hub.",
        "benchmark": None,
        "default_quant": "F32",
        "quants": [
            {
                "type": t,
                "source": "hub",
                "repo": REPO,
                "filename": f"tiny-{t}.gguf",
                "size_bytes": path.stat().st_size,
                "sha256": sha,
                "verified": {"size": True, "sha256": sha is not None},
            }
            for t in ("F32", "Q8_0", "Q4_K_M")
        ],
    }


@pytest.fixture
def setup(tmp_path: Path, tiny_model: Path):
    catalog = tmp_path / "acme-catalog.json"
    sha = hashlib.sha256(tiny_model.read_bytes()).hexdigest()
    catalog.write_text(json.dumps({"schema_version": 1, "models": [entry(tiny_model, sha)]}))
    with FakeHub() as hub:
        for t in ("F32", "Q8_0", "Q4_K_M"):
            hub.add(REPO, f"tiny-{t}.gguf", tiny_model)
        hub.add(REPO, "other/loose-model.gguf", tiny_model)
        notes = tmp_path / "notes.gguf"
        notes.write_text("not a model\n" * 100)
        hub.add(REPO, "notes.gguf", notes)
        env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
        env.update(
            HF_ENDPOINT=hub.url,
            SMALLWISE_CATALOG=str(catalog),
            SMALLWISE_HOME=str(tmp_path / "home"),
        )
        yield hub, env, tmp_path


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def models_dir(env: dict) -> Path:
    return Path(env["SMALLWISE_HOME"]) / "data" / "models"


def test_download_by_catalog_id_then_chat_with_it(setup) -> None:
    hub, env, _ = setup
    listed = json.loads(run(env, "models", "list", "--json").stdout)
    tiny = next(r for r in listed if r["id"] == "tiny-chat")
    assert tiny["installed"] is None and tiny["quants"] == ["F32", "Q8_0", "Q4_K_M"]
    result = run(env, "models", "download", "tiny-chat", "--quant", "Q8_0")
    assert result.returncode == 0, result.stderr
    assert (models_dir(env) / "tiny-Q8_0.gguf").exists()
    listed = json.loads(run(env, "models", "list", "--json").stdout)
    tiny = next(r for r in listed if r["id"] == "tiny-chat")
    assert tiny["installed"]["quant"] == "Q8_0" and tiny["installed"]["present"]
    answer = run(env, "chat", "hello model", "--model", "tiny-chat", "--json", "--max-tokens", "8")
    assert answer.returncode == 0, answer.stderr
    data = json.loads(answer.stdout)
    assert data["model"] == "tiny-chat" and data["completion_tokens"] == 8


def test_another_quant_replaces_the_first(setup) -> None:
    _, env, _ = setup
    assert run(env, "models", "download", "tiny-chat", "--quant", "Q8_0").returncode == 0
    assert run(env, "models", "download", "tiny-chat", "--quant", "Q4_K_M").returncode == 0
    files = sorted(p.name for p in models_dir(env).glob("*.gguf"))
    assert files == ["tiny-Q4_K_M.gguf"]


def test_download_any_gguf_on_the_hub_by_path(setup) -> None:
    _, env, _ = setup
    result = run(env, "models", "download", f"{REPO}/other/loose-model.gguf")
    assert result.returncode == 0, result.stderr
    listed = json.loads(run(env, "models", "list", "--json").stdout)
    assert any(r["id"] == "loose-model" and r["installed"]["present"] for r in listed)


def test_a_hub_file_that_is_not_a_model_is_refused(setup) -> None:
    _, env, _ = setup
    result = run(env, "models", "download", f"{REPO}/notes.gguf")
    assert result.returncode == 1 and "not a usable model" in result.stderr
    assert not list(models_dir(env).glob("*.gguf"))


def test_download_errors_are_one_line(setup) -> None:
    hub, env, _ = setup
    missing = run(env, "models", "download", f"{REPO}/missing.gguf")
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    unknown_quant = run(env, "models", "download", "tiny-chat", "--quant", "Q2_K")
    assert unknown_quant.returncode == 1 and "has no Q2_K variant" in unknown_quant.stderr


def test_import_good_and_bad_files_and_remove(
    setup, tiny_model: Path, tiny_model_no_template: Path
) -> None:
    _, env, tmp = setup
    result = run(env, "models", "import", str(tiny_model))
    assert result.returncode == 0, result.stderr
    assert (models_dir(env) / tiny_model.name).exists()
    bare = run(env, "models", "import", str(tiny_model_no_template))
    assert bare.returncode == 1 and "no chat template" in bare.stderr
    referenced = run(
        env,
        "models",
        "import",
        str(tiny_model_no_template),
        "--reference",
        "--chat-format",
        "chatml",
    )
    assert referenced.returncode == 0, referenced.stderr
    broken = tmp / "half.gguf"
    broken.write_bytes(tiny_model.read_bytes()[:100_000])
    bad = run(env, "models", "import", str(broken))
    assert bad.returncode == 1 and "incomplete" in bad.stderr
    ids = {r["id"] for r in json.loads(run(env, "models", "list", "--json").stdout)}
    assert {"tiny-chatml", "tiny-bare"} <= ids
    assert run(env, "models", "remove", "tiny-chatml").returncode == 0
    assert not (models_dir(env) / tiny_model.name).exists()
    assert run(env, "models", "remove", "tiny-bare").returncode == 0
    assert tiny_model_no_template.exists()  # a referenced file is the user's: never deleted
    gone = run(env, "models", "remove", "tiny-bare")
    assert gone.returncode == 1 and "No installed model" in gone.stderr


def test_lists_the_catalog_with_the_network_unreachable(tmp_path: Path) -> None:
    env = {**os.environ, "HF_ENDPOINT": "http://127.0.0.1:9", "SMALLWISE_HOME": str(tmp_path)}
    result = run(env, "models", "list", "--json")
    assert result.returncode == 0
    assert len(json.loads(result.stdout)) >= 9


def test_the_catalog_setting_works_like_the_environment_variable(setup) -> None:
    _, env, tmp = setup
    catalog = env.pop("SMALLWISE_CATALOG")
    home = Path(env["SMALLWISE_HOME"])
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"extra_catalog": catalog}))
    ids = {r["id"] for r in json.loads(run(env, "models", "list", "--json").stdout)}
    assert "tiny-chat" in ids


def test_two_downloads_of_one_file_at_once(setup, tmp_path: Path) -> None:
    """Two terminals on one file: the second says so in one line; the first installs it."""
    hub, env, _ = setup
    big = write_tiny_model(tmp_path / "big.gguf", n_embd=384, n_layer=4)  # ~9 MB
    served = hub.add(REPO, "tiny-Q8_0.gguf", big)
    served.chunk_delay_s = 0.05  # ~7 s for the whole file
    catalog = json.loads(Path(env["SMALLWISE_CATALOG"]).read_text())
    catalog["models"][0]["quants"][1].update(size_bytes=served.size, sha256=served.sha256)
    Path(env["SMALLWISE_CATALOG"]).write_text(json.dumps(catalog))
    download = [sys.executable, "-m", "desktop_app", "models", "download", "tiny-chat"]
    first = subprocess.Popen(
        [*download, "--quant", "Q8_0"], env=env, stderr=subprocess.PIPE, text=True
    )
    lock = models_dir(env) / ".partial" / "tiny-Q8_0.gguf.lock"
    deadline = time.monotonic() + 60
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    second = run(env, "models", "download", "tiny-chat", "--quant", "Q8_0")
    assert second.returncode == 1 and "already being downloaded" in second.stderr
    said = second.stderr.strip().splitlines()
    assert said[-1].startswith("smallwise: ") and "Traceback" not in second.stderr
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    sha = hashlib.sha256((models_dir(env) / "tiny-Q8_0.gguf").read_bytes()).hexdigest()
    assert sha == served.sha256


@pytest.mark.parametrize(
    "spec", [f"{REPO}/..\\..\\escaped.gguf", f"{REPO}/../../escaped.gguf", "../escaped/x.gguf"]
)
def test_hub_specs_that_leave_the_models_folder_are_refused(setup, spec: str) -> None:
    hub, env, tmp = setup
    result = run(env, "models", "download", spec)
    assert result.returncode == 1 and "not a plain file name" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not any(r.startswith("GET") for r in hub.requests)
    assert not list(tmp.rglob("escaped*"))


def test_a_pinned_revision_is_downloaded(setup, tiny_model: Path) -> None:
    hub, env, tmp = setup
    pinned = entry(tiny_model, None)
    for quant in pinned["quants"]:
        quant["revision"] = "c" * 40
    Path(env["SMALLWISE_CATALOG"]).write_text(
        json.dumps({"schema_version": 1, "models": [pinned]})
    )
    assert run(env, "models", "download", "tiny-chat", "--quant", "Q8_0").returncode == 0
    assert any(f"/resolve/{'c' * 40}/tiny-Q8_0.gguf" in r for r in hub.requests)
