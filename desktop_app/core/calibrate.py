"""Thread calibration: time short generations on an installed model for each sensible thread
count and keep the fastest for this machine. No Qt here."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import EngineClient
from desktop_app.core.hardware import physical_cores

PROMPT = [{"role": "user", "content": "Tell me about the history of bridges."}]


def thread_counts(cores: int | None = None) -> list[int]:
    """1, 2, 4 … up to the physical cores, and the physical core count itself."""
    cores = cores or physical_cores()
    counts, n = [], 1
    while n < cores:
        counts.append(n)
        n *= 2
    return counts + [cores]


def calibrate(
    model: Path,
    chat_format: str | None,
    counts: list[int],
    tokens: int = 32,
    repeats: int = 2,
    log_path: str | None = None,
    on_result: Callable[[int, float], None] = lambda n, r: None,
) -> dict[int, float]:
    """Decode tokens/s for each thread count (median of `repeats` answers after a warm-up)."""
    rates = {}
    for n in counts:
        client = EngineClient(log_path=log_path)
        try:
            client.load(p.Load(str(model), chat_format, n_ctx=1024, n_threads=n, n_threads_batch=n))
            sampling = p.Sampling(max_tokens=tokens, temperature=0.0)
            runs = [list(client.chat(PROMPT, sampling))[-1] for _ in range(repeats + 1)][1:]
        finally:
            client.shutdown()
        rates[n] = statistics.median(r.tokens_per_s for r in runs if isinstance(r, p.Done))
        on_result(n, rates[n])
    return rates
