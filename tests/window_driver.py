"""Drives the real `smallwise` window the way a user does, in the process the `smallwise` command
starts: `desktop_app.cli.main([])`, with its real start-up choices (nothing imported before it
that the command would not import itself). Run by test_real_window.py under Xvfb.

    python tests/window_driver.py SCENARIO.json   → prints one JSON line of what happened

The scenario is a list of steps; each is carried out through the widgets (clicks, keys, the
file dialog), then the driver waits for what a user would wait for (a label, a signal).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

IMPORTED_BEFORE_MAIN = sorted(m for m in ("numpy", "gguf", "llama_cpp") if m in sys.modules)

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit  # noqa: E402

Wait = Callable[[], bool]
report: dict[str, Any] = {"steps": [], "imported_before_main": IMPORTED_BEFORE_MAIN}


def main_window() -> Any:
    return next(
        (w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow"), None
    )


def run(steps: list[dict[str, Any]]) -> Iterator[tuple[str, Wait, float]]:
    """Each yield: (what we wait for, condition, timeout in s)."""
    yield "the window", lambda: main_window() is not None and main_window().isVisible(), 30
    window = main_window()
    finished: list[dict] = []
    window.chat.generation_finished.connect(lambda _mid, row: finished.append(row))
    yield "a model", lambda: window.chat.model is not None, 60
    for step in steps:
        yield from ACTIONS[step["do"]](window, step, finished)
    report["notice"] = window.notice_label.text()
    window.close()


def download(window: Any, step: dict, finished: list) -> Iterator[tuple[str, Wait, float]]:
    manager, model_id = window.show_model_manager(), step["id"]
    yield "the catalog", lambda: model_id in manager.rows, 30
    manager.select(model_id)
    QTest.mouseClick(manager.download_button, Qt.MouseButton.LeftButton)
    yield "the download", lambda: manager.active is None and manager.message.text(), 60
    report["steps"].append({"download": manager.message.text()})
    yield "the listing", lambda: (manager.rows[model_id]["installed"] or {}).get("present"), 30
    QTest.mouseClick(manager.use_button, Qt.MouseButton.LeftButton)
    yield "the model", lambda: window.chat.model and window.chat.model.id == model_id, 30
    manager.close()


def import_file(window: Any, step: dict, finished: list) -> Iterator[tuple[str, Wait, float]]:
    manager, path = window.show_model_manager(), step["path"]
    QTimer.singleShot(300, lambda: _answer_file_dialog(path))
    QTest.mouseClick(manager.import_button, Qt.MouseButton.LeftButton)
    said = manager.message.text
    yield "the import", lambda: said() and not said().startswith("Importing"), 60
    if said().startswith("Imported"):
        yield "the listing", lambda: step["id"] in manager.rows, 30
    report["steps"].append({"import": manager.message.text(), "rows": list(manager.rows)})
    manager.close()


def assistant(window: Any, step: dict, finished: list) -> Iterator[tuple[str, Wait, float]]:
    box = window.composer.assistant_box
    box.setCurrentIndex(box.findData(step["id"]))
    yield "the assistant", lambda: window.chat.assistant.id == step["id"], 5
    report["steps"].append({"assistant": window.chat.assistant.id})


def send(window: Any, step: dict, finished: list) -> Iterator[tuple[str, Wait, float]]:
    count, box = len(finished), window.composer.input
    box.setFocus()
    QTest.keyClicks(box, step["text"])
    QTest.keyClick(box, Qt.Key.Key_Return)
    yield "the answer", lambda: len(finished) > count, 120
    row = finished[-1]
    report["steps"].append(
        {
            "answer": row["content"],
            "status": row["status"],
            "model": row.get("model_id"),
            "assistant": row.get("assistant_id"),
        }
    )


def type_at_start(window: Any, step: dict, finished: list) -> Iterator[tuple[str, Wait, float]]:
    """A user who just types: where the focus is (nothing clicked first), then Enter."""
    window.activateWindow()  # what a window manager does for a new window (Xvfb has none)
    yield "the window active", window.isActiveWindow, 10
    focus = QApplication.focusWidget()
    if focus is None:
        report["steps"].append({"focus": None, "in_box": False})
        return
    seen = {"focus": type(focus).__name__, "in_box": focus is window.composer.input}
    count, conversations = len(finished), len(window.conversations.ids())
    QTest.keyClicks(focus, step["text"])
    QTest.keyClick(focus, Qt.Key.Key_Return)
    yield "the answer", lambda: len(finished) > count, 120
    seen["status"] = finished[-1]["status"]
    seen["new_conversations"] = len(window.conversations.ids()) - conversations
    asked = [r["content"] for r in window.view.rows if r["role"] == "user"]
    seen["asked"] = asked[-1] if asked else None
    seen["focus_after"] = QApplication.focusWidget() is window.composer.input
    report["steps"].append(seen)


def welcome(window: Any, step: dict, finished: list) -> Iterator[tuple[str, Wait, float]]:
    """The first-run page as a new user meets it: read it, click Download for an assistant's
    model, wait for it to be installed and to answer new questions."""
    yield "the first-run page", lambda: window.first_run and window.first_run.isVisible(), 30
    page = window.first_run
    yield "the recommendations", lambda: bool(page.offers), 30
    offer = next(o for o in page.offers if o.pick.assistant_id == step["assistant"])
    seen = {"capacity": page.capacity.text(), "starter": page.starter_note.text()}
    seen["offer"] = [offer.model.text(), offer.time.text()]
    QTest.mouseClick(offer.button, Qt.MouseButton.LeftButton)
    yield "the download", lambda: offer.button.text() == "Installed", 60
    seen["done"] = offer.time.text()
    model_id = offer.pick.model_id
    yield "the new model", lambda: window.chat.model and window.chat.model.id == model_id, 60
    QTest.mouseClick(page.skip_button, Qt.MouseButton.LeftButton)
    seen["closed"] = not page.isVisible()
    report["steps"].append(seen)


ACTIONS = {
    "download": download,
    "import": import_file,
    "assistant": assistant,
    "send": send,
    "welcome": welcome,
    "type": type_at_start,
}


def _answer_file_dialog(path: str) -> None:
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog)]
    visible = [d for d in dialogs if d.isVisible()]
    if not visible:
        QTimer.singleShot(200, lambda: _answer_file_dialog(path))
        return
    name = visible[0].findChild(QLineEdit, "fileNameEdit")  # typed, as a user would
    name.setText(path)
    QTest.keyClick(name, Qt.Key.Key_Return)


def drive(script: Iterator[tuple[str, Wait, float]]) -> None:
    """Advance the script whenever what it waits for has happened; fail on a timeout."""
    state: dict[str, Any] = {"waiting": None}

    def tick() -> None:
        try:
            if state["waiting"] is not None:
                what, condition, deadline = state["waiting"]
                if not condition():
                    if time.monotonic() > deadline:
                        report["timeout"] = what
                        main_window() and main_window().close()
                        return
                    QTimer.singleShot(50, tick)
                    return
            what, condition, timeout = next(script)
            state["waiting"] = (what, condition, time.monotonic() + timeout)
            QTimer.singleShot(0, tick)
        except StopIteration:
            pass
        except Exception as exc:  # the driver's own failure: report it, close the window
            report["error"] = f"{type(exc).__name__}: {exc}"
            main_window() and main_window().close()

    QTimer.singleShot(0, tick)


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        scenario = json.load(fh)
    app = QApplication(["smallwise"])  # main() reuses it, as QApplication.instance()
    drive(run(scenario))
    from desktop_app.cli import main

    report["exit_code"] = main([])
    report["numpy_in_window_process"] = "numpy" in sys.modules
    del app  # as run_gui's own QApplication would be, before the interpreter shuts down
    print(json.dumps(report), flush=True)
