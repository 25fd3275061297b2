"""A real window on an Xvfb X server: launch, send a prompt, wait for the starter model's answer,
capture the screen. `make screenshot` copies the capture to docs/screenshot.png for the README."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

pytestmark = [pytest.mark.xvfb, pytest.mark.starter]


SPECIALISTS = {
    "chat": "Write a short poem about the sea.",
    "tutor": "Can you help me understand fractions?",
    "math": "What is 12 times 7? Show the calculation.",
    "support": "What are Invariant Sections and Front-Cover Texts?",
}


@pytest.mark.parametrize("assistant", list(SPECIALISTS))
def test_real_window_answers_and_is_captured(
    display, starter_home: Path, tmp_path: Path, assistant: str
) -> None:
    png = tmp_path / f"{assistant}.png"
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "SMALLWISE_HOME": str(tmp_path / "home"),
    }
    shutil.copytree(starter_home, env["SMALLWISE_HOME"])  # a fresh profile with the starter
    driver = Path(__file__).with_name("xvfb_driver.py")
    run = subprocess.run(
        [sys.executable, str(driver), str(png), assistant, SPECIALISTS[assistant]],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["status"] == "complete" and result["text"].strip()
    if assistant == "support":
        assert result["extras"]["sources"]
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1100, 720)
    colours = {image.pixel(x, y) for x in range(0, 1100, 7) for y in range(0, 720, 7)}
    assert len(colours) > 20, "the capture is blank"
    if assistant == "chat" and (target := os.environ.get("SMALLWISE_SCREENSHOT_TO")):
        shutil.copy(png, target)
    if folder := os.environ.get("SMALLWISE_SCREENSHOT_DIR"):
        shutil.copy(png, Path(folder) / f"specialist-{assistant}.png")
