"""Outside text (a model's answer, a document heading, the reasoning fold) loads no resource in
the window: no local file, no pipe, no device, only the formula images the app drew itself.

A named pipe is the tripwire: a shell loop opens it for writing again and again and leaves a
mark each time a reader opens it, so a widget that opens the pipe neither hangs nor goes
unnoticed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from desktop_app.core.render import render_markdown
from desktop_app.ui.message_view import MessageWidget
from desktop_app.ui.safe_text import SafeText

FORMULA = r"Area $\pi r^2$, and $$x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}$$"


@pytest.fixture
def tripwire(tmp_path: Path):
    """(a named pipe, the file that appears once something opened the pipe)."""
    pipe, mark = tmp_path / "picture.png", tmp_path / "opened"
    os.mkfifo(pipe)
    writer = subprocess.Popen(["sh", "-c", 'while :; do : > "$0"; touch "$1"; done', pipe, mark])
    yield pipe, mark
    writer.kill()
    writer.wait()


@pytest.fixture
def red_png(tmp_path: Path) -> Path:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    path = tmp_path / "red.png"
    assert image.save(str(path))
    return path


def settle(qtbot, widget) -> QImage:
    """Show the widget, let it lay out and paint, and return what it looks like."""
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(200)
    picture = QImage(widget.size(), QImage.Format.Format_RGB32)
    picture.fill(QColor("white"))  # under the transparent parts
    widget.render(picture)
    return picture


def count_pixels(image: QImage, test) -> int:
    return sum(
        test(image.pixelColor(x, y))
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    )


def is_red(colour: QColor) -> bool:
    return colour.red() > 200 and colour.green() < 60 and colour.blue() < 60


def is_ink(colour: QColor) -> bool:
    return colour.lightness() < 100


def answer(content: str) -> dict:
    return {"id": 1, "role": "assistant", "status": "complete", "content": content}


def test_an_answer_with_local_images_opens_nothing(qtbot, tripwire, red_png: Path) -> None:
    pipe, mark = tripwire
    text = (
        f"![pipe]({pipe.as_uri()}) ![bare]({pipe}) ![red]({red_png.as_uri()})\n\n"
        f'<img src="{pipe.as_uri()}"> <img src="{red_png}">\n\n{FORMULA}'
    )
    widget = MessageWidget(answer(text))
    qtbot.addWidget(widget)
    picture = settle(qtbot, widget)
    assert not mark.exists(), "the pipe was opened"
    assert count_pixels(picture, is_red) == 0, "a local image was shown"
    shown = widget.body.toPlainText()
    assert f"pipe ({pipe.as_uri()})" in shown and f'<img src="{red_png}">' in shown
    assert len(widget.body.document().own_images) == 2  # the formulas: drawn by the app


def test_the_widget_refuses_resources_even_in_html_the_renderer_never_makes(
    qtbot, tripwire, red_png: Path
) -> None:
    pipe, mark = tripwire
    view = SafeText()
    qtbot.addWidget(view)
    view.setText(
        f'<img src="{pipe.as_uri()}"><img src="{red_png}"><img src="file:///dev/zero">'
        f'<table background="{red_png.as_uri()}"><tr><td>cell</td></tr></table>'
        f'{render_markdown(FORMULA)}<link rel="stylesheet" href="{pipe}">'
    )
    picture = settle(qtbot, view)
    assert not mark.exists(), "the pipe was opened"
    assert count_pixels(picture, is_red) == 0, "a local image was shown"
    assert count_pixels(picture, is_ink) > 100, "the formulas are not drawn"
    refused = {url.toString() for url in view.document().refused}
    assert {pipe.as_uri(), str(red_png), "file:///dev/zero"} <= refused, refused


def test_an_image_that_only_looks_like_a_formula_is_refused(qtbot) -> None:
    # The address is well formed but the app never drew this picture.
    import base64

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">'
        '<rect width="9" height="9"/></svg>'
    )
    forged = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    view = SafeText()
    qtbot.addWidget(view)
    view.setText(f'<img src="{forged}"> ')
    picture = settle(qtbot, view)
    assert count_pixels(picture, is_ink) == 0
    assert forged in {url.toString() for url in view.document().refused}


def test_the_reasoning_fold_is_plain_text(qtbot, tripwire) -> None:
    pipe, mark = tripwire
    widget = MessageWidget(
        answer(f'<think><b>x</b><img src="{pipe.as_uri()}"><img src="file:///etc/passwd"></think>ok')
    )
    qtbot.addWidget(widget)
    widget.reasoning_button.click()
    settle(qtbot, widget)
    assert not mark.exists(), "the pipe was opened"
    assert widget.reasoning.text().startswith("<b>x</b><img src=")  # shown as written
    assert not widget.reasoning.isHidden()


DEV_ZERO = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop_app.ui.message_view import MessageWidget
row = {"id": 1, "role": "assistant", "status": "complete", "content": sys.argv[1]}
widget = MessageWidget(row)
widget.show()
app.processEvents()
print("shown", flush=True)
"""


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_an_answer_pointing_at_dev_zero_does_not_eat_memory(tmp_path: Path) -> None:
    # The newest conversation opens at start-up: this used to abort the window on every start.
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(DEV_ZERO), "![x](file:///dev/zero) $x$"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0 and "shown" in result.stdout, result.stderr[-2000:]
    assert time.perf_counter() - started < 60
