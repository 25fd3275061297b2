"""Planner: simulated hosts × catalog models, the memory model, and explicit choices."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hosts import HOSTS, host

from desktop_app.core.catalog import load_catalog
from desktop_app.core.gguf_info import read_header
from desktop_app.core.planner import LADDER, VERDICTS, Figures, estimate, plan

CATALOG = load_catalog()

# (host, model) → (verdict, quant or None for "any"), worked out from the memory model.
EXPECTED = {
    ("cpu-4", "gemma-3-270m"): ("CPU only", "Q4_K_M"),
    ("cpu-4", "llama-3.2-3b-instruct"): ("Won't fit", None),
    ("cpu-4", "phi-4-mini-instruct"): ("Won't fit", None),
    ("cpu-8", "llama-3.2-3b-instruct"): ("CPU only", "Q8_0"),
    ("cpu-16", "phi-4-mini-instruct"): ("CPU only", "Q8_0"),
    ("nvidia-4", "llama-3.2-3b-instruct"): ("Partial GPU", "Q8_0"),
    ("nvidia-4", "qwen2.5-math-1.5b-instruct"): ("Full GPU", "Q6_K"),
    ("nvidia-8", "phi-4-mini-instruct"): ("Full GPU", "Q8_0"),
    ("nvidia-24", "phi-4-mini-instruct"): ("Full GPU", "Q8_0"),
    ("apple-8", "phi-4-mini-instruct"): ("Full GPU", "Q4_K_M"),
    ("apple-16", "llama-3.2-3b-instruct"): ("Full GPU", "Q8_0"),
    ("apple-36", "deepscaler-1.5b"): ("Full GPU", "Q8_0"),
    ("gpu-1", "llama-3.2-1b-instruct"): ("CPU only", "Q8_0"),  # a 1 GB GPU is not used
    ("gpu-1", "gemma-3-270m"): ("CPU only", "Q4_K_M"),
}


@pytest.mark.parametrize("host_name, model_id", sorted(EXPECTED))
def test_expected_verdicts_and_quants(host_name: str, model_id: str) -> None:
    result = plan(CATALOG[model_id], HOSTS[host_name])
    verdict, quant = EXPECTED[(host_name, model_id)]
    assert result.verdict == verdict, result.why
    if quant:
        assert result.quant == quant, result.why


@pytest.mark.parametrize("model_id", sorted(CATALOG))
def test_every_host_gets_a_plan_that_fits_its_budget(model_id: str) -> None:
    for name, machine in HOSTS.items():
        result = plan(CATALOG[model_id], machine)
        assert result.verdict in VERDICTS and result.why, name
        if result.verdict != "Won't fit":
            assert result.estimate.ram <= result.ram_budget, name
            assert result.estimate.vram <= max(result.vram_budget, 0), name
            longest = CATALOG[model_id].context_length  # an embedding model reads 512 tokens
            assert min(2048, longest) <= result.n_ctx <= longest
        if result.verdict == "Partial GPU":
            assert 0 < result.n_gpu_layers < Figures.from_catalog(CATALOG[model_id]).n_layer
        if result.verdict == "Full GPU":  # every block and the output layer, as llama.cpp counts
            assert result.n_gpu_layers == Figures.from_catalog(CATALOG[model_id]).n_layer + 1


@pytest.mark.parametrize("model_id", sorted(CATALOG))
def test_more_memory_never_gives_a_worse_plan(model_id: str) -> None:
    ladder = [plan(CATALOG[model_id], HOSTS[h]) for h in ("cpu-4", "cpu-8", "cpu-16", "cpu-32")]
    ranks = [
        (VERDICTS.index(p.verdict), LADDER.index(p.quant) if p.quant in LADDER else 0, -p.n_ctx)
        for p in ladder
    ]
    for smaller, larger in zip(ranks, ranks[1:], strict=False):
        assert larger[0] <= smaller[0]
        if larger[0] == smaller[0] and smaller[0] < 3:
            assert larger[1:] <= smaller[1:]


def test_the_why_gives_figures_in_plain_words() -> None:
    tight = plan(CATALOG["phi-4-mini-instruct"], HOSTS["apple-8"])
    assert tight.why.startswith("needs ") and " GB free" in tight.why
    assert "Q4_K_M chosen over Q8_0" in tight.why
    partial = plan(CATALOG["llama-3.2-3b-instruct"], HOSTS["nvidia-4"])
    assert "layers on the GPU" in partial.why
    nope = plan(CATALOG["phi-4-mini-instruct"], HOSTS["cpu-4"])
    assert "even as Q4_K_M" in nope.why


def test_a_gpu_with_a_cpu_only_build_plans_for_the_cpu_and_says_why() -> None:
    gpu_host = dataclasses.replace(HOSTS["nvidia-8"], gpu_offload_build=False)
    result = plan(CATALOG["phi-4-mini-instruct"], gpu_host)
    assert (result.verdict, result.n_gpu_layers) == ("CPU only", 0)
    assert "this build of llama.cpp is CPU-only" in result.why and "CUDA" in result.why
    cpu_host = dataclasses.replace(HOSTS["cpu-16"], gpu_offload_build=False)
    assert "CPU-only" not in plan(CATALOG["phi-4-mini-instruct"], cpu_host).why
    assert "CPU-only" not in plan(CATALOG["phi-4-mini-instruct"], HOSTS["nvidia-8"]).why


def test_quant_and_context_can_be_fixed() -> None:
    result = plan(CATALOG["llama-3.2-3b-instruct"], HOSTS["cpu-32"], quant="q4_k_m", n_ctx=32768)
    assert (result.quant, result.n_ctx) == ("Q4_K_M", 32768)
    bigger = plan(CATALOG["llama-3.2-3b-instruct"], HOSTS["cpu-32"], quant="Q4_K_M", n_ctx=65536)
    assert bigger.estimate.kv == 2 * result.estimate.kv


def test_kv_cache_figures() -> None:
    # Llama-3-8B-class layout at 512 tokens: the log line llama.cpp prints is 64 MiB.
    fig = Figures(
        n_layer=32,
        n_head_kv=8,
        key_length=128,
        value_length=128,
        n_vocab=128256,
        context_length=8192,
    )
    assert fig.kv_bytes(512) == 64 << 20
    assert fig.kv_bytes(500) == fig.kv_bytes(512)  # llama.cpp pads to 256


def test_figures_from_a_generated_header(tiny_model: Path) -> None:
    fig = Figures.from_header(read_header(tiny_model))
    assert (fig.n_layer, fig.n_head_kv, fig.key_length, fig.n_vocab, fig.context_length) == (
        2,
        2,
        16,
        294,
        8192,
    )


def test_no_repack_on_cpus_llama_cpp_does_not_repack_for() -> None:
    old = host(16)
    old.isa = ["avx"]
    model = CATALOG["llama-3.2-3b-instruct"]
    assert (
        plan(model, old, quant="Q4_K_M").estimate.ram
        < plan(model, HOSTS["cpu-16"], quant="Q4_K_M").estimate.ram
    )
    fig = Figures.from_catalog(model)
    assert estimate(fig, 10**9, 4096, quant="Q4_K_M", repacks=False).repack == 0


def test_kv_model_matches_llama_cpp_for_the_starter(starter_model: Path) -> None:
    """Figures llama.cpp logs for Gemma 3 270M at n_ctx 8192 (llama_kv_cache lines):
    full-size SWA 24 + 120 MiB; swa_full=False 24 + 15 MiB; q8_0 12.75 + 63.75 MiB."""
    fig = Figures.from_header(read_header(starter_model))
    assert fig.swa_pattern == 6 and fig.sliding_window == 512
    mib = 1 << 20
    assert fig.kv_bytes(8192) == 144 * mib
    assert fig.kv_bytes(8192, swa_full=False) == 39 * mib
    assert fig.kv_bytes(8192, kv_type="q8_0") == int(76.5 * mib)
    assert Figures.from_catalog(CATALOG["gemma-3-270m"]).kv_bytes(8192) == 144 * mib
