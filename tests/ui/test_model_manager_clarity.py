"""The model manager says one thing per row: the quantization that will download (the planner's
choice unless the user picks another), its size, the plan for it and its memory bar, all
following the user's pick at once; badges for the model in use and downloads; an imported model
named and described by its own file; refreshed each time it opens (offscreen, loopback hub)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from PySide6.QtWidgets import QFileDialog
from test_model_manager import WAIT, choose_quant, column, open_manager

from desktop_app.core import library
from desktop_app.core.store import Store

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from hosts import HOSTS  # noqa: E402

LLAMA = "llama-3.2-3b-instruct"


def weights_gb(details: str) -> float:
    """The weights figure of the memory bar's legend, as a user reads it."""
    return float(re.search(r"weights ([\d.]+) GB", details).group(1))


def test_one_quantization_per_row_the_one_that_downloads(qtbot, manager_app) -> None:
    smallwise, _ = manager_app
    smallwise.models.fixed_host = HOSTS["cpu-16"]
    manager = open_manager(qtbot, smallwise)
    header = [manager.tree.headerItem().text(i) for i in range(manager.tree.columnCount())]
    assert header == ["Model", "Quantization", "Size", "Here", "State"]  # no second quant column
    manager.select(LLAMA)
    item, planned = manager.tree.currentItem(), manager.rows[LLAMA]["plan"]
    assert column(manager, item, "Quantization") == planned.quant == manager.quant.currentData()
    assert column(manager, item, "Here") == planned.verdict
    assert planned.quant == "Q8_0"  # 16 GB of RAM: the planner takes Q8_0 …
    assert column(manager, item, "Size") == "about 3.4 GB"  # … and the size is Q8_0's
    assert "with Q8_0" in manager.details.text()
    items = [manager.quant.itemText(i) for i in range(manager.quant.count())]
    assert "Q4_K_M · 2.02 GB" in items and "Q8_0 · about 3.4 GB" in items  # a size per quant


def test_choosing_a_quantization_updates_row_plan_and_bar_at_once(qtbot, manager_app) -> None:
    smallwise, _ = manager_app
    smallwise.models.fixed_host = HOSTS["cpu-16"]
    manager = open_manager(qtbot, smallwise)
    manager.select(LLAMA)
    before = weights_gb(manager.details.text())
    choose_quant(manager, "Q4_K_M")  # no waiting: every figure below is there at once
    item = manager.tree.currentItem()
    assert column(manager, item, "Quantization") == "Q4_K_M"
    assert column(manager, item, "Size") == "2.02 GB"
    assert "with Q4_K_M" in manager.details.text() and "with Q8_0" not in manager.details.text()
    planned = manager.rows[LLAMA]["plans"]["Q4_K_M"]
    assert weights_gb(manager.details.text()) == round(planned.estimate.parts()["weights"] / 1e9, 2)
    assert weights_gb(manager.details.text()) < before
    manager.select("gemma-3-1b-it")
    manager.select(LLAMA)  # the pick is kept while the dialog lives
    assert manager.quant.currentData() == "Q4_K_M"


def test_the_quantization_picked_is_the_one_downloaded(qtbot, manager_app) -> None:
    smallwise, hub = manager_app
    manager = open_manager(qtbot, smallwise)
    manager.select("tiny-chat")
    choose_quant(manager, "Q4_K_M")
    with qtbot.waitSignal(smallwise.models.download_finished, timeout=WAIT):
        manager.download_button.click()
    assert [p.name for p in smallwise.paths.models_dir.glob("tiny-*.gguf")] == ["tiny-Q4_K_M.gguf"]
    qtbot.waitUntil(lambda: bool((manager.rows["tiny-chat"]["installed"] or {}).get("present")))
    manager.select("tiny-chat")
    assert not manager.download_button.isEnabled()  # that quantization is installed
    choose_quant(manager, "Q8_0")
    assert manager.download_button.isEnabled()
    assert column(manager, manager.tree.currentItem(), "State") == "installed Q4_K_M"


def test_badges_for_a_download_and_the_model_in_use(qtbot, manager_app) -> None:
    smallwise, hub = manager_app
    for served in hub.files.values():
        served.chunk_delay_s = 0.02
    manager = open_manager(qtbot, smallwise)
    manager.select("tiny-chat")
    with qtbot.waitSignal(smallwise.models.download_progressed, timeout=WAIT):
        manager.download_button.click()
    assert column(manager, manager.tree.currentItem(), "State").startswith("downloading ")
    for served in hub.files.values():
        served.chunk_delay_s = 0
    qtbot.waitUntil(lambda: bool((manager.rows["tiny-chat"]["installed"] or {}).get("present")))
    manager.select("tiny-chat")
    assert column(manager, manager.tree.currentItem(), "State") == "installed"
    with qtbot.waitSignal(smallwise.chat.model_changed, timeout=WAIT):
        manager.use_button.click()
    states = {column(manager, i, "State") for i in manager.items() if i.data(0, 256) == "tiny-chat"}
    assert states == {"in use · installed"}  # in every group the model is listed under
    others = [column(manager, i, "State") for i in manager.items() if i.data(0, 256) != "tiny-chat"]
    assert not any("in use" in s for s in others)


def test_an_imported_model_is_named_and_planned_from_its_file(
    qtbot, manager_app, tiny_model, tmp_path, monkeypatch
) -> None:
    smallwise, _ = manager_app
    plain = tmp_path / "model.gguf"  # a name that says nothing, as in the report
    shutil.copy(tiny_model, plain)
    manager = open_manager(qtbot, smallwise)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(plain), ""))
    manager.import_button.click()
    qtbot.waitUntil(lambda: "model" in manager.rows, timeout=WAIT)
    manager.select("model")
    item = manager.tree.currentItem()
    assert column(manager, item, "Model") == "tiny-test-model"  # general.name
    assert column(manager, item, "Quantization") == "F32"  # general.file_type
    assert column(manager, item, "Here") == "CPU only"
    details = manager.details.text()
    assert "Imported from model.gguf: llama architecture, F32" in details
    assert "Here: CPU only</b> with F32" in details and "weights" in details
    with qtbot.waitSignal(smallwise.chat.model_changed, timeout=WAIT):
        manager.use_button.click()
    label = smallwise.window.model_label.text()
    assert label.startswith("tiny-test-model · F32 · context "), label


def test_reopening_shows_models_added_meanwhile(qtbot, manager_app, tiny_model) -> None:
    smallwise, _ = manager_app
    manager = open_manager(qtbot, smallwise)
    manager.close()
    with Store(smallwise.paths.database) as store:  # as `smallwise models import` would
        library.import_file(tiny_model, smallwise.paths.models_dir, store)
    with qtbot.waitSignal(smallwise.models.listing_changed, timeout=WAIT):
        smallwise.window.show_model_manager()
    qtbot.waitUntil(lambda: "tiny-chatml" in manager.rows, timeout=WAIT)
    assert "tiny-test-model" in [column(manager, i, "Model") for i in manager.items()]
