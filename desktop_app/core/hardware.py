"""What this machine offers: cores, ISA flags, RAM, GPUs, and what the llama.cpp build supports.

Every probe is optional: a missing tool or file gives "unknown" (None), never an exception. A
profile can be saved as JSON and loaded back, so plans for other machines can be made here.
No Qt here.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

ISA_FLAGS = (
    "avx",
    "avx2",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "fma",
    "f16c",
    "neon",
    "asimd",
    "sve",
    "dotprod",
)


@dataclass
class Gpu:
    name: str
    vendor: str  # "nvidia", "amd", "apple", "other"
    total_bytes: int | None
    free_bytes: int | None
    unified: bool = False  # shares system RAM (Apple Silicon, integrated GPUs)


@dataclass
class HostProfile:
    os: str
    arch: str
    cpu_model: str | None
    physical_cores: int | None
    logical_cores: int | None
    isa: list[str]
    ram_total_bytes: int
    ram_available_bytes: int
    gpus: list[Gpu] = field(default_factory=list)
    gpu_offload_build: bool | None = None  # llama.cpp build can offload (None: not probed)
    metal_working_set_bytes: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostProfile:
        data = dict(data)
        data["gpus"] = [Gpu(**g) for g in data.get("gpus", [])]
        return cls(**data)

    @classmethod
    def load(cls, path: Path) -> HostProfile:
        return cls.from_dict(json.loads(path.read_text()))


def _run(*cmd: str, timeout: float = 2.0) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return (_run("sysctl", "-n", "machdep.cpu.brand_string") or "").strip() or (
        platform.processor() or None
    )


def isa_flags() -> list[str]:
    text = ""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = (_run("sysctl", "-a") or "").lower()
    words = set(text.replace(":", " ").split())
    found = [f for f in ISA_FLAGS if f in words]
    if platform.machine().lower() in ("arm64", "aarch64") and "neon" not in found:
        found.append("neon")  # every 64-bit Arm core has it
    return found


def physical_cores() -> int:
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def nvidia_gpus() -> list[Gpu]:
    out = _run(
        "nvidia-smi", "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"
    )
    gpus = []
    for line in (out or "").strip().splitlines():
        try:
            name, total, free = (part.strip() for part in line.split(","))
            gpus.append(Gpu(name, "nvidia", int(total) << 20, int(free) << 20))
        except ValueError:
            continue
    return gpus


def amd_gpus(drm: Path = Path("/sys/class/drm")) -> list[Gpu]:
    gpus = []
    for card in sorted(drm.glob("card[0-9]*")):
        device = card / "device"
        try:
            if (device / "vendor").read_text().strip() != "0x1002":
                continue
            total = int((device / "mem_info_vram_total").read_text())
            used = int((device / "mem_info_vram_used").read_text())
        except (OSError, ValueError):
            continue
        gpus.append(Gpu(f"AMD GPU ({card.name})", "amd", total, total - used))
    return gpus


def apple_gpu(ram_total: int) -> tuple[list[Gpu], int | None]:
    if platform.system() != "Darwin" or platform.machine() != "arm64":
        return [], None
    limit = _run("sysctl", "-n", "iogpu.wired_limit_mb")
    if limit and limit.strip().isdigit() and int(limit) > 0:
        working_set = int(limit) << 20
    else:  # Metal's default recommendedMaxWorkingSetSize: about 2/3 (≤ 36 GB) to 3/4 of RAM
        working_set = int(ram_total * (0.75 if ram_total > 36e9 else 0.67))
    return [Gpu("Apple Silicon GPU", "apple", working_set, working_set, unified=True)], working_set


def profile(build: dict[str, Any] | None = None) -> HostProfile:
    """The profile of this machine; `build` is what the llama.cpp build can do
    (core.engine.build.known), so that the plan knows whether it can use the GPU."""
    mem = psutil.virtual_memory()
    apple, working_set = apple_gpu(mem.total)
    host = HostProfile(
        os=platform.system(),
        arch=platform.machine(),
        cpu_model=cpu_model(),
        physical_cores=psutil.cpu_count(logical=False),
        logical_cores=os.cpu_count(),
        isa=isa_flags(),
        ram_total_bytes=mem.total,
        ram_available_bytes=mem.available,
        gpus=nvidia_gpus() + amd_gpus() + apple,
        metal_working_set_bytes=working_set,
    )
    if build is not None:
        host.gpu_offload_build = build.get("gpu_offload")
    return host


def busy_cores(sample_s: float = 0.1) -> float:
    """Cores' worth of CPU used by other programs right now (a short sample)."""
    per_cpu = psutil.cpu_percent(interval=sample_s, percpu=True)
    return sum(per_cpu) / 100.0


def choose_threads(busy: float | None = None, calibrated: int | None = None) -> int:
    """A measured best (smallwise calibrate) if there is one; else physical cores minus the
    cores other programs keep busy.

    llama.cpp's threads wait on each other every token: one thread that shares its core with a
    busy process slows all of them (measured here: 2 threads on 2 cores fall from 42 to 1-5
    tok/s next to one busy process, while 1 thread keeps ~25)."""
    cores = physical_cores()
    if calibrated:
        return max(1, min(calibrated, cores))
    busy = busy_cores() if busy is None else busy
    return max(1, min(cores, cores - int(busy + 0.5)))
