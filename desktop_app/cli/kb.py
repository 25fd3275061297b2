"""`smallwise kb …`: the documents the Support assistant answers from."""

from __future__ import annotations

import sys
from argparse import Namespace

from desktop_app.cli.output import Output
from desktop_app.core.assistants.knowledge import KnowledgeBase, judge
from desktop_app.core.engine.embeddings import BETTER_RETRIEVAL, shared_embedder
from desktop_app.core.errors import UsageError
from desktop_app.core.store import Store
from desktop_app.paths import AppPaths


def add(args: Namespace, paths: AppPaths, out: Output) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"not found: {', '.join(missing)}")
    terminal = sys.stderr.isatty() and not out.as_json

    def progress(done: int, total: int, name: str) -> None:
        if terminal:
            sys.stderr.write(f"\rindexing {done}/{total} {name[:40]:40}")

    with Store(paths.database) as store:
        embedder = shared_embedder(store, str(paths.log_file))
        counts = KnowledgeBase(store, embedder=embedder).add(args.paths, on_progress=progress)
    if terminal:
        sys.stderr.write("\n")
    if embedder is None:
        out.note(BETTER_RETRIEVAL)
    elif counts.get("vectors_failed"):
        out.note(counts["vectors_failed"])
    skipped = counts.get("skipped", [])
    for path, reason in skipped:
        out.note(f"skipped {path}: {reason}")
    summary = (
        f"indexed {counts['indexed']} file(s) ({counts['chunks']} passages), "
        f"{counts['unchanged']} unchanged" + (f", {len(skipped)} skipped" if skipped else "")
    )
    out.result({**counts, "skipped": [list(s) for s in skipped]}, [summary])
    return 1 if skipped and not (counts["indexed"] or counts["unchanged"]) else 0


def listing(args: Namespace, paths: AppPaths, out: Output) -> int:
    with Store(paths.database) as store:
        files = KnowledgeBase(store).files()
    out.result(files, [f"{f['chunks']:5} passages  {f['path']}" for f in files])
    return 0


def remove(args: Namespace, paths: AppPaths, out: Output) -> int:
    with Store(paths.database) as store:
        removed = KnowledgeBase(store).remove(args.path)
    if not removed:
        raise UsageError(f"{args.path} is not in the knowledge base.")
    out.result({"removed": removed}, [f"forgot {removed} file(s)"])
    return 0


VERDICTS = {
    "covered": [],
    "weak": ["Your documents touch on this but don't answer it; the closest passages:"],
    "none": ["Your documents don't cover this."],
}


def search(args: Namespace, paths: AppPaths, out: Output) -> int:
    with Store(paths.database) as store:
        kb = KnowledgeBase(store, embedder=shared_embedder(store, str(paths.log_file)))
        hits = kb.search(args.query, k=args.k)
        unknown = kb.unknown_terms(args.query)
    verdict = judge(hits, unknown)
    lines = list(VERDICTS[verdict])
    if unknown:
        lines.append(f"No passage mentions: {', '.join(unknown)}.")
    if kb.embedder is None:
        lines.append(BETTER_RETRIEVAL)
    lines += [f"{_score(h)}  {h.source}\n         {h.text[:160]}…" for h in hits]
    rows = [
        {
            "path": h.path,
            "heading": h.heading,
            "score": h.score,
            "similarity": h.similarity,
            "coverage": round(h.coverage, 3),
            "verdict": verdict,  # the same for every passage: what they say together
            "text": h.text,
        }
        for h in hits
    ]
    out.result(rows, lines)  # the JSON stays a list of passages, as before
    return 0


def _score(hit) -> str:
    """BM25, and the cosine of meaning when an embedding model is installed."""
    meaning = f" {hit.similarity:5.2f}" if hit.similarity is not None else ""
    return f"{hit.score:7.2f}{meaning}"
