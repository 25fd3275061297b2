"""The window as a user starts it: `smallwise` (desktop_app.cli.main) in a process of its own on
an Xvfb display, driven through its widgets (tests/window_driver.py): download a model from the
loopback hub in the model manager, use it, chat, switch assistant, import a GGUF through the
file dialog. Earlier tests drove the window inside the test process, where numpy was already
imported, and missed that the window's own process could not read a GGUF header."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hub_server import FakeHub
from test_models_cli import REPO, entry

from desktop_app.settings import Settings

pytestmark = pytest.mark.xvfb
DRIVER = Path(__file__).with_name("window_driver.py")


def drive(
    display: str, home: Path, steps: list[dict], welcomed: bool = True, **env: str
) -> dict:
    settings = Settings(home / "config" / "settings.json")
    settings["max_tokens"] = 32  # what a user may set; keeps the starter's answers short here
    settings["welcomed"] = welcomed  # the first-run page has its own test
    settings.save()
    scenario = home.parent / "scenario.json"
    scenario.write_text(json.dumps(steps))
    run = subprocess.run(
        [sys.executable, str(DRIVER), str(scenario)],
        env={
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "SMALLWISE_HOME": str(home),
            "HF_HUB_OFFLINE": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert "Traceback" not in run.stderr, run.stderr
    assert not report.get("timeout") and not report.get("error"), report
    assert report["imported_before_main"] == [] and report["exit_code"] == 0
    return report


@pytest.fixture
def hub_catalog(tmp_path: Path, tiny_model: Path):
    sha = hashlib.sha256(tiny_model.read_bytes()).hexdigest()
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"schema_version": 1, "models": [entry(tiny_model, sha)]}))
    with FakeHub() as hub:
        for t in ("F32", "Q8_0", "Q4_K_M"):
            hub.add(REPO, f"tiny-{t}.gguf", tiny_model)
        yield {"SMALLWISE_CATALOG": str(catalog), "HF_ENDPOINT": hub.url}


def test_download_use_chat_and_switch_assistant_in_the_real_window(
    display, starter_home: Path, tmp_path: Path, hub_catalog: dict
) -> None:
    home = tmp_path / "home"
    shutil.copytree(starter_home, home)  # a profile whose first run is done
    report = drive(
        display,
        home,
        [
            {"do": "download", "id": "tiny-chat"},
            {"do": "send", "text": "hello there"},
            {"do": "assistant", "id": "math"},
            {"do": "send", "text": "what is 2 + 2"},
        ],
        **hub_catalog,
    )
    downloaded, first, switched, second = report["steps"]
    assert downloaded["download"] == "tiny-chat is installed."
    assert len(list((home / "data" / "models").glob("tiny-*.gguf"))) == 1  # the quant planned
    assert first["status"] == "complete" and first["model"] == "tiny-chat"
    assert switched["assistant"] == "math"
    assert second["status"] == "complete" and second["assistant"] == "math"
    assert second["model"] == "tiny-chat"  # the user's choice ("Use") wins over Math's preference


def test_typing_at_start_sends_from_the_message_box_in_the_real_window(
    display, starter_home: Path, tmp_path: Path
) -> None:
    """The focus starts in the message box: typed words and Enter send a message (they once
    went to the "New conversation" button, one empty conversation per space)."""
    home = tmp_path / "home"
    shutil.copytree(starter_home, home)
    report = drive(display, home, [{"do": "type", "text": "hi how are you"}])
    (typed,) = report["steps"]
    assert typed["in_box"], typed["focus"]
    assert typed["status"] == "complete" and typed["asked"] == "hi how are you"
    # Into the conversation that is open (the profile may have one) or one new one: never one
    # empty conversation per space.
    assert typed["new_conversations"] in (0, 1)
    assert typed["focus_after"]


def test_import_through_the_file_dialog_in_the_real_window(
    display, starter_home: Path, tmp_path: Path, tiny_model: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(starter_home, home)
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\xff" * 64)
    report = drive(
        display,
        home,
        [
            {"do": "import", "path": str(broken), "id": "broken"},
            {"do": "import", "path": str(tiny_model), "id": "tiny-chatml"},
        ],
    )
    failed, imported = report["steps"]
    assert "broken.gguf" in failed["import"] and "broken" not in failed["rows"]
    assert imported["import"].startswith("Imported tiny-chatml")
    assert "tiny-chatml" in imported["rows"]
    assert (home / "data" / "models" / "tiny-chatml.gguf").is_file()


def test_first_run_page_downloads_the_recommended_model_in_the_real_window(
    display, starter_home: Path, tmp_path: Path, tiny_model: Path
) -> None:
    """A new user: the page says what this computer runs, one click downloads General chat's
    model (served by the loopback hub under its catalog id), and the next answer uses it."""
    sha = hashlib.sha256(tiny_model.read_bytes()).hexdigest()
    llama = {**entry(tiny_model, sha), "id": "llama-3.2-3b-instruct", "name": "Llama (tiny)"}
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"schema_version": 1, "models": [llama]}))
    home = tmp_path / "home"
    shutil.copytree(starter_home, home)  # the starter is there; nothing else: a first run
    with FakeHub() as hub:
        for t in ("F32", "Q8_0", "Q4_K_M"):
            hub.add(REPO, f"tiny-{t}.gguf", tiny_model)
        report = drive(
            display,
            home,
            [{"do": "welcome", "assistant": "chat"}, {"do": "send", "text": "hello there"}],
            welcomed=False,
            SMALLWISE_CATALOG=str(catalog),
            HF_ENDPOINT=hub.url,
        )
    page, answer = report["steps"]
    assert page["capacity"].startswith("This computer runs models up to about ")
    assert "tiny base model" in page["starter"] and "answers are weak" in page["starter"]
    assert page["offer"][0].startswith("Llama (tiny) · ") and "Mbit/s" in page["offer"][1]
    assert page["done"] == "Installed: new answers use it." and page["closed"]
    assert answer["status"] == "complete" and answer["model"] == "llama-3.2-3b-instruct"
    assert Settings(home / "config" / "settings.json")["welcomed"]  # not shown again
