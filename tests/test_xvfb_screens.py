"""The real window on an Xvfb X server in the light and the dark scheme, and at a first start with
the first-run page, captured. `make screenshot` copies the captures to docs/ for the README."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from desktop_app.ui.theme import DARK, LIGHT

pytestmark = [pytest.mark.xvfb, pytest.mark.starter]
DRIVER = Path(__file__).with_name("xvfb_theme_driver.py")
DOCS_NAMES = {"light": "theme-light.png", "dark": "theme-dark.png", "first-run": "first-run.png"}


def capture(display: str, starter_home: Path, tmp_path: Path, mode: str) -> tuple[dict, QImage]:
    png = tmp_path / f"{mode}.png"
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "SMALLWISE_HOME": str(tmp_path / "home"),
    }
    shutil.copytree(starter_home, env["SMALLWISE_HOME"])  # the starter, nothing else
    run = subprocess.run(
        [sys.executable, str(DRIVER), str(png), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    if folder := os.environ.get("SMALLWISE_SCREENSHOT_DIR"):
        shutil.copy(png, Path(folder) / DOCS_NAMES[mode])
    return json.loads(run.stdout.strip().splitlines()[-1]), QImage(str(png))


def share_of(image: QImage, colour: str) -> float:
    """The share of the screen painted in exactly this colour (sampled)."""
    target = QColor(colour).rgb() & 0xFFFFFF
    points = [(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)]
    return sum((image.pixel(x, y) & 0xFFFFFF) == target for x, y in points) / len(points)


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_window_in_each_scheme(display, starter_home: Path, tmp_path: Path, scheme) -> None:
    found, image = capture(display, starter_home, tmp_path, scheme.name)
    assert found["theme"] == scheme.name and (image.width(), image.height()) == (1100, 720)
    other = DARK if scheme is LIGHT else LIGHT
    # The transcript's background fills a good part of the screen, in this scheme's colour.
    assert share_of(image, scheme.colour("transcript")) > 0.15
    assert share_of(image, other.colour("transcript")) < 0.01


def test_the_first_run_page_at_a_first_start(display, starter_home: Path, tmp_path: Path) -> None:
    found, image = capture(display, starter_home, tmp_path, "first-run")
    assert found["capacity"].startswith("This computer runs models up to about ")
    assert len(found["offers"]) == 4
    colours = {image.pixel(x, y) for x in range(0, 1100, 7) for y in range(0, 720, 7)}
    assert len(colours) > 20, "the capture is blank"
