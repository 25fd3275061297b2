"""Records a model's worked solutions to the evaluation problems through the app's own engine
(worker process, the model's chat template, the Math assistant's instructions), one JSON line
per problem with the settings that reproduce it. Resumable: problems already recorded for the
same model are skipped. No Qt here.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop_app.core.engine import protocol as p
from desktop_app.core.errors import UsageError

# Greedy decoding: the Math assistant's own temperature (0.0), so a re-run gives the same text
# on the same build; the seed is recorded for builds where ties are broken by sampling.
SAMPLING = p.Sampling(max_tokens=640, temperature=0.0, top_p=1.0, top_k=1, seed=0)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _messages(question: str) -> list[dict[str, str]]:
    from desktop_app.core.assistants.registry import load_assistants, prompt_messages

    math = load_assistants()["math"]
    return prompt_messages(math, [{"role": "user", "content": question}], True)


def _answer(client: Any, question: str, sampling: p.Sampling) -> tuple[str, Any]:
    parts: list[str] = []
    end = None
    for event in client.chat(_messages(question), sampling):
        if isinstance(event, p.Token):
            parts.append(event.text)
        elif isinstance(event, p.Done | p.Failed):
            end = event
    return "".join(parts), end


def _record(client: Any, problem: dict, loaded: Any, load: p.Load, sampling: p.Sampling) -> dict:
    started = time.perf_counter()
    text, end = _answer(client, problem["question"], sampling)
    return {
        "id": problem["id"],
        "chat_format": loaded.chat_format,
        "system_prompt": _messages("")[0]["content"],
        "sampling": asdict(sampling),
        "n_ctx": load.n_ctx,
        "n_threads": load.n_threads,
        "finish_reason": getattr(end, "finish_reason", "failed"),
        "completion_tokens": getattr(end, "completion_tokens", 0),
        "seconds": round(time.perf_counter() - started, 1),
        "output": text,
    }


def generate(
    model_path: str | Path,
    problems: Iterable[dict[str, Any]],
    out: Path,
    n_threads: int = 2,
    progress: Callable[[str], None] = lambda line: None,
    sampling: p.Sampling = SAMPLING,
) -> int:
    """Answer each problem not yet in `out` with the model; return how many were added."""
    from desktop_app.core.engine.client import EngineClient

    model = Path(model_path)
    if not model.is_file():
        raise UsageError(f"No model file at {model}. Give the path of a GGUF file.")
    sha = file_sha256(model)
    done = {(r["id"], r["model_sha256"]) for r in read_jsonl(out)}
    todo = [q for q in problems if (q["id"], sha) not in done]
    client = EngineClient()
    load = p.Load(str(model), n_ctx=2048, n_threads=n_threads, n_threads_batch=n_threads)
    added = 0
    try:
        loaded = client.load(load)
        for problem in todo:
            record = _record(client, problem, loaded, load, sampling)
            with out.open("a", encoding="utf-8") as f:
                line = {"id": problem["id"], "model": model.name, "model_sha256": sha, **record}
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
            added += 1
            tokens, seconds = record["completion_tokens"], record["seconds"]
            progress(f"{problem['id']}: {tokens} tokens, {seconds} s")
    finally:
        client.shutdown()
    return added
