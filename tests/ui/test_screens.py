"""Small screens and high DPI: a window saved on a big monitor and restored on a small one, or at
a scale factor of 1.5 or 2, fits the screen with Send on it; the model manager and the first-run
page fit too. Each case runs the app in a process of its own on an offscreen screen of a set
size (tests/screen_driver.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).parents[1] / "screen_driver.py"
FORMULAS = Path(__file__).parents[1] / "formula_dpr_driver.py"


def run_on_screen(tmp_path: Path, width: int, height: int, scale: float, saved=(1900, 1150)):
    config = tmp_path / "screen.json"
    screen = {"name": "test", "x": 0, "y": 0, "width": width, "height": height}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": str(scale),
    }
    run = subprocess.run(
        [sys.executable, str(DRIVER), *map(str, saved)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def inside(part: list[int], screen: list[int]) -> bool:
    x, y, w, h = part
    sx, sy, sw, sh = screen
    return w > 0 and h > 0 and x >= sx and y >= sy and x + w <= sx + sw and y + h <= sy + sh


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(800, 600, 1), (1366, 768, 1.5), (1366, 768, 2)],
    ids=["800x600", "1366x768@1.5", "1366x768@2"],
)
def test_restored_window_fits_the_screen_with_send_on_it(tmp_path, width, height, scale) -> None:
    found = run_on_screen(tmp_path, width, height, scale)
    screen = found["available"]
    assert found["ratio"] == scale
    assert screen[2] <= round(width / scale) and screen[3] <= round(height / scale)
    for part in ("window", "send", "input", "view", "list"):
        assert inside(found[part], screen), (part, found[part], screen)
    assert found["input"][2] >= 150 and found["view"][3] >= 80  # room to read and to type
    for part in ("manager", "manager_buttons", "first_run", "skip"):
        assert inside(found[part], screen), (part, found[part], screen)


@pytest.mark.parametrize("scale", [1.5, 2])
def test_the_first_window_fits_a_small_screen_at_a_high_scale(tmp_path, scale) -> None:
    found = run_on_screen(tmp_path, 1100, 720, scale, saved=(0, 0))  # nothing saved yet
    for part in ("window", "send", "input"):
        assert inside(found[part], found["available"]), (part, found[part], found["available"])


def test_a_window_that_fits_keeps_its_place(tmp_path) -> None:
    found = run_on_screen(tmp_path, 1920, 1080, 1, saved=(900, 650))
    x, y, w, h = found["window"]  # the frame: the offscreen platform draws a 2-pixel border
    assert abs(x - 200) <= 4 and abs(y - 150) <= 4 and 900 <= w <= 910 and 650 <= h <= 660


def test_formulas_are_drawn_at_the_pixel_ratio_crisp_at_2x() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2"}
    run = subprocess.run(
        [sys.executable, str(FORMULAS)], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["ratio"] == found["drawn_ratio"] == 2.0
    assert found["drawn_pixels"] == [2 * n for n in found["logical"]]  # 2 pixels a point
    assert found["layout_height"] < 1.5 * found["logical"][1]  # laid out in logical pixels
    # Drawn at 1× and stretched, almost every inked pixel is a soft edge; crisp, under half.
    assert found["grabbed_soft"] < 0.6 * found["stretched_soft"], found
