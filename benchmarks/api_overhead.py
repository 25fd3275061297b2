"""API overhead benchmark (issue 15): the same model and settings, in one run, three ways —
the window's engine path (core.conversation + the engine worker, in this process),
`smallwise serve` (a process, through the official openai client, streamed), and
llama-cpp-python's own OpenAI-compatible server (a process, same client). Alternating rounds,
medians: tokens/s after the first token and time to the first token, at the consumer.
Then 8 clients at once through `smallwise serve`: all served, none failing, in the order they
asked (the engine's queue is first come, first served).

Targets: tokens/s through serve ≥ 0.95 of the direct path; first-token overhead ≤ 20 ms.

Run: .venv/bin/python benchmarks/api_overhead.py [--model FILE.gguf] [--rounds N] [--json]
(default model: the real instruct model from ../shared/tools/real-instruct-model).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
MESSAGES = [{"role": "user", "content": "Tell me about the history of the Roman Empire."}]
MAX_TOKENS, N_CTX, CLIENTS, CROWD_TOKENS = 128, 2048, 8, 32
SAME = {"top_k": 40, "min_p": 0.05, "repeat_penalty": 1.1}  # the app's defaults, sent to llama


def real_model() -> Path:
    for shared in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        tool = shared / "tools" / "real-instruct-model"
        if tool.exists():
            out = subprocess.run([str(tool)], capture_output=True, text=True, check=True)
            return Path(out.stdout.strip().splitlines()[-1])
    sys.exit("No model: give --model FILE.gguf (one with its own chat template).")


def consume(chunks, text_of) -> dict:
    """The same measure for every path: wall clock at the consumer, pieces that carry text."""
    start = time.perf_counter()
    stamps, text = [], ""
    for item in chunks:
        piece = text_of(item)
        if piece:
            stamps.append(time.perf_counter())
            text += piece
    n = len(stamps)
    rate = (n - 1) / (stamps[-1] - stamps[0]) if n > 1 else 0.0
    return {"ttft_s": stamps[0] - start, "tokens_per_s": rate, "chunks": n, "text": text}


# -- the three paths ---------------------------------------------------------------------------
class Direct:
    """What the window does: Conversations.run on the engine worker, stored in SQLite."""

    def __init__(self, model: Path, settings, folder: Path):
        from desktop_app.core.conversation import Conversations
        from desktop_app.core.engine.client import EngineClient
        from desktop_app.core.model_choice import resolve_model
        from desktop_app.core.store import Store

        self.store = Store(folder / "direct.db")
        self.client = EngineClient(log_path=os.devnull)
        self.conversations = Conversations(self.store, self.client, settings)
        self.model = resolve_model(str(model), self.store, {})
        self.conversations.preload(self.model, lambda text: None)

    def run(self) -> dict:
        from queue import Queue

        from desktop_app.core.conversation import Listener, Turn
        from desktop_app.core.engine import protocol as p

        events: Queue = Queue()
        turn = Turn(self.store.create_conversation(), MESSAGES[0]["content"], self.model,
                    sampling={"temperature": 0.0, "max_tokens": MAX_TOKENS})
        worker = threading.Thread(
            target=lambda: (self.conversations.run(turn, Listener(event=events.put)),
                            events.put(None))
        )
        worker.start()  # a thread, as the window's engine thread; measured here at the consumer
        result = consume(iter(events.get, None), lambda e: e.text if isinstance(e, p.Token) else "")
        worker.join()
        return result

    def close(self) -> None:
        self.client.shutdown()
        self.store.close()


def openai_run(client, model: str, extra: dict | None = None, tokens: int = MAX_TOKENS) -> dict:
    chunks = client.chat.completions.create(
        model=model, messages=MESSAGES, max_tokens=tokens, temperature=0.0, stream=True,
        extra_body=extra,
    )
    return consume(chunks, lambda c: (c.choices[0].delta.content or "") if c.choices else "")


def start_serve(model: Path, home: Path, load) -> tuple[subprocess.Popen, str]:
    from servers import smallwise_serve

    from desktop_app.settings import Settings

    settings = Settings(home / "config" / "settings.json")
    settings["n_threads"], settings["n_ctx"] = load.n_threads, N_CTX
    settings.save()
    env = {"SMALLWISE_HOME": str(home)}
    return smallwise_serve(home, "--model", str(model), "--max-waiting", str(CLIENTS), env=env)


def start_llama(model: Path, folder: Path, load) -> tuple[subprocess.Popen, str]:
    from servers import free_port, wait_until_ready

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", str(N_CTX), "--n_threads", str(load.n_threads),
         "--n_threads_batch", str(load.n_threads_batch), "--n_batch", str(load.n_batch)],
        stdout=(folder / "llama.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_ready(url, proc, timeout=120)
    return proc, url


# -- measuring ---------------------------------------------------------------------------------
def cpu_counted(run, processes: list) -> dict:
    """`run()`, and the CPU its processes (never the engine's) spent per streamed token: what a
    path costs around the engine."""
    def cpu() -> float:
        return sum(sum(p.cpu_times()[:2]) for p in processes)

    before = cpu()
    result = run()
    result["cpu_ms_per_token"] = (cpu() - before) * 1000 / max(1, result["chunks"])
    return result


def rounds_of(paths: dict, rounds: int) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {name: [] for name in paths}
    for fn in paths.values():
        fn()  # warm-up, not counted
    names = list(paths)
    for i in range(rounds):
        order = names[i % len(names):] + names[: i % len(names)]  # rotate: no path always first
        for name in order:
            time.sleep(0.5)  # let the previous path's OpenMP threads stop spinning
            runs[name].append(paths[name]())
    return runs


def concurrent_clients(url: str, model_id: str) -> dict:
    """CLIENTS streamed requests at once, 20 ms apart: every one served, in the order asked."""
    import openai

    client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0, timeout=600)
    results: dict[int, dict] = {}

    def ask(n: int) -> None:
        asked = time.perf_counter()
        try:
            run = openai_run(client, model_id, tokens=CROWD_TOKENS)
            results[n] = {"ok": True, "first_token_at": asked + run["ttft_s"], **run}
        except Exception as exc:  # a failure is counted, not raised
            results[n] = {"ok": False, "error": repr(exc)}

    t0 = time.perf_counter()
    threads = []
    for n in range(CLIENTS):
        threads.append(threading.Thread(target=ask, args=(n,)))
        threads[-1].start()
        time.sleep(0.02)
    for t in threads:
        t.join()
    served = [n for n in range(CLIENTS) if results[n]["ok"]]
    firsts = sorted(served, key=lambda n: results[n]["first_token_at"])
    return {
        "clients": CLIENTS,
        "served": len(served),
        "failed": CLIENTS - len(served),
        "in_order": firsts == sorted(served),
        "wall_s": time.perf_counter() - t0,
        "errors": [results[n]["error"] for n in range(CLIENTS) if not results[n]["ok"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    # One thread by default: on a shared machine two threads stall on each other (OpenMP barriers)
    # and the noise swamps what is measured; the paths differ in what surrounds the engine only.
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model = (args.model or real_model()).resolve()
    report = measure(model, args.rounds, args.threads)
    print(json.dumps(report, indent=2) if args.json else table(report))


def measure(model: Path, rounds: int, threads: int) -> dict:
    import openai
    import psutil

    from desktop_app.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="api-overhead-"))
    settings = Settings(folder / "direct-settings.json")
    settings["n_threads"], settings["n_ctx"], settings["max_tokens"] = threads, N_CTX, MAX_TOKENS
    direct = Direct(model, settings, folder)
    load = direct.model.load_request(settings)
    serve, serve_url = start_serve(model, folder / "serve-home", load)
    llama, llama_url = start_llama(model, folder, load)
    try:
        ours = openai.OpenAI(base_url=serve_url, api_key="unused", max_retries=0, timeout=600)
        theirs = openai.OpenAI(base_url=llama_url, api_key="unused", max_retries=0, timeout=600)
        me, server = psutil.Process(), psutil.Process(serve.pid)
        runs = rounds_of(
            {
                "direct": lambda: cpu_counted(direct.run, [me]),
                "serve": lambda: cpu_counted(lambda: openai_run(ours, model.stem), [me, server]),
                "llama_server": lambda: openai_run(theirs, str(model), SAME),
            },
            rounds,
        )
        crowd = concurrent_clients(serve_url, model.stem)
    finally:
        for proc in (serve, llama):
            proc.terminate()
            proc.wait(30)
        direct.close()
    return summary(model, runs, crowd, load)


def summary(model: Path, runs: dict, crowd: dict, load) -> dict:
    med = {
        name: {
            "tokens_per_s": statistics.median(r["tokens_per_s"] for r in rs),
            "ttft_ms": statistics.median(r["ttft_s"] for r in rs) * 1000,
            "chunks": rs[0]["chunks"],
            "cpu_ms_per_token": statistics.median(r.get("cpu_ms_per_token", 0.0) for r in rs),
        }
        for name, rs in runs.items()
    }
    texts = {name: {r["text"] for r in rs} for name, rs in runs.items()}
    return {
        "model": model.name,
        "settings": {"n_ctx": N_CTX, "n_threads": load.n_threads, "max_tokens": MAX_TOKENS,
                     "temperature": 0.0, "rounds": len(runs["direct"])},
        "paths": med,
        "serve_vs_direct_tokens_per_s": (
            med["serve"]["tokens_per_s"] / med["direct"]["tokens_per_s"]
        ),
        "serve_first_token_overhead_ms": med["serve"]["ttft_ms"] - med["direct"]["ttft_ms"],
        "same_text_direct_and_serve": texts["direct"] == texts["serve"],
        "concurrent": crowd,
    }


def table(report: dict) -> str:
    rows = [
        f"{report['model']}, context {report['settings']['n_ctx']}, "
        f"{report['settings']['n_threads']} threads, {report['settings']['max_tokens']} tokens, "
        f"greedy, median of {report['settings']['rounds']} rounds",
        f"{'path':<28}{'tokens/s':>10}{'first token':>14}{'CPU/token *':>16}",
    ]
    names = {"direct": "window engine path", "serve": "smallwise serve",
             "llama_server": "llama-cpp-python server"}
    for key, name in names.items():
        m = report["paths"][key]
        cpu = f"{m['cpu_ms_per_token']:>13.2f} ms" if key != "llama_server" else f"{'-':>16}"
        rows.append(f"{name:<28}{m['tokens_per_s']:>10.1f}{m['ttft_ms']:>11.0f} ms{cpu}")
    c = report["concurrent"]
    rows += [
        f"serve / direct tokens/s: {report['serve_vs_direct_tokens_per_s']:.3f} (target ≥ 0.95)",
        f"serve first-token overhead: {report['serve_first_token_overhead_ms']:+.1f} ms "
        "(target ≤ 20 ms)",
        f"same text (direct, serve): {report['same_text_direct_and_serve']}",
        "* CPU spent per token outside the engine process (the consumer; for serve also the "
        "server process)",
        f"{c['clients']} concurrent clients through serve: {c['served']} served, {c['failed']} "
        f"failed, first tokens in the order asked: {c['in_order']}, {c['wall_s']:.1f} s",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    main()
