"""The window with its API server switched on (one engine for both), and with its models on
another machine (a real llama-cpp-python server process on 127.0.0.1)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from servers import free_port, llama_server, stop
from test_window import WAIT, make_app, send_and_wait, type_and_send

from desktop_app.ui.settings_dialog import SettingsDialog

ASK = [{"role": "user", "content": "hello model"}]


def test_api_requests_queue_on_the_windows_engine(qtbot, tiny_model: Path) -> None:
    app = make_app(qtbot, tiny_model, max_tokens=1500, n_ctx=4096)
    try:
        dialog = SettingsDialog(app.settings, app.window, app.chat)
        qtbot.addWidget(dialog)
        assert dialog.address.text() == "Off."
        port = free_port()
        dialog.editors["api_server"].setChecked(True)
        dialog.editors["api_port"].setValue(port)
        assert f"http://127.0.0.1:{port}/v1" in dialog.address.text()  # shown before it runs
        with qtbot.waitSignal(app.api.state_changed, timeout=WAIT) as started:
            app.window.apply_settings(dialog.values())
        url = started.args[0].removeprefix("API server: ")
        assert url == f"http://127.0.0.1:{port}/v1"
        worker = app.chat.client.pid
        finished: dict[str, float] = {}

        def ask_the_api() -> None:
            reply = httpx.post(
                url + "/chat/completions",
                json={"model": "smallwise/chat", "messages": ASK, "max_tokens": 8},
                timeout=120,
            )
            finished["api"] = time.monotonic()
            finished["status"] = reply.status_code
            finished["tokens"] = reply.json()["usage"]["completion_tokens"]

        with qtbot.waitSignal(app.chat.generation_finished, timeout=WAIT):
            with qtbot.waitSignal(app.chat.text_received, timeout=WAIT):
                type_and_send(qtbot, app, "tell me a long story")
            caller = threading.Thread(target=ask_the_api)
            caller.start()  # the window is answering: the API request waits its turn
        finished["window"] = time.monotonic()
        caller.join(120)
        assert finished["status"] == 200 and finished["tokens"] == 8
        assert finished["api"] > finished["window"]  # served after the window's answer
        assert app.chat.client.pid == worker  # one engine process, one model in memory
        row = send_and_wait(qtbot, app, "and the window still answers")
        assert row["status"] == "complete"
    finally:
        app.shutdown()


def test_models_on_another_machine(qtbot, tiny_model: Path, tmp_path: Path) -> None:
    proc, server = llama_server(tiny_model, tmp_path / "server.log")
    try:
        app = make_app(qtbot, tiny_model, max_tokens=16)
    except BaseException:
        stop(proc)
        raise
    try:
        where = server.removeprefix("http://").removesuffix("/v1")
        dialog = SettingsDialog(app.settings, app.window, app.chat)
        qtbot.addWidget(dialog)
        dialog.editors["engine_url"].setText(server)
        with qtbot.waitSignal(app.chat.engine_tested, timeout=WAIT):
            dialog.test_connection()
        assert dialog.test_result.text().startswith(f"Connected to {where}: 1 model(s)")
        with qtbot.waitSignal(app.chat.model_changed, timeout=WAIT):
            app.window.apply_settings(dialog.values())
        assert app.window.model_label.text() == f"{tiny_model} · on {where}"
        row = send_and_wait(qtbot, app, "hello there")
        assert row["status"] == "complete" and row["model_id"] == str(tiny_model)
        assert row["completion_tokens"] == 16
        with qtbot.waitSignal(app.models.listing_changed, timeout=WAIT) as listed:
            app.models.refresh()
        assert {r.get("runs_on") for r in listed.args[0]} == {where}
    finally:
        app.shutdown()
        stop(proc)


def test_a_message_sent_while_a_model_is_being_chosen_is_answered(qtbot, tiny_model: Path) -> None:
    """The window's engine thread runs jobs in order; their places at the engine's gate must be
    in the same order, or a model load queued before a message waits behind it for ever."""
    from desktop_app.core.model_choice import resolve_model

    app = make_app(qtbot, tiny_model, max_tokens=16)
    try:
        release = threading.Event()
        app.chat.engine.run(release.wait)  # the engine thread is busy for a moment
        other = resolve_model(str(tiny_model), app.stores.blocking, {})
        app.chat.set_model(other)  # a load, queued first
        conversation = app.stores.blocking.create_conversation()
        with qtbot.waitSignal(app.chat.generation_finished, timeout=WAIT) as finished:
            assert app.chat.send(conversation, "hello")  # a message, queued second
            release.set()
        assert finished.args[1]["status"] == "complete"
    finally:
        release.set()
        app.shutdown()
