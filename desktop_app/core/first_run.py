"""What a first-time user is told about this computer, from the planner: how large a model it
runs (on the CPU, and fully on the GPU), a recommended model per assistant with its size and a
download time, and whether the offline starter is here. No Qt here; planning reads files and
probes the machine, so callers run it off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.catalog import CatalogModel
from desktop_app.core.errors import CatalogError
from desktop_app.core.hardware import HostProfile
from desktop_app.core.planner import VERDICTS, Figures, Plan, estimate, ram_budget, vram_budget
from desktop_app.core.planning import plan_for
from desktop_app.core.starter import STARTER_ID, available

REFERENCE_MBIT = 50  # the connection download times are given for
CAPACITY_CTX = 4096
COMFORTABLE = 0.8  # share of the memory budget a recommended model may take


@dataclass(frozen=True)
class Recommendation:
    assistant_id: str
    assistant_name: str
    model_id: str
    model_name: str
    quant: str
    size_bytes: int
    size_verified: bool
    verdict: str
    installed: bool


@dataclass(frozen=True)
class Survey:
    cpu_bytes: int  # the largest model file that runs on the CPU with a 4k context
    gpu_bytes: int  # the largest that runs fully on the GPU; 0 without a usable GPU
    gpu_name: str
    gpu_unused: bool  # a GPU is there but this llama.cpp build cannot use it
    recommendations: tuple[Recommendation, ...]
    starter: bool  # the offline starter runs without a download
    own_model: bool  # the user already has a model of their own (not the starter)


def capacity(host: HostProfile, fig: Figures) -> tuple[int, int]:
    """(CPU, GPU) bytes of the largest model file that fits, for a model shaped like `fig`.
    The planner's memory is linear in the file size: what is left once the rest is counted."""
    repacks = "avx2" in host.isa or host.arch.lower() in ("arm64", "aarch64")
    rest = estimate(fig, 0, CAPACITY_CTX, quant="Q5_K_M", repacks=repacks).ram
    cpu = max(0, ram_budget(host) - rest)
    vram = vram_budget(host)
    gpu_rest = estimate(fig, 0, CAPACITY_CTX, fig.n_layer, quant="Q5_K_M").vram
    return cpu, max(0, vram - gpu_rest) if vram else 0


def survey(
    catalog: dict[str, CatalogModel],
    host: HostProfile,
    assistants: dict[str, Assistant],
    installed: list[dict[str, Any]],
    default_model: str = "",
) -> Survey:
    present = {r["id"]: r for r in installed if Path(r["path"]).is_file()}
    shapes = [m for m in catalog.values() if "architecture" in m.raw and m.id != STARTER_ID]
    largest = max(shapes, key=lambda m: m.raw.get("parameters", 0), default=None)
    fig = Figures.from_catalog(largest) if largest else Figures(28, 8, 128, 128, 128256, 8192)
    cpu, gpu = capacity(host, fig)
    gpu_name = host.gpus[0].name if host.gpus else ""
    picks = [recommend(a, catalog, host, present) for a in assistants.values()]
    starter = STARTER_ID in catalog and available(catalog[STARTER_ID])
    own = bool(default_model) or any(model_id != STARTER_ID for model_id in present)
    return Survey(
        cpu,
        gpu,
        gpu_name,
        bool(host.gpus) and host.gpu_offload_build is False,
        tuple(p for p in picks if p is not None),
        starter,
        own,
    )


def recommend(
    assistant: Assistant,
    catalog: dict[str, CatalogModel],
    host: HostProfile,
    present: dict[str, dict[str, Any]],
) -> Recommendation | None:
    """The best catalog model for the assistant here: one that fits comfortably before one
    that is tight; then the fastest placement (GPU before CPU); then the assistant's own
    preference; then models made for its role; then the larger. Never the tiny starter."""
    preferred = assistant.preferred_models
    ranked = []
    for model in catalog.values():
        if model.id == STARTER_ID or not (model.id in preferred or assistant.role in model.roles):
            continue
        planned = plan_for(model.id, catalog, host, present.get(model.id))
        if planned.verdict == "Won't fit":
            continue
        order = preferred.index(model.id) if model.id in preferred else len(preferred)
        key = (_tight(planned), VERDICTS.index(planned.verdict), order, -_size(model, planned))
        ranked.append((key, model, planned))
    if not ranked:
        return None
    _, model, planned = min(ranked, key=lambda r: r[0])
    quant = _quant(model, planned)
    return Recommendation(
        assistant.id,
        assistant.name,
        model.id,
        model.name,
        planned.quant,
        quant.size_bytes,
        quant.size_verified,
        planned.verdict,
        model.id in present,
    )


def _tight(planned: Plan) -> bool:
    gpu = planned.n_gpu_layers > 0
    need = planned.estimate.vram if gpu else planned.estimate.ram
    budget = planned.vram_budget if gpu else planned.ram_budget
    return need > COMFORTABLE * budget


def _quant(model: CatalogModel, planned: Plan) -> Any:
    try:
        return model.quant(planned.quant)
    except CatalogError:  # an installed file of a quant the catalog no longer lists
        return replace(model.quant(), type=planned.quant)


def _size(model: CatalogModel, planned: Plan) -> int:
    return int(_quant(model, planned).size_bytes)
