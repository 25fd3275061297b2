"""The load-failure ladder. A load that fails for lack of memory cannot be caused safely on a
24 GB test machine, so a stand-in client fails on demand; the real engine checks that other
failures do not walk the ladder."""

from __future__ import annotations

from pathlib import Path

import pytest
from ggufs import truncate_copy

from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import EngineError, describe_exit, exit_detail
from desktop_app.core.ladder import load_with_fallbacks

REQUEST = p.Load("/models/m.gguf", None, n_ctx=16384, n_threads=4, n_gpu_layers=32, model_id="m")


class TightMachine:
    """Loads succeed only when the request fits the given limits."""

    def __init__(self, max_layers: int = 999, max_ctx: int = 10**9, gpu_ok: bool = True):
        self.max_layers, self.max_ctx, self.gpu_ok = max_layers, max_ctx, gpu_ok
        self.tried: list[tuple[int, int]] = []

    def load(self, request: p.Load) -> p.Loaded:
        self.tried.append((request.n_gpu_layers, request.n_ctx))
        fits = (
            request.n_gpu_layers <= self.max_layers
            and request.n_ctx <= self.max_ctx
            and (self.gpu_ok or request.n_gpu_layers == 0)
        )
        if not fits:
            raise EngineError(p.Failed(None, p.LOAD_FAILED, "failed to allocate buffer"))
        return p.Loaded(request.model_path, request.n_ctx, request.n_threads, "template", 0.1)


def test_fewer_gpu_layers_first() -> None:
    told: list[str] = []
    machine = TightMachine(max_layers=8)
    used, _ = load_with_fallbacks(machine, REQUEST, told.append)
    assert machine.tried == [(32, 16384), (16, 16384), (8, 16384)]
    assert used.n_gpu_layers == 8 and len(told) == 2 and "16 layers" in told[0]


def test_then_a_smaller_context_then_cpu_only() -> None:
    told: list[str] = []
    machine = TightMachine(max_ctx=2048, gpu_ok=False)
    used, _ = load_with_fallbacks(machine, REQUEST, told.append)
    assert machine.tried == [
        (32, 16384),
        (16, 16384),
        (8, 16384),
        (4, 16384),
        (2, 16384),
        (1, 16384),
        (1, 8192),
        (1, 4096),
        (1, 2048),
        (0, 2048),
    ]
    assert (used.n_gpu_layers, used.n_ctx) == (0, 2048)
    assert told[-1] == "Trying on the CPU only." and "8,192 tokens" in told[5]


def test_nothing_fits_suggests_a_smaller_quant() -> None:
    told: list[str] = []
    with pytest.raises(EngineError, match="smaller quantization"):
        load_with_fallbacks(TightMachine(max_ctx=0), REQUEST, told.append)
    assert len(told) == 9


class CrashingBuild:
    """Every load ends the model process with SIGSEGV, as a CUDA build did on a GPU machine
    (numpy's OpenBLAS loaded first): the worker's death, as the real client reports it."""

    def __init__(self) -> None:
        self.tried = 0

    def load(self, request: p.Load) -> p.Loaded:
        self.tried += 1
        raise EngineError(p.Failed(None, p.WORKER_DIED, describe_exit(-11), exit_detail(-11)))


def test_a_crash_on_every_try_is_not_called_a_lack_of_memory() -> None:
    """The user was told the model 'does not fit in this computer's memory even on the CPU'
    and to pick a smaller quantization, on a machine with 128 GB free."""
    told: list[str] = []
    build = CrashingBuild()
    with pytest.raises(EngineError) as info:
        load_with_fallbacks(build, REQUEST, told.append)
    message = info.value.failed.message
    assert build.tried == len(told) + 1 and told[-1] == "Trying on the CPU only."
    assert "crashed (SIGSEGV) on every try" in message and "memory" not in message
    assert "smaller quantization" not in message


def test_a_broken_file_does_not_walk_the_ladder(client, tiny_model: Path, tmp_path: Path) -> None:
    broken = truncate_copy(tiny_model, tmp_path / "cut.gguf", 0.5)
    told: list[str] = []
    with pytest.raises(EngineError) as info:
        load_with_fallbacks(
            client, p.Load(str(broken), None, n_ctx=4096, n_gpu_layers=8), told.append
        )
    assert info.value.failed.kind == p.BAD_MODEL and told == []
    used, loaded = load_with_fallbacks(client, p.Load(str(tiny_model), n_ctx=1024), told.append)
    assert loaded.n_ctx == 1024 and told == []
