"""What a specialist adds around one answer: the Support assistant's grounding in the user's
documents before, and the Math assistant's reasoning split and arithmetic check after. Shared by
the CLI and the window. No Qt here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.assistants import think
from desktop_app.core.assistants.knowledge import (
    NOT_COVERED,
    Hit,
    KnowledgeBase,
    grounded_question,
    judge,
    source_title,
)
from desktop_app.core.assistants.registry import Assistant

SHOWN_PASSAGE_CHARS = 300  # of each closest passage, when the documents only touch the question


@dataclass(frozen=True)
class Grounding:
    """What the documents say to a question: the passages, and either the question carrying
    them (`prompt`, for the model) or the app's own answer (`reply`): not covered at all, or
    only mentioned, with the closest passages shown instead of an answer made up from them."""

    hits: list[Hit]
    verdict: str  # "covered", "weak" or "none" (retrieval.verdict)
    prompt: str | None = None
    reply: str = ""


def ground(
    kb: KnowledgeBase, question: str, k: int = 4, collections: Sequence[str] | None = None
) -> Grounding:
    """The passages to answer from and the question carrying them, or the answer to give
    instead when the documents do not answer the question."""
    hits = kb.search(question, k=k, collections=collections)
    verdict = judge(hits, kb.unknown_terms(question, collections))
    if verdict == "covered":
        return Grounding(hits, verdict, grounded_question(question, hits))
    if verdict == "weak":
        return Grounding(hits[:3], verdict, reply=weak_answer(hits[:3]))
    return Grounding([], verdict, reply=NOT_COVERED)


def weak_answer(hits: list[Hit]) -> str:
    """The answer when the documents mention the question's subject but don't answer it."""
    topics = "; ".join(dict.fromkeys(markdown_text(h.source) for h in hits))
    lines = [
        f"Your documents mention this ({topics}) but don't answer it, so here is what they "
        "say rather than a guess. Closest passages:",
        "",
    ]
    for i, hit in enumerate(hits, 1):
        text = " ".join(hit.text.split())
        cut = text[:SHOWN_PASSAGE_CHARS] + ("…" if len(text) > SHOWN_PASSAGE_CHARS else "")
        lines.append(f"[{i}] **{markdown_text(hit.source)}**: {markdown_text(cut)}")
        lines.append("")
    return "\n".join(lines).rstrip()


# Every character Markdown (or the formula finder) could read as markup in a link's text. They
# become numeric character references, which Markdown shows but never reads as structure; a
# backslash escape would not do: "\\[" is also where a LaTeX formula starts.
_MARKUP = re.compile(r"[\\`*_\[\]<>!&$~|#{}()]")


def sources_footer(sources: list[dict[str, str]]) -> str:
    """A Markdown list of an answer's sources ({"path", "heading"}, as Hit.cited() keeps
    them), each a link that opens the file. A title comes from a document (its file name and
    heading), so it is escaped: it can never close the link or make one of its own."""
    lines = [
        f"{i}. [{markdown_text(source_title(s['path'], s['heading']))}]({Path(s['path']).as_uri()})"
        for i, s in enumerate(sources, 1)
    ]
    return "**Sources**\n\n" + "\n".join(lines)


def markdown_text(text: str) -> str:
    """`text` as Markdown that shows exactly `text`, on one line."""
    return _MARKUP.sub(lambda m: f"&#{ord(m[0])};", " ".join(text.split()))


def extras(assistant: Assistant | None, text: str, question: str | None = None) -> dict[str, Any]:
    """Reasoning (folded in the view) and the arithmetic check of a finished answer; the
    question, when given, supplies the equation that stated solutions must satisfy."""
    if assistant is None:
        return {}
    found: dict[str, Any] = {}
    if "think_folding" in assistant.features:
        found["reasoning"], text = think.split_answer(text)
    if "math_check" in assistant.features:
        from desktop_app.core.assistants import math_check  # sympy: ~0.6 s, only when needed

        checks = math_check.check(text, question=question)
        found["math_check"] = math_check.summary(checks)
        found["checks"] = [c.__dict__ for c in checks]
    return found
