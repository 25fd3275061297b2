"""Markdown → the HTML subset Qt rich text understands, with code highlighted by Pygments and
LaTeX ($…$, \\(…\\), $$…$$, \\[…\\]) drawn by ziamath as inline SVG images. No web engine
and no Qt here: the UI puts the result in a widget that loads no resource (ui/safe_text.py).

The text is untrusted (a model's answer, a document heading): raw HTML is shown as text, never
interpreted; a Markdown image is shown as its description and address, never loaded; a link
keeps only an http(s) or file address (the view decides what a click may open); the only
<img> in the output is a formula the app drew itself. Work is bounded: past MAX_MARKDOWN_CHARS
the text is shown as written, and formulas have a budget of layout work per answer.
"""

from __future__ import annotations

import html
import re
import secrets
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from desktop_app.core.formulas import MAX_FORMULA_COST, as_code, cost, latex_image

__all__ = ["render_markdown", "latex_image", "CODE_BG"]

CODE_BG = "#f4f5f7"
# Markdown parsing is linear but slow on hostile text (≈75 µs a character for "![" repeated).
MAX_MARKDOWN_CHARS = 40_000
MAX_FORMULAS = 200
MAX_FORMULAS_COST = 4000  # layout units for all formulas of one text (formulas.py)
LINK_SCHEMES = ("http:", "https:", "file:")
_FORMATTER = HtmlFormatter(noclasses=True, nowrap=True, style="friendly")


def _lexer(lang: str):
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return get_lexer_by_name("text")


def _code_block(code: str, lang: str) -> str:
    body = highlight(code, _lexer(lang), _FORMATTER) if lang else html.escape(code)
    label = (
        f'<span style="color:#888;font-size:small">{html.escape(lang)}</span><br/>' if lang else ""
    )
    # Qt rich text ignores most CSS on <pre>/<div>; a one-cell table carries the background.
    return (
        f'<table width="100%" cellpadding="8" cellspacing="0" bgcolor="{CODE_BG}"><tr><td>'
        f'{label}<pre style="margin:0">{body}</pre></td></tr></table>'
    )


# -- render rules: code shows formulas as written; images become text -------------------------
def _fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    lang = token.info.strip().split()[0] if token.info.strip() else ""
    return _code_block(_sources(token.content, env), lang)


def _indented_code(self, tokens, idx, options, env) -> str:
    return _code_block(_sources(tokens[idx].content, env), "")


def _code_inline(self, tokens, idx, options, env) -> str:
    return f"<code>{html.escape(_sources(tokens[idx].content, env))}</code>"


def _image_as_text(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    address = _sources(str(token.attrGet("src") or ""), env)
    return f"{html.escape(alt)} ({html.escape(address)})"


def _valid_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def _drop_bad_links(state: Any) -> None:
    """A link whose address Markdown never validated (an empty one: `[x]()`) keeps its text
    and loses the link."""
    for block in state.tokens:
        children, kept, dropping = block.children or [], [], 0
        for token in children:
            if token.type == "link_open" and not _valid_link(str(token.attrGet("href") or "")):
                dropping += 1
                continue
            if token.type == "link_close" and dropping:
                dropping -= 1
                continue
            kept.append(token)
        if block.children:
            block.children = kept


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _indented_code)
    md.add_render_rule("code_inline", _code_inline)
    md.add_render_rule("image", _image_as_text)
    md.validateLink = _valid_link  # type: ignore[method-assign]  # markdown-it's documented hook
    md.core.ruler.push("drop_bad_links", _drop_bad_links)
    return md.enable(["table", "strikethrough"])


# -- formulas -----------------------------------------------------------------------------------
# Display math first; inline $…$ must not start or end with a space and must not be followed
# by a digit, so "$5 and $10" stays money. A backslash before a delimiter escapes it. The
# lengths are bounded so an unclosed delimiter costs a bounded scan, not one to the end.
MATH = re.compile(
    r"(?<!\\)\$\$(?P<d1>.{1,1000}?)\$\$|(?<!\\)\\\[(?P<d2>.{1,1000}?)\\\]"
    r"|(?<!\\)\\\((?P<i1>.{1,1000}?)\\\)"
    r"|(?<![\\$\w])\$(?P<i2>[^\s$](?:[^$\n]{0,1000}?[^\s$])?)\$(?!\d)",
    re.S,
)


class _Formulas:
    """The formulas taken out of a text before Markdown, drawn where they land as text."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(4)  # a model cannot write a placeholder on purpose
        self.held: list[tuple[str, str, bool]] = []  # (source as written, LaTeX, display)
        self.drawn = 0
        self.spent = 0

    def hold(self, match: re.Match) -> str:
        display = bool(match.group("d1") or match.group("d2"))
        latex = next(g for g in match.groups() if g is not None).strip()
        self.held.append((match.group(0), latex, display))
        return f"SWMATH{self.nonce}N{len(self.held) - 1}X"

    def pattern(self) -> re.Pattern:
        return re.compile(rf"SWMATH{self.nonce}N(\d+)X")

    def source(self, index: int) -> str:
        return self.held[index][0]

    def image(self, index: int) -> str:
        """The formula drawn, or as written once the answer's budget is spent."""
        _, latex, display = self.held[index]
        work = cost(latex)
        if work is None or work > MAX_FORMULA_COST:
            return as_code(latex)
        if self.drawn >= MAX_FORMULAS or self.spent + work > MAX_FORMULAS_COST:
            return as_code(latex)
        self.drawn += 1
        self.spent += work
        return latex_image(latex, display)

    def put_back(self, rendered: str) -> str:
        """Images where text was; the source inside tags (a formula in a link address)."""
        placeholder = self.pattern()

        def put(m: re.Match) -> str:
            if m.group(1) is None:  # a tag
                return placeholder.sub(lambda p: html.escape(self.source(int(p[1]))), m[0])
            return self.image(int(m.group(1)))

        return re.sub(rf"<[^>]*>|SWMATH{self.nonce}N(\d+)X", put, rendered)


def _sources(text: str, env: dict) -> str:
    """Code shows its formulas as written."""
    formulas: _Formulas | None = env.get("formulas")
    if formulas is None:
        return text
    return formulas.pattern().sub(lambda m: formulas.source(int(m.group(1))), text)


def render_markdown(text: str) -> str:
    text, rest = text[:MAX_MARKDOWN_CHARS], text[MAX_MARKDOWN_CHARS:]
    formulas = _Formulas()
    held = MATH.sub(formulas.hold, text) if "$" in text or "\\" in text else text
    rendered = formulas.put_back(_markdown().render(held, {"formulas": formulas}))
    if rest:  # shown as written: bounded time for any length
        rendered += "<p>" + html.escape(rest).replace("\n", "<br/>") + "</p>"
    return rendered
