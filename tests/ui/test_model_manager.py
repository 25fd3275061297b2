"""The model manager window against a loopback hub (pytest-qt, offscreen)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from ggufs import write_tiny_model
from hub_server import FakeHub
from PySide6.QtWidgets import QFileDialog, QMessageBox
from test_models_cli import REPO, entry

from desktop_app.app import build
from desktop_app.paths import app_paths

WAIT = 30_000


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


def open_manager(qtbot, smallwise):
    with qtbot.waitSignal(smallwise.models.listing_changed, timeout=WAIT):
        manager = smallwise.window.show_model_manager()
    # The signal reaches the test's slot first; the manager's own queued slot may run later.
    qtbot.waitUntil(lambda: bool(manager.rows), timeout=WAIT)
    return manager


def test_catalog_is_grouped_by_role_with_details(qtbot, manager_app) -> None:
    smallwise, _ = manager_app
    manager = open_manager(qtbot, smallwise)
    groups = [manager.tree.topLevelItem(i).text(0) for i in range(manager.tree.topLevelItemCount())]
    expected = ["General chat", "Tutor", "Math", "Support", "Embedding"]
    assert [g.split(" (")[0] for g in groups] == expected
    manager.select("llama-3.2-3b-instruct")
    assert "Llama 3.2 Community License" in manager.details.text()
    planned = manager.rows["llama-3.2-3b-instruct"]["plan"].quant
    assert manager.quant.currentText() == planned and manager.download_button.isEnabled()
    assert not manager.use_button.isEnabled()
    assert "This computer:" in manager.hardware.text() and "RAM free" in manager.hardware.text()


def test_verdicts_why_and_memory_bar_for_a_described_machine(qtbot, manager_app) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
    from hosts import HOSTS

    smallwise, _ = manager_app
    smallwise.models.fixed_host = HOSTS["nvidia-4"]  # a GPU cannot exist here: a described one
    manager = open_manager(qtbot, smallwise)
    manager.select("llama-3.2-3b-instruct")
    item = manager.tree.currentItem()
    assert item.text(3) == "Partial GPU · Q8_0" and "layers on the GPU" in item.toolTip(3)
    details = manager.details.text()
    assert "Here: Partial GPU" in details and "kv cache" in details and "bgcolor" in details
    assert "NVIDIA 4 GB" in manager.hardware.text()


def test_download_shows_progress_and_cancel_keeps_nothing(qtbot, manager_app) -> None:
    smallwise, hub = manager_app
    for served in hub.files.values():
        served.chunk_delay_s = 0.02  # a slow link (~3 MB/s), so there is time to press Cancel
    manager = open_manager(qtbot, smallwise)
    manager.select("tiny-chat")
    with qtbot.waitSignal(smallwise.models.download_progressed, timeout=WAIT):
        manager.download_button.click()
    assert manager.progress.isVisible() and "MB/s" in manager.progress_label.text()
    assert not manager.download_button.isEnabled()
    with qtbot.waitSignal(smallwise.models.download_finished, timeout=WAIT) as done:
        manager.cancel_button.click()
    assert done.args == ["tiny-chat", "Download cancelled; nothing was kept."]
    models = smallwise.paths.models_dir
    assert not [p for p in models.rglob("*") if p.is_file() and "gemma" not in p.name]
    assert manager.download_button.isEnabled() and not manager.progress.isVisible()


def test_download_use_and_delete(qtbot, manager_app, monkeypatch) -> None:
    smallwise, _ = manager_app
    manager = open_manager(qtbot, smallwise)
    manager.select("tiny-chat")
    manager.quant.setCurrentText("Q8_0")
    with qtbot.waitSignal(smallwise.models.download_finished, timeout=WAIT) as done:
        manager.download_button.click()
    assert done.args == ["tiny-chat", ""]
    qtbot.waitUntil(lambda: bool((manager.rows["tiny-chat"]["installed"] or {}).get("present")))
    assert manager.tree.topLevelItem(0).text(0) == "Installed (1)"
    manager.select("tiny-chat")
    with qtbot.waitSignal(smallwise.chat.model_changed, timeout=WAIT) as changed:
        manager.use_button.click()
    assert changed.args[0]["id"] == "tiny-chat"
    assert smallwise.settings["default_model"] == "tiny-chat"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(smallwise.models.listing_changed, timeout=WAIT):
        manager.delete_button.click()
    assert not (smallwise.paths.models_dir / "tiny-Q8_0.gguf").exists()
    assert manager.rows["tiny-chat"]["installed"] is None


def test_import_through_the_file_dialog(qtbot, manager_app, tiny_model, monkeypatch) -> None:
    smallwise, _ = manager_app
    manager = open_manager(qtbot, smallwise)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tiny_model), ""))
    manager.import_button.click()
    qtbot.waitUntil(lambda: "tiny-chatml" in manager.rows, timeout=WAIT)
    assert manager.rows["tiny-chatml"]["installed"]["present"]


def test_the_window_lists_the_catalog_with_the_network_unreachable(
    qtbot, manager_app, monkeypatch
) -> None:
    smallwise, _ = manager_app
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    manager = open_manager(qtbot, smallwise)
    assert len(manager.rows) >= 10


def test_sizes_not_checked_against_the_file_say_about(qtbot, manager_app) -> None:
    smallwise, _ = manager_app
    manager = open_manager(qtbot, smallwise)
    manager.select("gemma-3-1b-it")  # its Q4_K_M figure is rounded in the catalog
    assert manager.tree.currentItem().text(1) == "about 0.8 GB"
    manager.select("llama-3.2-3b-instruct")  # checked: 2019377696 bytes
    assert manager.tree.currentItem().text(1) == "2.02 GB"
