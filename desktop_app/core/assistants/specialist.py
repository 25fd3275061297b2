"""What a specialist adds around one answer: the Support assistant's grounding in the user's
documents before, and the Math assistant's reasoning split and arithmetic check after. Shared by
the CLI and the window. No Qt here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from desktop_app.core.assistants import think
from desktop_app.core.assistants.knowledge import (
    Hit,
    KnowledgeBase,
    covered,
    grounded_question,
    source_title,
)
from desktop_app.core.assistants.registry import Assistant


def ground(kb: KnowledgeBase, question: str, k: int = 4) -> tuple[list[Hit], str | None]:
    """The passages to answer from and the question carrying them; (…, None) when the
    documents do not cover the question."""
    hits = kb.search(question, k=k)
    hits = [h for h in hits if h.coverage >= 0.25] if covered(hits) else []
    return hits, grounded_question(question, hits) if hits else None


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
