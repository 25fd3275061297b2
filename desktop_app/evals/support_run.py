"""`smallwise eval --assistant support`: the Support evaluation (support.py) with what this
computer has: its index kept in the data folder (evals.db, apart from the user's documents),
the installed embedding model if any, and, with --model, that model's answers checked: an
answered question's reply cites a source, an unanswerable question's reply that got passages
says they don't answer it. No Qt here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from desktop_app.core.assistants.knowledge import KnowledgeBase
from desktop_app.core.assistants.specialist import ground
from desktop_app.core.engine.embeddings import EmbeddingClient, find_embedding_model
from desktop_app.core.store import Store
from desktop_app.evals import Context
from desktop_app.evals import support as s

CITES = re.compile(r"\[\d+\]")
DECLINES = re.compile(
    r"\b(do(es)? not|don't|doesn't|no information|not (mention|cover|say|provide|contain))",
    re.IGNORECASE,
)


def run(context: Context) -> dict[str, Any]:
    embedder = _embedder(context)
    try:
        with Store(Path(context.paths.data_dir) / "evals.db") as store:
            result = s.evaluate(store, embedder, context.docs, context.half, _progress(context))
            if context.model is not None:
                kb = KnowledgeBase(store, collection=s.COLLECTION, embedder=embedder)
                result["answers"] = answers(kb, context, result)
    finally:
        if embedder is not None:
            embedder.close()
    return result


def _embedder(context: Context) -> EmbeddingClient | None:
    path = context.embedding_model
    if path is None:
        with Store(context.paths.database) as store:
            path = find_embedding_model(store)
    if path is None:
        context.progress("No embedding model is installed: word matching alone is measured.")
        return None
    context.progress(f"Embedding model: {Path(path).name}")
    return EmbeddingClient(Path(path), log_path=str(context.paths.log_file))


def _progress(context: Context) -> Any:
    def progress(done: int, total: int, name: str) -> None:
        if done == total or done % 200 == 0:
            context.progress(f"indexing {done}/{total} {name}")

    return progress


def answers(kb: KnowledgeBase, context: Context, result: dict[str, Any]) -> dict[str, Any]:
    """The model's answers to the questions the documents were judged to cover."""
    from desktop_app.core.engine import protocol as p
    from desktop_app.core.engine.client import EngineClient
    from desktop_app.settings import Settings

    data = {q["id"]: q for q in s.load_set()["questions"]}
    client = EngineClient(log_path=str(context.paths.log_file))
    settings = Settings(context.paths.settings_file)
    checked = []
    try:
        client.load(context.model.load_request(settings))
        for outcome in result["hybrid" if "hybrid" in result else "bm25"]["outcomes"]:
            item = data[outcome["id"]]
            grounding = ground(kb, item["question"], collections=[s.COLLECTION])
            if grounding.prompt is None:
                continue
            context.progress(f"answering {item['id']}")
            text = _answer(client, grounding.prompt, p.Sampling(max_tokens=256, temperature=0))
            checked.append(_judged(item, text))
    finally:
        client.shutdown()
    return _answer_figures(checked, context.model.id)


def _answer(client: Any, prompt: str, sampling: Any) -> str:
    from desktop_app.core.engine import protocol as p

    parts = []
    for event in client.chat([{"role": "user", "content": prompt}], sampling):
        if isinstance(event, p.Token):
            parts.append(event.text)
    return "".join(parts)


def _judged(item: dict[str, Any], text: str) -> dict[str, Any]:
    answerable = bool(item["answered_by"])
    return {
        "id": item["id"],
        "answerable": answerable,
        "cites": bool(CITES.search(text)),
        "declines": bool(DECLINES.search(text)),
        "text": text[:600],
    }


def _answer_figures(checked: list[dict[str, Any]], model: str) -> dict[str, Any]:
    answered = [c for c in checked if c["answerable"]]
    unanswered = [c for c in checked if not c["answerable"]]
    return {
        "model": model,
        "answered_questions": len(answered),
        "cited_share": s._share(sum(c["cites"] for c in answered), len(answered)),
        "unanswerable_given_passages": len(unanswered),
        "declined_share": s._share(sum(c["declines"] for c in unanswered), len(unanswered)),
        "answers": checked,
    }
