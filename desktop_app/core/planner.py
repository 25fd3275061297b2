"""How much memory a model needs here, and the plan that fits: quantization, context size, GPU
layers, threads, and a verdict with a one-sentence why. No Qt here.

The memory model (CPU, resident bytes), measured against the engine worker's peak RSS with
benchmarks/planner_accuracy.py:

    process  ≈ 45 MiB (Python, llama.cpp, numpy)
    weights  = GGUF file size (mmap; all pages end up resident)
    repack   = bytes of tensors llama.cpp repacks for this CPU (Q4_0, IQ4_NL, Q4_K on x86 AVX2),
               held next to the mapped file
    kv       = n_ctx_pad × Σ_layers n_head_kv × (d_k + d_v) × 2 B  (f16; SWA layers full size,
               llama-cpp-python's default swa_full)
    compute  ≈ 3 MiB + r × (18 MiB + n_embd × 8 KiB), r = clamp((n_ctx − 512) / 1536, 0, 1):
               the part of the compute buffer a chat turn touches. Fitted on measurements and
               checked on a held-out model shape; the reserved buffer is far larger (logits for
               a whole ubatch, n_vocab × n_ubatch × 4 B) but stays mostly untouched on a CPU
    vocab    ≈ n_vocab × 192 B  (token texts and lookup tables)
On a GPU the compute buffer is reserved in full (logits for a whole ubatch: n_vocab × n_ubatch ×
4 B), plus ~0.5 GiB of runtime per device, and ~1 GiB is kept free per device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from desktop_app.core.catalog import CatalogModel
from desktop_app.core.hardware import HostProfile, choose_threads

MIB, GIB = 1 << 20, 1 << 30
PROCESS = 45 * MIB
N_UBATCH = 512
GPU_RUNTIME = GIB // 2
GPU_HEADROOM = GIB
LADDER = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M")
SMALL_MODEL = 3_000_000_000  # below this, quality drops faster per bit: prefer ≥ Q5_K_M
# Share of a file held by tensors that llama.cpp repacks on x86 with AVX2, by quant mix (an
# estimate for files not yet downloaded; read exactly from the header once the file is here).
REPACK_SHARE = {"Q4_0": 0.95, "IQ4_NL": 0.95, "Q4_K_M": 0.55, "Q4_K_S": 0.9, "Q3_K_M": 0.1}
REPACKED_TYPES = {2, 20, 12}  # ggml Q4_0, IQ4_NL, Q4_K
KV_BYTES = {"f16": 2.0, "q8_0": 34 / 32}  # bytes per element (ggml block sizes)
SWA_PATTERN = {"gemma3": 6, "gemma2": 2}  # llama.cpp's built-in patterns when the file has none
VERDICTS = ("Full GPU", "Partial GPU", "CPU only", "Won't fit")
CPU_BUILD_NOTE = (
    "this machine has a GPU, but this build of llama.cpp is CPU-only: install the CUDA "
    "(NVIDIA), Vulkan (AMD, Intel) or Metal (Mac) build of Smallwise to use it"
)


@dataclass(frozen=True)
class Figures:
    """What the memory model needs to know about a model."""

    n_layer: int
    n_head_kv: int
    key_length: int
    value_length: int
    n_vocab: int
    context_length: int
    parameters: int = 0
    sliding_window: int | None = None
    n_embd: int = 0
    swa_pattern: int = 1  # every swa_pattern-th layer attends globally (Gemma 3: 6)

    @classmethod
    def from_catalog(cls, model: CatalogModel) -> Figures:
        a = model.raw["architecture"]
        return cls(
            a["n_layer"],
            a["n_head_kv"],
            a["key_length"],
            a["value_length"],
            a["n_vocab"],
            model.context_length,
            model.raw.get("parameters", 0),
            a.get("sliding_window"),
            a["n_head"] * a["key_length"],
            a.get("sliding_window_pattern") or SWA_PATTERN.get(model.raw.get("family", ""), 1),
        )

    @classmethod
    def from_header(cls, header: Any) -> Figures:
        n_head = int(header.arch_value("attention.head_count", 1) or 1)
        head = int(header.arch_value("embedding_length", 0)) // n_head
        kv = header.arch_value("attention.head_count_kv", n_head)
        kv = max(kv) if isinstance(kv, list) else kv
        return cls(
            int(header.arch_value("block_count", 1)),
            int(kv or n_head),
            int(header.arch_value("attention.key_length", head) or head),
            int(header.arch_value("attention.value_length", head) or head),
            int(header.array_lengths.get("tokenizer.ggml.tokens", 32000)),
            int(header.arch_value("context_length", 4096)),
            sliding_window=header.arch_value("attention.sliding_window"),
            n_embd=int(header.arch_value("embedding_length", 0)),
            swa_pattern=int(
                header.arch_value("attention.sliding_window_pattern", 0)
                or SWA_PATTERN.get(header.architecture, 1)
            ),
        )

    def kv_bytes(
        self, n_ctx: int, layers: int | None = None, kv_type: str = "f16", swa_full: bool = True
    ) -> int:
        """KV cache bytes. With swa_full=False, sliding-window layers keep only window +
        n_ubatch cells (llama.cpp's iSWA cache); every swa_pattern-th layer stays global."""
        layers = self.n_layer if layers is None else layers
        per_cell = self.n_head_kv * (self.key_length + self.value_length) * KV_BYTES[kv_type]
        cells = _pad(n_ctx) * layers
        if not swa_full and self.sliding_window and self.swa_pattern > 1:
            swa_layers = layers - layers // self.swa_pattern
            window = min(_pad(n_ctx), _pad(self.sliding_window + N_UBATCH))
            cells = _pad(n_ctx) * (layers - swa_layers) + window * swa_layers
        return int(cells * per_cell)


@dataclass(frozen=True)
class Estimate:
    weights: int
    repack: int
    kv: int
    compute: int
    overhead: int
    ram: int  # predicted peak resident memory of the engine process
    vram: int  # predicted memory on the GPU(s)

    def parts(self) -> dict[str, int]:
        return {
            "weights": self.weights + self.repack,
            "kv_cache": self.kv,
            "compute": self.compute,
            "overhead": self.overhead,
        }


@dataclass(frozen=True)
class Plan:
    model_id: str
    quant: str
    n_ctx: int
    n_gpu_layers: int
    n_threads: int
    verdict: str
    why: str
    estimate: Estimate
    ram_budget: int
    vram_budget: int
    from_file: bool = False  # planned from the installed file's header, not the catalog

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": "its file" if self.from_file else "the catalog",
            "model": self.model_id,
            "quant": self.quant,
            "n_ctx": self.n_ctx,
            "n_gpu_layers": self.n_gpu_layers,
            "n_threads": self.n_threads,
            "verdict": self.verdict,
            "why": self.why,
            "ram_bytes": self.estimate.ram,
            "vram_bytes": self.estimate.vram,
            "ram_budget_bytes": self.ram_budget,
            "vram_budget_bytes": self.vram_budget,
            "parts": self.estimate.parts(),
        }


def repacked_bytes(header: Any) -> int:
    """Bytes of the tensors llama.cpp repacks on x86 AVX2 (read from the file's header)."""
    return sum(n for t, n in header.type_bytes.items() if t in REPACKED_TYPES)


def _pad(n_ctx: int) -> int:
    return math.ceil(n_ctx / 256) * 256


def estimate(
    fig: Figures,
    file_bytes: int,
    n_ctx: int,
    gpu_layers: int = 0,
    repack_bytes: int | None = None,
    quant: str = "",
    repacks: bool = True,
) -> Estimate:
    """Predicted memory for one load. gpu_layers of fig.n_layer go to the GPU; repacks: the
    CPU is one llama.cpp repacks weights for (x86 with AVX2, or Arm)."""
    share = gpu_layers / fig.n_layer if fig.n_layer else 0
    repack = (
        0
        if not repacks
        else int(file_bytes * REPACK_SHARE.get(quant.upper(), 0))
        if repack_bytes is None
        else repack_bytes
    )
    kv = fig.kv_bytes(n_ctx)
    ramp = min(1.0, max(0.0, (n_ctx - 512) / 1536))
    touched = 3 * MIB + int(ramp * (18 * MIB + fig.n_embd * 8 * 1024))
    vocab = fig.n_vocab * 192
    on_gpu_weights = int(file_bytes * share)
    cpu_weights = file_bytes - on_gpu_weights
    ram = (
        PROCESS + cpu_weights + int(repack * (1 - share)) + int(kv * (1 - share)) + touched + vocab
    )
    vram = 0
    if gpu_layers:
        logits = fig.n_vocab * N_UBATCH * 4
        vram = on_gpu_weights + int(kv * share) + logits + touched + GPU_RUNTIME
    return Estimate(file_bytes, repack, kv, touched + vocab, PROCESS, ram, vram)


def ram_budget(host: HostProfile) -> int:
    """Available RAM less a reserve for the app, the OS and other programs."""
    reserve = max(GIB, host.ram_total_bytes // 10)
    return max(0, host.ram_available_bytes - reserve)


def vram_budget(host: HostProfile) -> int:
    if host.gpu_offload_build is False:
        return 0
    usable = [g for g in host.gpus if g.free_bytes]
    if not usable:
        return 0
    best = max(usable, key=lambda g: g.free_bytes or 0)
    free = best.free_bytes or 0
    if best.unified:  # Apple: the Metal working set, but never more than the free RAM
        free = min(free, host.ram_available_bytes)
    return max(0, free - GPU_HEADROOM)


def plan(
    model: CatalogModel,
    host: HostProfile,
    quant: str | None = None,
    n_ctx: int | None = None,
    calibrated_threads: int | None = None,
    fig: Figures | None = None,
    header: Any = None,
) -> Plan:
    """The best way to run `model` on `host`; quant and n_ctx may be fixed by the caller. With
    the `header` of the installed file (and its quant), the plan comes from the file itself —
    its size, shapes and the bytes llama.cpp repacks — not from the catalog's estimate."""
    repack = None
    if header is not None:
        fig = replace(Figures.from_header(header), parameters=model.raw.get("parameters", 0))
        sizes, quants = {(quant or "").upper(): header.file_size}, [(quant or "").upper()]
        repack = repacked_bytes(header)
    else:
        fig = fig or Figures.from_catalog(model)
        sizes = {q.type.upper(): q.size_bytes for q in model.quants}
        quants = [quant.upper()] if quant else [q for q in LADDER if q in sizes] or list(sizes)
    contexts = [n_ctx] if n_ctx else _contexts(fig.context_length)
    threads = choose_threads(busy=0, calibrated=calibrated_threads)
    ram, vram = ram_budget(host), vram_budget(host)
    unified = any(g.unified for g in host.gpus)
    repacks = "avx2" in host.isa or host.arch.lower() in ("arm64", "aarch64")
    options = []
    for ctx in contexts:
        for q in quants:
            candidate = _place(
                model.id, fig, sizes[q], q, ctx, threads, ram, vram, unified, repacks, repack
            )
            if candidate is not None:
                options.append(candidate)
    if not options:
        smallest = min(quants, key=lambda q: sizes[q])
        est = estimate(
            fig, sizes[smallest], contexts[-1], repack_bytes=repack, quant=smallest, repacks=repacks
        )
        why = (
            f"needs {_gb(est.ram)} even as {smallest} with a {contexts[-1]:,}-token context; "
            f"{_gb(ram)} is free for models here"
        )
        return Plan(
            model.id,
            smallest,
            contexts[-1],
            0,
            threads,
            "Won't fit",
            why,
            est,
            ram,
            vram,
            from_file=header is not None,
        )
    best = _best(options, fig, quants, sizes)
    if host.gpus and host.gpu_offload_build is False:
        best = replace(best, why=best.why + "; " + CPU_BUILD_NOTE)
    return replace(best, from_file=header is not None)


def _contexts(native: int) -> list[int]:
    """Context sizes to try, largest first: a sensible default, never the maximum blindly."""
    return [c for c in (8192, 4096, 2048) if c <= native] or [native]


def _place(
    model_id: str,
    fig: Figures,
    size: int,
    quant: str,
    ctx: int,
    threads: int,
    ram: int,
    vram: int,
    unified: bool,
    repacks: bool,
    repack: int | None = None,
) -> Plan | None:
    if vram:
        full = estimate(fig, size, ctx, fig.n_layer, repack, quant=quant, repacks=repacks)
        if full.vram <= vram and (unified or full.ram <= ram):
            # llama.cpp counts the output layer too (n_layer + 1) and offloads the last layers
            # first: n_layer alone kept block 0 on the CPU, 193 tokens/s against 702 with every
            # layer on an H200 (benchmarks/gpu_offload.py).
            layers = fig.n_layer + 1
            return Plan(model_id, quant, ctx, layers, threads, "Full GPU", "", full, ram, vram)
        per_layer = (size + fig.kv_bytes(ctx)) / fig.n_layer
        spare = vram - (fig.n_vocab * N_UBATCH * 4 + GPU_RUNTIME)
        layers = min(fig.n_layer - 1, int(spare // per_layer)) if spare > 0 else 0
        if layers >= 1 and not unified:
            part = estimate(fig, size, ctx, layers, repack, quant=quant, repacks=repacks)
            if part.vram <= vram and part.ram <= ram:
                return Plan(
                    model_id, quant, ctx, layers, threads, "Partial GPU", "", part, ram, vram
                )
    cpu = estimate(fig, size, ctx, 0, repack, quant=quant, repacks=repacks)
    if cpu.ram <= ram:
        return Plan(model_id, quant, ctx, 0, threads, "CPU only", "", cpu, ram, vram)
    return None


def _best(options: list[Plan], fig: Figures, quants: list[str], sizes: dict[str, int]) -> Plan:
    """Prefer the fastest placement, then a comfortable fit (≤ 80% of the budget), then quality
    (small models: ≥ Q5_K_M when it fits), then the larger context. When no choice is
    comfortable, take the one that leaves the most room."""

    def budget_use(p: Plan) -> float:
        used = p.estimate.vram / p.vram_budget if p.n_gpu_layers else p.estimate.ram / p.ram_budget
        return used

    def score(p: Plan) -> tuple:
        small = fig.parameters and fig.parameters < SMALL_MODEL
        quality = quants.index(p.quant) if p.quant in quants else 0
        below_q5 = (
            small
            and p.quant in ("Q4_K_M", "Q3_K_M")
            and any(
                o.quant in ("Q8_0", "Q6_K", "Q5_K_M") and o.verdict == p.verdict for o in options
            )
        )
        use = budget_use(p)
        if use > 0.8:  # tight everywhere: the choice that leaves the most room
            return (VERDICTS.index(p.verdict), 1, use)
        return (VERDICTS.index(p.verdict), 0, below_q5, quality, -p.n_ctx)

    best = min(options, key=score)
    return _explain(best, options, quants)


def _explain(best: Plan, options: list[Plan], quants: list[str]) -> Plan:
    need = best.estimate.vram if best.n_gpu_layers else best.estimate.ram
    free = best.vram_budget if best.n_gpu_layers else best.ram_budget
    where = "on the GPU" if best.n_gpu_layers else "of memory"
    why = f"needs {_gb(need)} {where}, {_gb(free)} free"
    better = (
        [q for q in quants if quants.index(q) < quants.index(best.quant)]
        if best.quant in quants
        else []
    )
    if better:
        why += (
            f"; {best.quant} chosen over {better[0]} to leave room for a "
            f"{best.n_ctx // 1024}k context"
        )
    if best.verdict == "Partial GPU":
        why += f"; {best.n_gpu_layers} layers on the GPU, the rest on the CPU"
    return Plan(
        best.model_id,
        best.quant,
        best.n_ctx,
        best.n_gpu_layers,
        best.n_threads,
        best.verdict,
        why,
        best.estimate,
        best.ram_budget,
        best.vram_budget,
    )


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB"
