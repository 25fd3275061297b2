"""Fixtures of the window tests (loaded by conftest.py's pytest_plugins): the app built as it
runs, with a catalog whose models a loopback hub serves (the model manager, the first-run page,
the theme). A plugin module rather than tests/ui/conftest.py, which would shadow the `conftest`
module other tests import helpers from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from ggufs import write_tiny_model
from hub_server import FakeHub
from test_models_cli import REPO, entry

from desktop_app.app import build
from desktop_app.paths import app_paths


@pytest.fixture(scope="session")
def bigger_model(tmp_path_factory) -> Path:
    """~9 MB: several 1 MiB read blocks, so a download can be cancelled half-way."""
    return write_tiny_model(tmp_path_factory.mktemp("big") / "bigger.gguf", n_embd=384, n_layer=4)


@pytest.fixture
def manager_app(qtbot, tmp_path: Path, bigger_model: Path, monkeypatch):
    tiny_model = bigger_model
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    sha = hashlib.sha256(tiny_model.read_bytes()).hexdigest()
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"schema_version": 1, "models": [entry(tiny_model, sha)]}))
    monkeypatch.setenv("SMALLWISE_CATALOG", str(catalog))
    with FakeHub() as hub:
        for t in ("F32", "Q8_0", "Q4_K_M"):
            hub.add(REPO, f"tiny-{t}.gguf", tiny_model)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        smallwise = build(app_paths().ensure())
        qtbot.addWidget(smallwise.window)
        yield smallwise, hub
        smallwise.shutdown()
