"""Simulated machines for planner tests (a GPU cannot exist here; these profiles stand in)."""

from __future__ import annotations

from desktop_app.core.hardware import Gpu, HostProfile

GB = 1 << 30


def host(ram_gb: float, gpu: Gpu | None = None, available: float = 0.75) -> HostProfile:
    return HostProfile(
        os="Linux",
        arch="x86_64",
        cpu_model="test CPU",
        physical_cores=8,
        logical_cores=16,
        isa=["avx", "avx2", "fma", "f16c"],
        ram_total_bytes=int(ram_gb * GB),
        ram_available_bytes=int(ram_gb * GB * available),
        gpus=[gpu] if gpu else [],
        gpu_offload_build=True if gpu else None,
    )


def nvidia(vram_gb: float, ram_gb: float = 16) -> HostProfile:
    return host(
        ram_gb, Gpu(f"NVIDIA {vram_gb} GB", "nvidia", int(vram_gb * GB), int(vram_gb * GB * 0.95))
    )


def apple(unified_gb: float) -> HostProfile:
    working_set = int(unified_gb * GB * (0.75 if unified_gb > 36 else 0.67))
    h = host(unified_gb, Gpu("Apple Silicon GPU", "apple", working_set, working_set, True))
    h.os, h.arch, h.isa, h.metal_working_set_bytes = "Darwin", "arm64", ["neon"], working_set
    return h


HOSTS = {
    "cpu-4": host(4),
    "cpu-8": host(8),
    "cpu-16": host(16),
    "cpu-32": host(32),
    "nvidia-4": nvidia(4),
    "nvidia-8": nvidia(8),
    "nvidia-24": nvidia(24),
    "apple-8": apple(8),
    "apple-16": apple(16),
    "apple-36": apple(36),
    "gpu-1": nvidia(1, ram_gb=8),
}
