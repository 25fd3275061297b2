"""Conversations out of the app: JSON (complete — every field of every message of every
branch, the conversation's settings and active branch; `core.importing` reads it back without
loss), Markdown (the branch on screen, then the other versions) and one self-contained HTML
file (the renderer's output: code highlighted, formulas as embedded images; no script and no
remote resource, forbidden again by a Content-Security-Policy). No Qt here.

JSON document, version 1:
    {"format": "smallwise.conversations", "version": 1, "exported_at": …, "app": …,
     "conversations": [{"id", "title", "named", "created_at", "updated_at", "settings",
                        "active_leaf", "messages": [{MESSAGE_FIELDS…}, …]}]}
Messages are listed oldest first, so a message's parent always comes before it.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from desktop_app import APP_NAME, __version__
from desktop_app.core import branches
from desktop_app.core.assistants import think
from desktop_app.core.assistants.specialist import sources_footer
from desktop_app.core.errors import UsageError
from desktop_app.core.render import render_markdown
from desktop_app.core.store import MESSAGE_META, now

FORMAT, VERSION = "smallwise.conversations", 1
FORMATS = ("md", "json", "html")
CONVERSATION_FIELDS = ("id", "title", "named", "created_at", "updated_at")
# Every column of a message (a test holds this to the table): the store's own metadata between.
MESSAGE_FIELDS = (
    "id",
    "parent_id",
    "role",
    "content",
    "status",
    *MESSAGE_META,
    "extras",
    "created_at",
)
ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "Instructions"}
NOTES = {
    "stopped": "Stopped by you.",
    "interrupted": "Interrupted.",
    "error": "No answer.",
}
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'"
)


def document(store: Any, conversation_ids: list[int] | None = None) -> dict[str, Any]:
    """The export of the conversations named (all of them, newest first, for None)."""
    if conversation_ids is None:
        conversation_ids = [c["id"] for c in store.conversations()]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now(),
        "app": f"{APP_NAME} {__version__}",
        "conversations": [_conversation(store, cid) for cid in conversation_ids],
    }


def _conversation(store: Any, conversation_id: int) -> dict[str, Any]:
    row = store.conversation(conversation_id)
    found = {k: row[k] for k in CONVERSATION_FIELDS}
    found["named"] = bool(found["named"])
    return {
        **found,
        "settings": store.conversation_settings(conversation_id),
        "active_leaf": store.active_leaf(conversation_id),
        "messages": [
            {k: m[k] for k in MESSAGE_FIELDS} for m in store.all_messages(conversation_id)
        ],
    }


def write_file(path: Path, text: str) -> None:
    """Whole or not at all: a file that was there stays until the new one is complete.
    UsageError (with what to do) when it cannot be written."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(
            f"{path} cannot be written ({exc.strerror or exc}). Choose another folder."
        ) from exc


def render(doc: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if fmt == "md":
        return "\n\n---\n\n".join(markdown(c) for c in doc["conversations"]) + "\n"
    if fmt == "html":
        return page(doc)
    raise ValueError(f"unknown export format {fmt!r}")


# -- reading order: the branch on screen, then the other versions ------------------------------
def shown_and_other(conv: dict[str, Any]) -> tuple[list[dict], list[list[dict]]]:
    """The active branch, and each other branch from where it leaves the ones before it."""
    rows = conv["messages"]
    by_id = {m["id"]: m for m in rows}
    parents = {m["id"]: m["parent_id"] for m in rows}
    shown = branches.path(parents, conv["active_leaf"] or (rows[-1]["id"] if rows else None))
    seen = set(shown)
    kids = branches.children(rows)
    others = []
    for leaf in (m["id"] for m in rows if m["id"] not in kids and m["id"] not in seen):
        ids = branches.path(parents, leaf)
        new = [i for i in ids if i not in seen]
        seen.update(new)
        others.append([by_id[i] for i in new])
    return [by_id[i] for i in shown], others


def _version_note(message: dict[str, Any], conv: dict[str, Any]) -> str:
    siblings = [m["id"] for m in conv["messages"] if m["parent_id"] == message["parent_id"]]
    if len(siblings) < 2:
        return ""
    return f"version {siblings.index(message['id']) + 1} of {len(siblings)}"


def _about(message: dict[str, Any], conv: dict[str, Any]) -> str:
    """The line under a message's name: version, model, quantization, speed, time."""
    parts = [_version_note(message, conv)]
    if message["role"] == "assistant":
        parts.append(" ".join(filter(None, (message["model_id"], message["quant"]))))
        if message["tokens_per_s"]:
            parts.append(f"{message['tokens_per_s']:.1f} tokens/s")
    parts.append((message["created_at"] or "")[:16].replace("T", " "))
    return " · ".join(p for p in parts if p)


def _notes(message: dict[str, Any]) -> list[str]:
    return [text for _, text in _kinds_of_notes(message)]


def _kinds_of_notes(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, text): "error" (how it ended, what went wrong), "muted" (cut at the limit),
    "ok" or "warning" (the math check, as the window colours it)."""
    notes = [("error", NOTES.get(message["status"], ""))]
    if message["error"]:
        notes.append(("error", message["error"]))
    if message["finish_reason"] == "length":
        notes.append(("muted", "Cut at the answer length limit."))
    extras = message["extras"] or {}
    if extras.get("math_check"):
        failed = any(not c.get("ok", True) for c in extras.get("checks") or [])
        notes.append(("warning" if failed else "ok", f"Math check: {extras['math_check']}"))
    return [(kind, text) for kind, text in notes if text]


# -- Markdown --------------------------------------------------------------------------------
def markdown(conv: dict[str, Any]) -> str:
    shown, others = shown_and_other(conv)
    parts = [f"# {' '.join(conv['title'].split())}", f"*{_when(conv)}*"]
    parts += [_markdown_message(m, conv) for m in shown]
    for n, branch in enumerate(others, 1):
        parts.append(f"## Other version {n}")
        parts += [_markdown_message(m, conv, level=3) for m in branch]
    return "\n\n".join(parts)


def _markdown_message(message: dict[str, Any], conv: dict[str, Any], level: int = 2) -> str:
    name = ROLE_NAMES.get(message["role"], message["role"])
    about = _about(message, conv)
    lines = [f"{'#' * level} {name}" + (f" ({about})" if about else "")]
    reasoning, answer = think.split_answer(message["content"])
    if reasoning.strip():
        lines.append("> **Reasoning**\n>\n" + "\n".join(f"> {x}" for x in reasoning.splitlines()))
    lines.append(answer.strip() or "*(no text)*")
    sources = (message["extras"] or {}).get("sources") or []
    if sources:
        lines.append(sources_footer(sources))
    lines += [f"*{note}*" for note in _notes(message)]
    return "\n\n".join(lines)


def _when(conv: dict[str, Any]) -> str:
    count = len(conv["messages"])
    started = (conv["created_at"] or "")[:16].replace("T", " ")
    return f"Started {started} UTC · {count} message{'s' if count != 1 else ''}"


# -- HTML ----------------------------------------------------------------------------------------
STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d1d1f; }
section { border-radius: 8px; padding: .6rem 1rem; margin: .8rem 0; }
section.user { background: #eef3fb; } section.assistant { background: #f7f7f8; }
header { font-weight: 600; } header small { font-weight: 400; color: #666; }
.note { font-style: italic; } .note.error { color: #a33; } .note.muted { color: #666; }
.note.ok { color: #1a7f37; } .note.warning { color: #8a5a00; font-weight: bold; }
.meta { color: #666; font-size: small; }
details { color: #555; border-left: 3px solid #ccc; padding-left: .6rem; white-space: pre-wrap; }
pre { white-space: pre-wrap; } img { vertical-align: middle; max-width: 100%; }
h2.other { margin-top: 2rem; font-size: 1.1rem; color: #555; }
"""


def page(doc: dict[str, Any]) -> str:
    """One HTML file that needs nothing else and runs nothing."""
    convs = doc["conversations"]
    title = convs[0]["title"] if len(convs) == 1 else f"{APP_NAME} conversations"
    body = "\n".join(_html_conversation(c) for c in convs)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style></head>\n<body>\n"
        f'{body}\n<p class="meta">Exported from {html.escape(doc["app"])} on '
        f"{html.escape(doc['exported_at'][:16].replace('T', ' '))} UTC.</p>\n</body></html>\n"
    )


def _html_conversation(conv: dict[str, Any]) -> str:
    shown, others = shown_and_other(conv)
    parts = [
        f"<article><h1>{html.escape(conv['title'])}</h1>",
        f'<p class="meta">{html.escape(_when(conv))}</p>',
    ]
    parts += [_html_message(m, conv) for m in shown]
    for n, branch in enumerate(others, 1):
        parts.append(f'<h2 class="other">Other version {n}</h2>')
        parts += [_html_message(m, conv) for m in branch]
    return "\n".join(parts) + "</article>"


def _html_message(message: dict[str, Any], conv: dict[str, Any]) -> str:
    name = ROLE_NAMES.get(message["role"], message["role"])
    role = message["role"] if message["role"] in ROLE_NAMES else "other"
    about = _about(message, conv)
    reasoning, answer = think.split_answer(message["content"])
    parts = [
        f'<section class="{role}"><header>{html.escape(name)} '
        f"<small>{html.escape(about)}</small></header>"
    ]
    if reasoning.strip():
        parts.append(
            f"<details><summary>Reasoning</summary>{html.escape(reasoning.strip())}</details>"
        )
    parts.append(render_markdown(answer))
    sources = (message["extras"] or {}).get("sources") or []
    if sources:
        parts.append(render_markdown(sources_footer(sources)))
    parts += [
        f'<p class="note {kind}">{html.escape(note)}</p>' for kind, note in _kinds_of_notes(message)
    ]
    return "\n".join(parts) + "</section>"
