"""`smallwise kb …`: the documents the Support assistant answers from."""

from __future__ import annotations

import sys
from argparse import Namespace

from desktop_app.cli.output import Output
from desktop_app.core.assistants.knowledge import KnowledgeBase, covered
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
        counts = KnowledgeBase(store).add(args.paths, on_progress=progress)
    if terminal:
        sys.stderr.write("\n")
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


def search(args: Namespace, paths: AppPaths, out: Output) -> int:
    with Store(paths.database) as store:
        hits = KnowledgeBase(store).search(args.query, k=args.k)
    lines = [] if covered(hits) else ["Your documents don't cover this."]
    lines += [f"{h.score:7.2f}  {h.source}\n         {h.text[:160]}…" for h in hits]
    out.result(
        [{"path": h.path, "heading": h.heading, "score": h.score, "text": h.text} for h in hits],
        lines,
    )
    return 0
