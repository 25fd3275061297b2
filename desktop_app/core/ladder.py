"""When a load fails for memory: fewer GPU layers, then a smaller context, then CPU only, then
the advice to pick a smaller quantization. Every step is told to the user. No Qt here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.backend import Engine
from desktop_app.core.errors import EngineError

MIN_CTX = 2048
MEMORY_FAILURES = (p.LOAD_FAILED, p.WORKER_DIED)  # an out-of-memory kill ends the worker


def steps(request: p.Load) -> Iterator[tuple[p.Load, str]]:
    layers, ctx = request.n_gpu_layers, request.n_ctx
    while layers > 1:
        layers //= 2
        yield (
            dataclasses.replace(request, n_gpu_layers=layers),
            f"Not enough GPU memory; trying again with {layers} layers on the GPU.",
        )
    while ctx > MIN_CTX:
        ctx = max(MIN_CTX, ctx // 2)
        yield (
            dataclasses.replace(request, n_gpu_layers=layers, n_ctx=ctx),
            f"Still not enough memory; trying a smaller context ({ctx:,} tokens).",
        )
    if layers:
        yield (dataclasses.replace(request, n_gpu_layers=0, n_ctx=ctx), "Trying on the CPU only.")


def load_with_fallbacks(
    client: Engine, request: p.Load, on_step: Callable[[str], None]
) -> tuple[p.Load, p.Loaded]:
    """Load, walking the ladder on memory failures; returns the request that worked."""
    for attempt, message in [(request, ""), *steps(request)]:
        if message:
            on_step(message)
        try:
            return attempt, client.load(attempt)
        except EngineError as exc:
            if exc.failed.kind not in MEMORY_FAILURES:
                raise
            last = exc
    name = request.model_id or "This model"
    if last.failed.kind == p.WORKER_DIED and last.failed.detail.startswith("crashed"):
        # A crash is not a lack of memory (the system kills for that): saying so would send
        # the user after a smaller quantization that crashes the same way.
        raise EngineError(
            p.Failed(
                None,
                p.LOAD_FAILED,
                (
                    f"{name} could not be loaded: the model process {last.failed.detail} on "
                    f"every try, also on the CPU only with a {MIN_CTX:,}-token context. The "
                    "file may be damaged or need another llama.cpp build; the log has the "
                    "details. Try another model."
                ),
                last.failed.detail,
            )
        )
    raise EngineError(
        p.Failed(
            None,
            p.LOAD_FAILED,
            (
                f"{name} does not fit in this computer's memory even on the CPU with a "
                f"{MIN_CTX:,}-token context ({last.failed.message}). Pick a smaller "
                "quantization (for example Q4_K_M) or a smaller model in the model manager."
            ),
        )
    )
