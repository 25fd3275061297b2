"""Cold start to the first window: the frozen build (make package) next to the same code run
from the virtualenv, on Xvfb, each in a fresh profile. "Window" = a top-level window titled
Smallwise is mapped (xwininfo polled every 10 ms).

Usage: python benchmarks/frozen_start.py [build/dist/smallwise/smallwise] [tries]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DISPLAY = ":77"


def window_shown() -> bool:
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"],
        env={**os.environ, "DISPLAY": DISPLAY},
        capture_output=True,
        text=True,
    ).stdout
    return '"Smallwise"' in tree


def start_ms(command: list[str]) -> float:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DISPLAY": DISPLAY, "QT_QPA_PLATFORM": "xcb", "SMALLWISE_HOME": home}
        started = time.perf_counter()
        app = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while not window_shown():
                if app.poll() is not None or time.perf_counter() - started > 30:
                    raise SystemExit(f"{command[0]} showed no window")
                time.sleep(0.01)
            return (time.perf_counter() - started) * 1000
        finally:
            app.terminate()
            app.wait(10)


def main() -> None:
    frozen = sys.argv[1] if len(sys.argv) > 1 else "build/dist/smallwise/smallwise"
    tries = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    if not Path(frozen).exists():
        raise SystemExit(f"{frozen} is missing: run `make package` first")
    xvfb = subprocess.Popen(
        ["Xvfb", DISPLAY, "-screen", "0", "1100x720x24", "-nolisten", "tcp"],
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)
        rows = {
            "frozen (PyInstaller)": [frozen],
            "virtualenv": [str(Path(sys.executable).parent / "smallwise")],
        }
        results = {name: [start_ms(cmd) for _ in range(tries)] for name, cmd in rows.items()}
    finally:
        xvfb.terminate()
    print(f"cold start to the first window, {tries} tries each (ms)")
    for name, times in results.items():
        print(
            f"  {name:22} median {statistics.median(times):6.0f}   "
            f"min {min(times):6.0f}   max {max(times):6.0f}"
        )


if __name__ == "__main__":
    main()
