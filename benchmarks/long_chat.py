"""Long conversations in the transcript: open time, scroll stalls, streaming stalls and memory,
for 200 / 2,000 / 10,000 messages, the transcript of an earlier commit ("before") beside this
tree's ("after"), in one run, each measure in a fresh process, rounds alternated, medians shown.

- open: from show_messages() until the newest messages are painted at the bottom (GUI thread).
- settled: until the view has made the widgets just above (the new view does it between frames).
- rss: the process's resident memory after opening (settled), minus before it.
- scroll: 300 wheel steps of 120 (a mouse wheel turned without pause), one due every 16.7 ms,
  upwards from the bottom; a step's stall is from when it is due (or the step before is done,
  if later) until its frame is done (p50 / p99 / max); scroll_cpu: the GUI thread's own CPU
  time in each 16.7 ms (what it did, without the waits a busy machine adds).
- stream: a 12,000-character answer of realistic Markdown arriving at 1,200 characters a second
  and handed to the view by a 40 ms timer, as the chat service does, into the newest message
  while at the bottom; the event loop's longest gap (5 ms probe timer, as engine_overhead.py
  measures), the GUI thread's most CPU between two probes, and the final update (the row).

The conversations are realistic (chat_corpus.py: Markdown, code, LaTeX, reasoning, sources, a
few long answers), written with the Store API. Before = `git archive` of --before (default: the
commit this work started from). Qt offscreen by default; --xvfb paints through a real X server.

Run: .venv/bin/python benchmarks/long_chat.py [--sizes 200,2000,10000] [--rounds 3] [--xvfb]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
BEFORE = "e606b84"  # main before this work: one widget per message, all made at opening
WINDOW = (760, 620)
STREAM_CHARS, STREAM_CHUNK, FLUSH_S = 12_000, 48, 0.040
SCROLL_STEPS, FRAME_S = 300, 1 / 60


# -- the child: one variant, one size, one process ------------------------------------------------
def child(db: str, size: int) -> None:
    import gc

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.store import Store

    # PySide6 6.12.0 on Python 3.11 takes a reference to None away on every call that returns
    # nothing (None is not immortal before 3.12): after some thousands, "deallocating None"
    # aborts the process. The app's guard (desktop_app/refcounts.py) where this tree has it;
    # else references that keep None alive for the measures (made before the memory baseline,
    # so not counted; a 4-million-item list the garbage collector walks: the app has none).
    # QEventLoop.processEvents (it returns a bool) is used for the same reason.
    try:
        from desktop_app.refcounts import hold_singletons

        hold_singletons()
    except ImportError:
        none_guard = [None] * 4_000_000  # noqa: F841
    qapp = QApplication(["long_chat"])  # noqa: F841 (must stay alive)
    try:  # as the app's build() does, where this tree has it
        from desktop_app.gil import favour_the_gui

        favour_the_gui()
    except ImportError:
        pass
    app = QEventLoop()
    store = Store(db)
    cid = next(c["id"] for c in store.conversations() if c["title"] == f"{size} messages")
    started = time.perf_counter()
    rows = store.messages(cid)  # on the store thread in the app: not the GUI thread's time
    result: dict = {"read_ms": (time.perf_counter() - started) * 1000}
    view = _window(app, result)
    gc.collect()
    rss = _rss_mb()
    result.update(_open(app, view, rows))
    gc.collect()
    result["rss_mb"] = _rss_mb() - rss
    result.update(_scroll(app, view))
    result.update(_stream(app, view, rows[-1]["id"] + 1))
    print(json.dumps(result), flush=True)
    os._exit(0)  # skip tearing down thousands of widgets: not part of any measure


def _window(app, result: dict):
    """The transcript as the window has it, shown at the window's size."""
    from desktop_app.ui.message_view import ChatView

    try:  # the window renders ahead off the GUI thread (where this tree can)
        from desktop_app.services.rendering import RenderAhead

        view = ChatView(None, RenderAhead())
        result["ahead"] = True
    except ImportError:
        view = ChatView()
    view.resize(*WINDOW)
    view.show()
    for _ in range(20):
        app.processEvents()
    try:  # what the app imports on a thread once the window is up (where this tree has it)
        from desktop_app.core.render import warm_up

        warm_up()
    except ImportError:
        import ziamath  # noqa: F401

    return view


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _painted(app, view, since: float, deadline: float = 300.0) -> float:
    """Process events until the view shows its bottom, then paint it (repaint: now); when."""
    bar = view.verticalScrollBar()
    app.processEvents()
    while bar.value() != bar.maximum() and time.perf_counter() - since < deadline:
        app.processEvents()
    view.viewport().repaint()
    return time.perf_counter()


def _open(app, view, rows) -> dict:
    started = time.perf_counter()
    view.show_messages(rows)
    shown = _painted(app, view, started)
    busy = getattr(view, "busy", lambda: False)
    while busy():
        app.processEvents()
    return {
        "open_ms": (shown - started) * 1000,
        "settled_ms": (time.perf_counter() - started) * 1000,
        "widgets": len(view.widgets),
    }


def _scroll(app, view) -> dict:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    stalls, cpu, target = [], [], view.viewport()
    centre = QPointF(target.width() / 2, target.height() / 2)
    due = done = time.perf_counter()
    for _ in range(SCROLL_STEPS):
        due += FRAME_S
        used = time.thread_time()
        while time.perf_counter() < due:  # idle time between frames: the view may use it
            app.processEvents()
        begun = max(due, done)  # a frame still busy with the one before: that one's stall
        wheel = QWheelEvent(
            centre,
            target.mapToGlobal(centre),
            QPoint(0, 0),
            QPoint(0, 120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(target, wheel)  # returns a bool
        app.processEvents()
        done = time.perf_counter()
        stalls.append((done - begun) * 1000)
        cpu.append((time.thread_time() - used) * 1000)  # the GUI thread's own work for it
    stalls.sort()
    cpu.sort()
    return {
        "scroll_p50_ms": stalls[len(stalls) // 2],
        "scroll_p99_ms": stalls[int(len(stalls) * 0.99)],
        "scroll_max_ms": stalls[-1],
        "scroll_cpu_p99_ms": cpu[int(len(cpu) * 0.99)],
        "scroll_cpu_max_ms": cpu[-1],
        "widgets_after_scroll": len(view.widgets),
    }


def _stream(app, view, message_id: int) -> dict:
    """As the chat service does: text arrives at a steady rate; a 40 ms timer hands what has
    arrived to the view (a slow view gets fewer, larger updates)."""
    import random

    import chat_corpus
    from PySide6.QtCore import QTimer

    text = chat_corpus.answer_text(random.Random(11), 200)[:STREAM_CHARS]
    getattr(view, "scroll_to_bottom", lambda: None)()
    view.add_message({"id": message_id, "role": "assistant", "content": "", "status": "streaming"})
    probe = _Probe()
    started, sent, updates = time.perf_counter(), [0], [0]

    def flush() -> None:
        arrived = min(len(text), int((time.perf_counter() - started) * STREAM_CHUNK / FLUSH_S))
        if arrived > sent[0]:
            view.append_text(message_id, text[sent[0] : arrived])
            sent[0], updates[0] = arrived, updates[0] + 1
        if sent[0] == len(text):
            app.quit()

    flusher = QTimer(interval=int(FLUSH_S * 1000))
    flusher.timeout.connect(flush)
    flusher.start()
    app.exec()
    flusher.stop()
    finished = time.perf_counter()
    view.set_row(message_id, {"content": text, "status": "complete", "tokens_per_s": 30.0})
    app.processEvents()
    finish_ms = (time.perf_counter() - finished) * 1000
    probe.timer.stop()
    bar = view.verticalScrollBar()
    return {
        **probe.figures(),
        "stream_updates": updates[0],
        "stream_finish_ms": finish_ms,
        "stream_followed": bar.value() == bar.maximum(),
    }


class _Probe:
    """A 5 ms timer: the gaps between its ticks are how long the event loop was held up."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self.cpu: list[float] = []
        self.last = (time.perf_counter(), time.thread_time())
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        now = (time.perf_counter(), time.thread_time())
        self.gaps.append(now[0] - self.last[0])
        self.cpu.append(now[1] - self.last[1])  # the GUI thread's own work since the last tick
        self.last = now

    def figures(self) -> dict:
        gaps = sorted(self.gaps)
        return {
            "stream_max_ms": (gaps[-1] - 0.005) * 1000,
            "stream_p99_ms": (gaps[int(len(gaps) * 0.99)] - 0.005) * 1000,
            "stream_cpu_max_ms": max(self.cpu) * 1000,
        }


# -- the parent: databases, code trees, rounds, the table ----------------------------------------
def make_database(path: Path, sizes: list[int]) -> None:
    import chat_corpus

    from desktop_app.core.store import Store

    store = Store(path)
    for size in sizes:
        cid = store.create_conversation(f"{size} messages")
        chat_corpus.fill(store, cid, size, seed=size)
    store.close()


def before_tree(ref: str, folder: Path) -> Path:
    """This repository's desktop_app as it was at `ref`, importable from `folder`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "desktop_app"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def run_child(tree: Path, db: Path, size: int, env: dict, limit_s: float) -> dict | None:
    """One measure in a fresh process; None when it did not finish within `limit_s`."""
    env = {**env, "PYTHONPATH": str(tree)}
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(db), str(size)],
            env=env,
            capture_output=True,
            text=True,
            timeout=limit_s,
            cwd=tree,
        )
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        raise SystemExit(f"child failed ({tree}, {size}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_xvfb() -> tuple[subprocess.Popen, str]:
    number = next(n for n in range(91, 200) if not Path(f"/tmp/.X{n}-lock").exists())
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, f":{number}"


def report(results: dict, sizes: list[int], rounds: int, before: str) -> None:
    keys = [
        "open_ms",
        "settled_ms",
        "rss_mb",
        "widgets",
        "scroll_p50_ms",
        "scroll_p99_ms",
        "scroll_max_ms",
        "scroll_cpu_p99_ms",
        "scroll_cpu_max_ms",
        "widgets_after_scroll",
        "stream_max_ms",
        "stream_p99_ms",
        "stream_cpu_max_ms",
        "stream_finish_ms",
    ]
    print(f"\nmedians of {rounds} round(s); before = {before}, after = this tree")
    print(f"{'measure':22s}" + "".join(f"{s:>10,d} before{s:>10,d} after " for s in sizes))
    for key in keys:
        line = f"{key:22s}"
        for size in sizes:
            for variant in ("before", "after"):
                runs = results.get((variant, size), [])
                values = [r[key] for r in runs if r]
                cell = f"{statistics.median(values):17.1f}" if values else f"{'-':>17s}"
                line += cell if values or not runs else f"{'(not done)':>17s}"
        print(line)
    followed = all(r["stream_followed"] for rs in results.values() for r in rs if r)
    print(f"{'followed the bottom':22s}{'yes' if followed else 'NO'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,2000,10000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", default=BEFORE, help="the commit to compare with")
    ap.add_argument("--only", choices=("before", "after"), help="measure one side only")
    ap.add_argument(
        "--slow-once",
        type=int,
        default=10_000,
        help="before, from this size on, is measured in the first round only (minutes, GBs)",
    )
    ap.add_argument("--limit", type=float, default=1200, help="seconds one measure may take")
    ap.add_argument("--xvfb", action="store_true", help="paint through Xvfb (QT_QPA_PLATFORM=xcb)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    server = None
    if args.xvfb:
        server, display = start_xvfb()
        env.update(QT_QPA_PLATFORM="xcb", DISPLAY=display)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = measure(args, sizes, env, Path(tmp))
    finally:
        if server is not None:
            server.terminate()
    report(results, sizes, args.rounds, args.before)


def measure(args: argparse.Namespace, sizes: list[int], env: dict, tmp: Path) -> dict:
    trees = {"before": before_tree(args.before, tmp), "after": ROOT}
    # One database per side, each written by that side's own Store (the schema moved on since).
    dbs = {variant: tmp / f"{variant}.db" for variant in trees}
    for variant, tree in trees.items():
        made = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--make", str(dbs[variant]), args.sizes],
            env={**env, "PYTHONPATH": str(tree)},
            cwd=tree,
            check=True,
        )
        took = time.perf_counter() - made
        print(f"database ({variant}): {sum(sizes):,} messages in {took:.1f} s")
    results: dict = {}
    for round_ in range(args.rounds):
        for size in sizes:
            for variant in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                slow = variant == "before" and size >= args.slow_once and round_ > 0
                if slow or args.only not in (None, variant):
                    continue
                found = run_child(trees[variant], dbs[variant], size, env, args.limit)
                results.setdefault((variant, size), []).append(found)
                said = json.dumps(found) if found else f"did not finish in {args.limit:.0f} s"
                print(f"round {round_ + 1} {variant:6s} {size:>6,d}: {said}", flush=True)
    return results


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--make":
        make_database(Path(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")])
    else:
        main()
