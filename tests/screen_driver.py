"""Run by tests/ui/test_screens.py in a process of its own, because a scale factor and a screen
size are fixed when Qt starts: the app built as `smallwise` builds it, with a window geometry
saved on a bigger monitor, on the offscreen platform's screen (QT_QPA_PLATFORM=offscreen:
configfile=…, QT_SCALE_FACTOR). Prints one JSON line: where the window and its parts landed.

    python tests/screen_driver.py SAVED_WIDTH SAVED_HEIGHT     (0 0: nothing saved)
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from desktop_app.app import build
from desktop_app.paths import app_paths
from desktop_app.settings import Settings


def saved_geometry(width: int, height: int) -> str:
    """What saveGeometry() wrote for a window of that size on a big monitor, at (200, 150)."""
    other = QMainWindow()
    other.setGeometry(200, 150, width, height)
    return bytes(other.saveGeometry().toBase64()).decode()


def rect(widget: QWidget) -> list[int]:
    """Where a widget is on the screen, in logical pixels."""
    top_left = widget.mapToGlobal(QPoint(0, 0))
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def box(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def main(width: int, height: int) -> dict:
    app = QApplication(sys.argv)
    paths = app_paths().ensure()
    settings = Settings(paths.settings_file)
    if width:  # else a first start: no saved geometry, the window's default size
        settings["window_geometry"] = saved_geometry(width, height)
    settings["welcomed"] = True
    settings.save()
    smallwise = build(paths)
    window = smallwise.window
    window.show()
    app.processEvents()
    manager = window.show_model_manager()
    page = window.show_first_run()
    app.processEvents()
    screen = window.screen()
    report = {
        "ratio": screen.devicePixelRatio(),
        "available": box(screen.availableGeometry()),
        "window": box(window.frameGeometry()),
        "send": rect(window.composer.send_button),
        "input": rect(window.composer.input),
        "view": rect(window.view),
        "list": rect(window.conversations),
        "manager": box(manager.frameGeometry()),
        "manager_buttons": rect(manager.import_button),
        "first_run": box(page.frameGeometry()),
        "skip": rect(page.skip_button),
    }
    smallwise.close()
    return report


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))), flush=True)
