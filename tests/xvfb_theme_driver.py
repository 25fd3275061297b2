"""Run by test_xvfb_screens.py on an Xvfb display: the real app in a real X window, in the light
or the dark scheme, showing a conversation (written into the database first: the starter model
cannot write code), or at its first start with the first-run page; the X screen is captured.

    python tests/xvfb_theme_driver.py OUT.png light|dark|first-run

Prints one JSON line."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop_app.app import build, style_sheet
from desktop_app.paths import app_paths
from desktop_app.settings import Settings

QUESTION = "How do I read a text file in Python, line by line?"
ANSWER = """Open it in a `with` block, so the file is closed even if something fails:

```python
with open("notes.txt", encoding="utf-8") as fh:
    for number, line in enumerate(fh, start=1):
        print(number, line.rstrip())
```

Each `line` keeps its newline; **`rstrip()`** removes it. For a large file this reads one line
at a time, so memory stays small."""


def seed(paths) -> None:
    """One finished exchange in the database, as the window would have stored it."""
    from desktop_app.core.store import Store

    with Store(paths.database) as store:
        cid = store.create_conversation("Reading a file in Python")
        store.add_message(cid, "user", QUESTION)
        store.add_message(cid, "assistant", ANSWER, model_id="qwen2.5-1.5b-instruct")


def main(out: str, mode: str) -> int:
    app = QApplication(sys.argv)
    app.setStyleSheet(style_sheet())
    paths = app_paths().ensure()
    settings = Settings(paths.settings_file)
    settings["theme"] = "light" if mode == "first-run" else mode
    settings["welcomed"] = mode != "first-run"
    settings.save()
    if mode != "first-run":
        seed(paths)
    smallwise = build(paths)
    window = smallwise.window
    result: dict = {"mode": mode}
    loop = QEventLoop()

    loaded: list[dict] = []
    smallwise.chat.model_changed.connect(loaded.append)  # the status line shows the model

    def ready() -> bool:
        if mode == "first-run":
            page = window.first_run
            return bool(page and page.isVisible() and page.offers and loaded)
        return bool(window.view.widgets and loaded)

    def poll() -> None:
        if ready():
            QTimer.singleShot(800, loop.quit)  # let the last repaint land
        else:
            QTimer.singleShot(100, poll)

    smallwise.start()
    window.setGeometry(0, 0, 1100, 720)
    QTimer.singleShot(100, poll)
    QTimer.singleShot(90_000, loop.quit)
    loop.exec()
    result["ready"] = ready()
    if mode == "first-run":
        page = window.first_run
        result["capacity"] = page.capacity.text()
        result["offers"] = [o.model.text() for o in page.offers]
    result["theme"] = window.theme.scheme().name
    shot = QGuiApplication.primaryScreen().grabWindow(0)  # the X root window: real pixels
    result.update(saved=shot.save(out), width=shot.width(), height=shot.height())
    print(json.dumps(result))
    smallwise.close()
    return 0 if result["ready"] else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
