"""The model manager window against a loopback hub (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

WAIT = 30_000


def open_manager(qtbot, smallwise):
    with qtbot.waitSignal(smallwise.models.listing_changed, timeout=WAIT):
        manager = smallwise.window.show_model_manager()
    # The signal reaches the test's slot first; the manager's own queued slot may run later.
    qtbot.waitUntil(lambda: bool(manager.rows), timeout=WAIT)
    return manager


def column(manager, item, title: str) -> str:
    """The text of a row under the column a user reads as `title`."""
    header = manager.tree.headerItem()
    titles = [header.text(i) for i in range(manager.tree.columnCount())]
    return item.text(titles.index(title))


def choose_quant(manager, quant: str) -> None:
    """As a user picks it in the combo box (its items read "Q8_0 · 1.2 GB")."""
    texts = [manager.quant.itemText(i) for i in range(manager.quant.count())]
    manager.quant.setCurrentIndex(next(i for i, t in enumerate(texts) if t.startswith(quant)))


def test_catalog_is_grouped_by_role_with_details(qtbot, manager_app) -> None:
    smallwise, _ = manager_app
    manager = open_manager(qtbot, smallwise)
    groups = [manager.tree.topLevelItem(i).text(0) for i in range(manager.tree.topLevelItemCount())]
    expected = ["General chat", "Tutor", "Math", "Support", "Embedding"]
    assert [g.split(" (")[0] for g in groups] == expected
    manager.select("llama-3.2-3b-instruct")
    assert "Llama 3.2 Community License" in manager.details.text()
    planned = manager.rows["llama-3.2-3b-instruct"]["plan"].quant
    assert manager.quant.currentData() == planned and manager.download_button.isEnabled()
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
    assert column(manager, item, "Here") == "Partial GPU" and "layers on the GPU" in item.toolTip(3)
    assert column(manager, item, "Quantization") == "Q8_0"
    details = manager.details.text()
    assert "Here: Partial GPU" in details and "KV cache" in details and "bgcolor" in details
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
    choose_quant(manager, "Q8_0")
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
    choose_quant(manager, "Q4_K_M")
    assert column(manager, manager.tree.currentItem(), "Size") == "about 0.8 GB"
    manager.select("llama-3.2-3b-instruct")  # checked: 2019377696 bytes
    choose_quant(manager, "Q4_K_M")
    assert column(manager, manager.tree.currentItem(), "Size") == "2.02 GB"
