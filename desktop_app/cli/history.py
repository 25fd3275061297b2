"""`smallwise search`, `export` and `import`: the conversations kept on this computer."""

from __future__ import annotations

import re
import sys
from argparse import Namespace

from desktop_app.cli.output import Output
from desktop_app.core import export as exporting
from desktop_app.core import importing
from desktop_app.core.errors import UsageError
from desktop_app.core.search import segments
from desktop_app.core.store import Store
from desktop_app.paths import AppPaths

# Outside text reaches a terminal: no escape sequences or other control characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def search(args: Namespace, paths: AppPaths, out: Output) -> int:
    with Store(paths.database) as store:
        hits = store.search(args.query, limit=max(1, args.limit))
    out.result(hits, lambda: _show_hits(hits))
    return 0 if hits else 1


def _show_hits(hits: list[dict]) -> None:
    if not hits:
        print("No conversation has these words.")
    bold = sys.stdout.isatty()
    for hit in hits:
        where = f"conversation {hit['conversation_id']}"
        if hit["kind"] == "message":
            where += f", message {hit['message_id']} ({hit['role']})"
        print(f"{_plain(hit['title'])}  [{where}, {hit['created_at'][:16].replace('T', ' ')}]")
        if hit["kind"] == "message":
            print("    " + _marked(hit["snippet"], hit["highlights"], bold))


def _marked(snippet: str, spans: list[list[int]], bold: bool) -> str:
    on, off = ("\x1b[1m", "\x1b[0m") if bold else ("«", "»")
    pieces = segments(snippet, spans)
    return "".join(f"{on}{_plain(text)}{off}" if lit else _plain(text) for text, lit in pieces)


def _plain(text: str) -> str:
    """One line, without control characters."""
    return _CONTROL.sub("", re.sub(r"\s+", " ", text))


def export(args: Namespace, paths: AppPaths, out: Output) -> int:
    if bool(args.ids) == args.all:
        raise UsageError("give the ids of the conversations to export, or --all.")
    with Store(paths.database) as store:
        doc = exporting.document(store, None if args.all else args.ids)
    text = exporting.render(doc, args.format)
    if args.output is None:
        sys.stdout.write(text)
    else:
        exporting.write_file(args.output, text)
        count = len(doc["conversations"])
        out.note(f"exported {count} conversation{'s' if count != 1 else ''} to {args.output}")
    return 0


def import_(args: Namespace, paths: AppPaths, out: Output) -> int:
    doc = importing.read(args.file)
    with Store(paths.database) as store:
        ids = importing.store_document(store, doc)
    messages = sum(len(c["messages"]) for c in doc["conversations"])
    out.result(
        {"conversations": ids, "messages": messages},
        [f"imported {len(ids)} conversation(s), {messages} message(s)"],
    )
    return 0
