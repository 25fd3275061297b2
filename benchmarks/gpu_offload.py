"""GPU offload, end to end, on a machine with a GPU and a GPU build of llama-cpp-python: what
`smallwise doctor` sees, what `smallwise plan` decides for the model, and one answer through
`smallwise chat` (the product's path: host profile → planner → engine worker → llama.cpp)
beside raw llama-cpp-python on the CPU and fully on the GPU: same file, same prompt, same
number of tokens, each in a fresh process, in one run.

- load_s: until the model is loaded; ttft_s: the prompt (about 500 tokens) until the first
  token; tok_s: the tokens after the first, per second; gpu_mb: the GPU memory in use at the
  most during the run, minus before it (nvidia-smi, polled every 50 ms), beside what the
  planner estimated for the GPU (its vram figure).
- offloaded: llama.cpp's own line ("offloaded N/M layers to GPU") from the raw runs.

The model is a random-weight llama-shaped GGUF (tests/ggufs.py), large enough to time (about
1.6 GB in F32 by default): it never stops early, so every run makes the same number of tokens.
On a machine without a GPU the GPU rows say so and the CPU rows still run.

Run: python benchmarks/gpu_offload.py [--layers 12] [--embd 2048] [--tokens 64]
(benchmarks/gpu_device.sh builds llama-cpp-python with CUDA on a lent GPU machine and runs it.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "the cat is a model and the world is hello " * 50


def gpu_used_mb() -> float | None:
    """The GPU memory in use now (the first GPU), or None without nvidia-smi."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        return float(out.split()[0])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return None


class Peak:
    """The most GPU memory in use while the block runs, above what was in use before it."""

    def __enter__(self) -> Peak:
        self.base, self.top, self._stop = gpu_used_mb(), 0.0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(0.05):
            used = gpu_used_mb()
            if used is not None and self.base is not None:
                self.top = max(self.top, used - self.base)

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def mb(self) -> float | None:
        return None if self.base is None else round(self.top)


def raw_child(model: str, gpu_layers: int, tokens: int, threads: int) -> None:
    """One raw llama-cpp-python run; prints its figures as JSON (llama.cpp's log on stderr)."""
    import llama_cpp

    started = time.perf_counter()
    llm = llama_cpp.Llama(
        model_path=model, n_ctx=2048, n_gpu_layers=gpu_layers, n_threads=threads, verbose=True
    )
    loaded = time.perf_counter()
    first = None
    count = 0
    for _ in llm.create_completion(PROMPT, max_tokens=tokens, temperature=0.0, stream=True):
        count += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    assert first is not None
    result = {
        "load_s": loaded - started,
        "ttft_s": first - loaded,
        "tok_s": (count - 1) / (end - first) if count > 1 else 0.0,
        "tokens": count,
    }
    print(json.dumps(result), flush=True)


def run_raw(model: Path, gpu_layers: int, tokens: int, threads: int) -> dict:
    with Peak() as peak:
        done = subprocess.run(
            [sys.executable, __file__, "--raw", str(model), str(gpu_layers), str(tokens)]
            + [str(threads)],
            capture_output=True,
            text=True,
            timeout=900,
        )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    found = json.loads(done.stdout.strip().splitlines()[-1])
    offloaded = [line for line in done.stderr.splitlines() if "offloaded" in line]
    found["offloaded"] = offloaded[-1].split("offloaded", 1)[1].strip() if offloaded else "-"
    found["gpu_mb"] = peak.mb()
    return found


def smallwise(home: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """The installed `smallwise` command (python -m desktop_app), outside the source tree."""
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SMALLWISE_HOME": str(home)},
        cwd=home.parent,
        timeout=timeout,
    )


def app_answer(home: Path, model: Path, tokens: int) -> dict:
    """An answer through `smallwise chat`, the model imported first (as a user would)."""
    imported = smallwise(home, "models", "import", str(model), "--reference", "--json")
    if imported.returncode != 0:
        return {"error": imported.stderr.strip()[-300:]}
    model_id = json.loads(imported.stdout)["id"]
    planned = smallwise(home, "plan", model_id, "--json")
    plan = json.loads(planned.stdout) if planned.returncode == 0 else {}
    args = ("chat", PROMPT, "--model", model_id, "--max-tokens", str(tokens))
    started = time.perf_counter()
    with Peak() as peak:
        done = smallwise(home, *args, "--temperature", "0", "--json")
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-300:], "plan": plan}
    answer = json.loads(done.stdout)
    return {
        "plan": {k: plan.get(k) for k in ("verdict", "n_gpu_layers", "vram_bytes", "why")},
        "device": answer.get("device"),
        "n_gpu_layers": answer.get("n_gpu_layers"),
        "ttft_s": answer.get("ttft_s"),
        "tok_s": answer.get("tokens_per_s"),
        "tokens": answer.get("completion_tokens"),
        "wall_s": round(wall, 2),
        "gpu_mb": peak.mb(),
        "planned_gpu_mb": round(plan.get("vram_bytes", 0) / 2**20),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--embd", type=int, default=2048)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--model", type=Path, help="a GGUF file to use instead of a random one")
    args = ap.parse_args()
    import psutil

    threads = psutil.cpu_count(logical=False) or 1
    with tempfile.TemporaryDirectory() as tmp:
        home, model = Path(tmp) / "home", args.model
        if model is None:
            sys.path.insert(0, str(ROOT / "tests"))
            from ggufs import write_tiny_model

            model = Path(tmp) / "big-random-f32.gguf"
            made = time.perf_counter()
            heads = max(4, args.embd // 128)
            write_tiny_model(model, n_embd=args.embd, n_layer=args.layers, n_head=heads)
            size = model.stat().st_size / 2**20
            print(f"model: {size:,.0f} MB, {args.layers} layers, written in ", end="")
            print(f"{time.perf_counter() - made:.1f} s")
        doctor = smallwise(home, "doctor", "--json")
        seen = json.loads(doctor.stdout) if doctor.returncode == 0 else {}
        build = seen.get("llama_cpp", {})
        print("doctor: build", build.get("build"), "| gpu_offload", build.get("gpu_offload"))
        for device in build.get("devices", []):
            print(f"  device {device['name']}: {device['description']} ({device['type']})")
        for gpu in seen.get("host_profile", {}).get("gpus", []):
            total, free = ((gpu[k] or 0) / 2**30 for k in ("total_bytes", "free_bytes"))
            print(f"  host GPU: {gpu['name']}, {free:.1f} of {total:.1f} GB free")
        for model_id in ("llama-3.2-3b-instruct", "phi-4-mini-instruct", "qwen3-1.7b"):
            planned = smallwise(home, "plan", model_id, "--json")
            if planned.returncode == 0:
                p = json.loads(planned.stdout)
                said = f"{p['verdict']}, {p['quant']}, ctx {p['n_ctx']}, "
                said += f"GPU layers {p['n_gpu_layers']}, VRAM {p['vram_bytes'] / 2**30:.2f} GB"
                print(f"  plan {model_id}: {said}")
        rows = {
            "raw, CPU": run_raw(model, 0, args.tokens, threads),
            "raw, GPU (all layers)": run_raw(model, -1, args.tokens, threads),
            "smallwise chat": app_answer(home, model, args.tokens),
        }
    for name, row in rows.items():
        print(f"{name:22s} {json.dumps(row)}")
    keys = ("device", "n_gpu_layers", "offloaded", "load_s", "ttft_s", "tok_s", "tokens")
    keys += ("gpu_mb", "planned_gpu_mb")
    print(f"\n{'':16s}" + "".join(f"{name:>24s}" for name in rows))
    for key in keys:
        cells = []
        for row in rows.values():
            value = row.get(key, "")
            cells.append(f"{value:>24.2f}" if isinstance(value, float) else f"{value!s:>24s}")
        print(f"{key:16s}" + "".join(cells))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--raw":
        model, layers, tokens, threads = sys.argv[2:6]
        raw_child(model, int(layers), int(tokens), int(threads))
    else:
        main()
