"""Markdown rendered ahead of need in the renderer process (services/rendering.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import psutil

from desktop_app.core import formulas
from desktop_app.services.rendering import RenderAhead


def test_formulas_drawn_by_the_renderer_process_are_shown(qtbot) -> None:
    """The window shows only images it made itself (SafeDocument): a formula drawn in the
    renderer process must be handed over, or it would show as nothing."""
    latex = f"x_{{{os.getpid()}}}^2 + \\frac{{1}}{{{time.time_ns() % 997}}}"  # not drawn here
    piece = f"The sum is ${latex}$, and $$\\int_0^1 t\\,dt$$"
    ahead = RenderAhead()
    got: list = []
    ahead.request([piece], got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=60_000)
    ahead.shutdown()
    (done, found) = got[0]
    assert done == piece and found is not None
    urls = re.findall(r'src="([^"]+)"', found[0])
    assert len(urls) == 2 and all(formulas.own_image(url) for url in urls)
    assert latex in formulas._adopted_mathml  # a stream showing it again draws nothing anew


CHILD = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from desktop_app.refcounts import hold_singletons
from desktop_app.services.rendering import RenderAhead
hold_singletons()  # PySide6 6.12 on Python 3.11 (desktop_app/refcounts.py)
app = QApplication([])
ahead = RenderAhead()
got = []
ahead.request(["# hello"], got.append)
deadline = time.monotonic() + 60
while not got and time.monotonic() < deadline:
    app.processEvents()
print(*ahead._pool._processes, flush=True)
os._exit(0)  # as a killed or crashed window ends: nothing is shut down
"""


def test_the_renderer_process_ends_with_the_window() -> None:
    """A renderer left behind by a window that was killed kept a benchmark's pipe open (it
    waited for work that would never come)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    renderer = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while psutil.pid_exists(renderer) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not psutil.pid_exists(renderer) or psutil.Process(renderer).status() == "zombie"
