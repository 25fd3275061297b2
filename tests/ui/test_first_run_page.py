"""The first-run page (offscreen, loopback hub): shown once to a new user, skippable, what this
computer runs in plain words, a model per assistant with size and download time, one click to
download it with progress here, the starter offered for what it is."""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from pathlib import Path

import pytest
from hub_server import FakeHub
from PySide6.QtCore import Qt
from test_models_cli import REPO, entry

from desktop_app.app import build
from desktop_app.core import first_run
from desktop_app.core.planner import Figures
from desktop_app.paths import app_paths
from desktop_app.settings import Settings

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from hosts import HOSTS  # noqa: E402

WAIT = 30_000
LLAMA = "llama-3.2-3b-instruct"


@pytest.fixture
def catalog_and_hub(tmp_path: Path, bigger_model: Path, monkeypatch):
    """The shipped catalog, with General chat's first choice served by the loopback hub (a tiny
    file under its id), and a catalog name that tries to be HTML."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    sha = hashlib.sha256(bigger_model.read_bytes()).hexdigest()
    llama = {**entry(bigger_model, sha), "id": LLAMA, "name": "<b>Llama</b> (tiny test)"}
    llama["roles"] = ["chat", "tutor", "support"]
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"schema_version": 1, "models": [llama]}))
    monkeypatch.setenv("SMALLWISE_CATALOG", str(catalog))
    with FakeHub() as hub:
        for t in ("F32", "Q8_0", "Q4_K_M"):
            hub.add(REPO, f"tiny-{t}.gguf", bigger_model)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        yield hub


def start(qtbot, host=HOSTS["cpu-16"], **settings):
    paths = app_paths().ensure()
    saved = Settings(paths.settings_file)
    for key, value in settings.items():
        saved[key] = value
    saved.save()
    smallwise = build(paths)
    smallwise.models.fixed_host = host  # a described machine: the same figures everywhere
    qtbot.addWidget(smallwise.window)
    if saved["welcomed"]:
        smallwise.start()
        return smallwise
    with qtbot.waitSignal(smallwise.models.survey_ready, timeout=WAIT):
        smallwise.start()
    return smallwise


def offers_by_assistant(page) -> dict[str, object]:
    return {offer.pick.assistant_id: offer for offer in page.offers}


def test_a_new_user_sees_the_page_once_and_skipping_is_remembered(
    qtbot, catalog_and_hub, monkeypatch
) -> None:
    smallwise = start(qtbot)
    page = smallwise.window.first_run
    qtbot.waitUntil(lambda: page.isVisible() and bool(page.offers), timeout=WAIT)
    cpu, _ = first_run.capacity(HOSTS["cpu-16"], Figures.from_catalog(largest(smallwise)))
    expected = f"This computer runs models up to about {cpu / 1e9:.1f} GB on the CPU."
    assert page.capacity.text() == expected
    assert page.starter_button.isVisible() and page.starter_button.text() == "Try offline now"
    starter = page.starter_note.text()
    assert "tiny base model" in starter and "its answers are weak" in starter
    page.skip_button.click()
    assert not page.isVisible() and Settings(smallwise.paths.settings_file)["welcomed"]
    smallwise.shutdown()
    again = start(qtbot)
    try:
        assert again.window.first_run is None  # not offered again at the next start
    finally:
        again.shutdown()


def largest(smallwise):
    models = [m for m in smallwise.models.catalog.values() if m.id != "gemma-3-270m"]
    return max(models, key=lambda m: m.raw.get("parameters", 0))


def test_a_model_per_assistant_with_size_and_download_time(qtbot, catalog_and_hub) -> None:
    smallwise = start(qtbot, HOSTS["cpu-8"])
    page = smallwise.window.first_run
    qtbot.waitUntil(lambda: bool(page.offers), timeout=WAIT)
    offers = offers_by_assistant(page)
    assert set(offers) == {"chat", "tutor", "math", "support"}
    for offer in offers.values():
        pick = offer.pick
        assert pick.model_id != "gemma-3-270m" and pick.verdict != "Won't fit"
        assert offer.model.text().startswith(pick.model_name)
        assert f" · {pick.quant} · " in offer.model.text() and "B" in offer.model.text()
        assert offer.time.text().endswith("at 50 Mbit/s")  # an honest "it depends"
        assert offer.model.textFormat() == Qt.TextFormat.PlainText  # catalog text, as written
    assert offers["chat"].model.text().startswith("<b>Llama</b> (tiny test)")
    math = smallwise.models.catalog[offers["math"].pick.model_id]
    assert "math" in math.roles
    assert "Mbit/s connection; yours may be faster or slower" in page.note.text()
    smallwise.shutdown()


def test_one_click_downloads_with_progress_and_the_new_model_answers(
    qtbot, catalog_and_hub
) -> None:
    for served in catalog_and_hub.files.values():
        served.chunk_delay_s = 0.01
    smallwise = start(qtbot)
    page = smallwise.window.first_run
    qtbot.waitUntil(lambda: bool(page.offers), timeout=WAIT)
    chat = offers_by_assistant(page)["chat"]
    assert chat.pick.model_id == LLAMA and chat.button.text() == "Download"
    with qtbot.waitSignal(smallwise.models.download_progressed, timeout=WAIT):
        chat.button.click()
    assert chat.progress.isVisible() and not chat.button.isEnabled()
    same = [o for o in page.offers if o.pick.model_id == LLAMA]
    assert len(same) >= 2 and all(not o.button.isEnabled() for o in same)  # tutor, support
    # The starter may finish loading first (the window loads it at start-up): new answers use
    # the downloaded model once it is in.
    with qtbot.waitSignal(
        smallwise.chat.model_changed,
        timeout=60_000,
        check_params_cb=lambda info: info["id"] == LLAMA,
    ):
        for served in catalog_and_hub.files.values():
            served.chunk_delay_s = 0
    assert chat.button.text() == "Installed" and not chat.progress.isVisible()
    assert chat.time.text() == "Installed: new answers use it."
    assert smallwise.settings["default_model"] == ""  # chosen by assistant, not pinned
    smallwise.shutdown()


def test_not_shown_to_a_user_with_a_model_of_their_own(qtbot, catalog_and_hub, tiny_model):
    smallwise = start(qtbot, default_model=str(tiny_model))
    try:
        qtbot.wait(200)
        page = smallwise.window.first_run
        assert page is not None and not page.isVisible()
        assert smallwise.settings["welcomed"]
    finally:
        smallwise.shutdown()


def test_the_planning_runs_off_the_gui_thread(qtbot, catalog_and_hub, monkeypatch) -> None:
    threads = []
    survey = first_run.survey

    def watched(*args, **kwargs):
        threads.append(threading.current_thread())
        return survey(*args, **kwargs)

    monkeypatch.setattr(first_run, "survey", watched)
    smallwise = start(qtbot)
    try:
        assert threads and threads[0] is not threading.main_thread()
    finally:
        smallwise.shutdown()


def test_a_gpu_is_described_and_reopening_from_the_menu(qtbot, catalog_and_hub) -> None:
    smallwise = start(qtbot, HOSTS["nvidia-8"], welcomed=True)
    try:
        assert smallwise.window.first_run is None
        menu = next(a.menu() for a in smallwise.window.menuBar().actions() if a.text() == "&Models")
        item = next(a for a in menu.actions() if a.text() == "&Getting started…")
        with qtbot.waitSignal(smallwise.models.survey_ready, timeout=WAIT):
            item.trigger()
        page = smallwise.window.first_run
        qtbot.waitUntil(lambda: "GPU" in page.capacity.text(), timeout=WAIT)
        assert "fully on its GPU (NVIDIA 8 GB)." in page.capacity.text()
        assert all(o.pick.verdict == "Full GPU" for o in page.offers)
    finally:
        smallwise.shutdown()


def test_the_page_takes_the_keyboard_first_and_sending_puts_it_away(
    qtbot, catalog_and_hub
) -> None:
    """A keyboard-only user could neither Tab into the page nor close it with Esc (the message
    box had the focus), and a message sent from behind it stayed hidden under it."""
    smallwise = start(qtbot)
    page = smallwise.window.first_run
    qtbot.waitUntil(lambda: page.isVisible() and bool(page.offers), timeout=WAIT)
    assert page.focusWidget() is page.skip_button
    qtbot.keyClick(page.skip_button, Qt.Key.Key_Escape)  # QDialog: Esc skips
    assert not page.isVisible() and Settings(smallwise.paths.settings_file)["welcomed"]
    page.present()  # from Models → Getting started
    qtbot.waitUntil(page.isVisible, timeout=WAIT)
    smallwise.window.send("hello")
    assert not page.isVisible()
    qtbot.waitUntil(lambda: smallwise.window.current is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: not smallwise.chat.busy, timeout=60_000)  # answered (or said why)
    smallwise.shutdown()
