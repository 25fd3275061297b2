"""What this machine offers the engine. The planner issue extends this into a full HostProfile;
for now: how many threads to generate with. No Qt here.
"""

from __future__ import annotations

import os

import psutil


def physical_cores() -> int:
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def busy_cores(sample_s: float = 0.1) -> float:
    """Cores' worth of CPU used by other programs right now (a short sample)."""
    per_cpu = psutil.cpu_percent(interval=sample_s, percpu=True)
    return sum(per_cpu) / 100.0


def choose_threads(busy: float | None = None) -> int:
    """Physical cores, minus the cores other programs keep busy.

    llama.cpp's threads wait on each other every token: one thread that shares its core with a
    busy process slows all of them (measured here: 2 threads on 2 cores fall from 42 to 1-5
    tok/s next to one busy process, while 1 thread keeps ~25)."""
    cores = physical_cores()
    busy = busy_cores() if busy is None else busy
    return max(1, min(cores, cores - int(busy + 0.5)))
