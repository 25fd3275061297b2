"""Run by test_xvfb_window.py on an Xvfb display: the real app in a real X window answers one
prompt with the starter model, then the X screen is captured to a PNG. Prints a JSON line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop_app.app import build, style_sheet
from desktop_app.core.assistants.knowledge import KnowledgeBase
from desktop_app.paths import app_paths

PROMPT = "Write a short poem about the sea."
LICENSES = Path("/usr/share/common-licenses")


def main(out: str, assistant: str = "chat", prompt: str = PROMPT) -> int:
    app = QApplication(sys.argv)
    app.setStyleSheet(style_sheet())
    smallwise = build(app_paths().ensure())
    smallwise.settings["max_tokens"] = 120
    smallwise.settings["welcomed"] = True  # the first-run page is captured on its own
    window = smallwise.window
    if assistant == "support":  # answer from real documents shipped on this machine
        smallwise.stores.run(lambda store: KnowledgeBase(store).add([LICENSES]))
    window.composer.select_assistant(assistant)
    result: dict = {}
    loop = QEventLoop()

    def finished(_mid: int, row: dict) -> None:
        result.update(status=row["status"], text=row["content"], extras=row.get("extras") or {})
        QTimer.singleShot(600, loop.quit)  # let the last repaint land

    def send_when_ready(_info: dict) -> None:
        if not result.get("sent"):  # model_changed also comes when the answer starts
            result["sent"] = True
            window.composer.input.setPlainText(prompt)
            window.composer.send_button.click()

    smallwise.chat.generation_finished.connect(finished)
    smallwise.chat.model_changed.connect(send_when_ready)
    smallwise.start()
    window.setGeometry(0, 0, 1100, 720)
    QTimer.singleShot(120_000, loop.quit)
    loop.exec()
    shot = QGuiApplication.primaryScreen().grabWindow(0)  # the X root window: real pixels
    result.update(saved=shot.save(out), width=shot.width(), height=shot.height())
    print(json.dumps(result))
    smallwise.close()
    return 0 if result.get("status") == "complete" else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
