"""Markdown → the HTML subset Qt rich text understands, with code highlighted by Pygments and
LaTeX ($…$, \\(…\\), $$…$$, \\[…\\]) drawn by ziamath as inline SVG images. No web engine
and no Qt here: the UI puts the result in a widget that loads no resource (ui/safe_text.py).

The text is untrusted (a model's answer, a document heading): raw HTML is shown as text, never
interpreted; a Markdown image is shown as its description and address, never loaded; a link
keeps only an http(s) or file address (the view decides what a click may open); the only
<img> in the output is a formula the app drew itself. Work is bounded: past MAX_MARKDOWN_CHARS
the text is shown as written, and formulas have a budget of layout work per answer.
`render_with_code` also gives each code block a "Copy code" link (COPY_CODE scheme and the
block's number): only this module writes one, and a view answers it by copying that block.

Colours come per scheme (LOOKS: code background, Pygments style, formula ink), light unless
the caller says dark: render_markdown(text, dark=True). ui/theme.py names them with the rest of
the app's colours and tests their contrast; they live here because core imports no UI.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from desktop_app.core.formulas import MAX_FORMULA_COST, as_code, cost, latex_image

__all__ = [
    "render_markdown",
    "render_with_code",
    "FormulaBudget",
    "latex_image",
    "CODE_BG",
    "COPY_CODE",
    "LOOKS",
    "Look",
]


@dataclass(frozen=True)
class Look:
    """How rendered text looks in one colour scheme."""

    code_bg: str  # behind code blocks
    code_label: str  # the language name above a code block
    pygments_style: str  # every token colour ≥ 4.5:1 against code_bg (tests/ui/test_theme.py)
    ink: str  # formulas (ziamath)


LOOKS = {
    False: Look("#f6f8fa", "#57606a", "xcode", "#1f2328"),
    True: Look("#15171a", "#a6abb3", "lightbulb", "#e6e7e9"),
}
CODE_BG = LOOKS[False].code_bg
# Markdown parsing is linear but slow on hostile text (≈75 µs a character for "![" repeated).
MAX_MARKDOWN_CHARS = 40_000
MAX_FORMULAS = 200
MAX_FORMULAS_COST = 4000  # layout units for all formulas of one text (formulas.py)
LINK_SCHEMES = ("http:", "https:", "file:")
COPY_CODE = "copy-code"  # the scheme of a code block's Copy link: "copy-code:3"
_PLACEHOLDER = re.compile(r"SWMATH([0-9a-f]{8})N(\d+)X")
_TAG_OR_PLACEHOLDER = re.compile(r"<[^>]*>|" + _PLACEHOLDER.pattern)


@lru_cache(maxsize=4)
def _formatter(style: str) -> HtmlFormatter:
    return HtmlFormatter(noclasses=True, nowrap=True, style=style)


def _lexer(lang: str):
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return get_lexer_by_name("text")


# The languages of most code in answers: their lexers are imported ahead (warm_up).
WARM_LANGUAGES = (
    "python", "bash", "javascript", "typescript", "json", "rust", "c", "cpp", "java", "go",
    "sql", "html", "css", "yaml",
)  # fmt: skip


def warm_up() -> None:
    """Import what the first code and formulas of an answer need: pygments' lexers, formatter
    and styles, and the formula drawer (together about 0.4 s). Markdown is rendered ahead in
    another process, so without this the first python block of a streamed answer held the
    GUI thread for 64 ms (benchmarks/long_chat.py). For a thread, once the window is up."""
    import ziamath  # noqa: F401

    for lang in WARM_LANGUAGES:
        _lexer(lang)
    for look in LOOKS.values():
        highlight("x = 1", _lexer("python"), _formatter(look.pygments_style))


def _code_block(code: str, lang: str, env: dict) -> str:
    look: Look = env["look"]
    body = highlight(code, _lexer(lang), _formatter(look.pygments_style)) if lang else None
    words = [html.escape(lang)] if lang else []
    blocks: list[str] | None = env.get("code")
    if blocks is not None:  # the caller answers the link: it copies blocks[n]
        words.append(f'<a href="{COPY_CODE}:{len(blocks)}">Copy code</a>')
        blocks.append(code)
    label = (
        f'<span style="color:{look.code_label};font-size:small">{" · ".join(words)}</span><br/>'
        if words
        else ""
    )
    # Qt rich text ignores most CSS on <pre>/<div>; a one-cell table carries the background.
    # Untinted tokens take the look's ink, not the widget's text colour: readable on code_bg
    # whichever scheme the window is in.
    return (
        f'<table width="100%" cellpadding="8" cellspacing="0" bgcolor="{look.code_bg}"><tr><td>'
        f'{label}<pre style="margin:0"><span style="color:{look.ink}">'
        f"{body or html.escape(code)}</span></pre></td></tr></table>"
    )


# -- render rules: code shows formulas as written; images become text -------------------------
def _fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    lang = token.info.strip().split()[0] if token.info.strip() else ""
    return _code_block(_sources(token.content, env), lang, env)


def _indented_code(self, tokens, idx, options, env) -> str:
    return _code_block(_sources(tokens[idx].content, env), "", env)


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


@dataclass
class FormulaBudget:
    """The formula drawing one answer may cost, shared by the renders of its parts: a formula
    is charged once however often it is shown (the drawings are cached)."""

    drawn: int = 0
    spent: int = 0
    charged: set[tuple[str, bool]] = field(default_factory=set)

    def allows(self, latex: str, display: bool) -> bool:
        if (latex, display) in self.charged:
            return True
        work = cost(latex)
        if work is None or work > MAX_FORMULA_COST:
            return False
        if self.drawn >= MAX_FORMULAS or self.spent + work > MAX_FORMULAS_COST:
            return False
        self.charged.add((latex, display))
        self.drawn += 1
        self.spent += work
        return True


class _Formulas:
    """The formulas taken out of a text before Markdown, drawn where they land as text."""

    def __init__(self, ink: str, budget: FormulaBudget | None = None) -> None:
        self.ink = ink
        self.nonce = secrets.token_hex(4)  # a model cannot write a placeholder on purpose
        self.held: list[tuple[str, str, bool]] = []  # (source as written, LaTeX, display)
        self.budget = budget or FormulaBudget()

    def hold(self, match: re.Match) -> str:
        display = bool(match.group("d1") or match.group("d2"))
        latex = next(g for g in match.groups() if g is not None).strip()
        self.held.append((match.group(0), latex, display))
        return f"SWMATH{self.nonce}N{len(self.held) - 1}X"

    def mine(self, match: re.Match, group: int = 1) -> bool:
        """A placeholder this object wrote (the model cannot guess the nonce)."""
        return match.group(group) == self.nonce and int(match.group(group + 1)) < len(self.held)

    def sources_in(self, text: str) -> str:
        """Each placeholder back to the formula as written."""
        return _PLACEHOLDER.sub(lambda m: self.source(int(m[2])) if self.mine(m) else m[0], text)

    def source(self, index: int) -> str:
        return self.held[index][0]

    def escaped_source(self, match: re.Match) -> str:
        return html.escape(self.source(int(match[2]))) if self.mine(match) else match[0]

    def image(self, index: int) -> str:
        """The formula drawn, or as written once the answer's budget is spent."""
        _, latex, display = self.held[index]
        if not self.budget.allows(latex, display):
            return as_code(latex)
        return latex_image(latex, display, self.ink)

    def put_back(self, rendered: str) -> str:
        """Images where text was; the source inside tags (a formula in a link address)."""

        def put(m: re.Match) -> str:
            if m.group(1) is None:  # a tag
                return _PLACEHOLDER.sub(lambda p: self.escaped_source(p), m[0])
            return self.image(int(m.group(2))) if self.mine(m) else m[0]

        return _TAG_OR_PLACEHOLDER.sub(put, rendered) if self.held else rendered


def _sources(text: str, env: dict) -> str:
    """Code shows its formulas as written."""
    formulas: _Formulas | None = env.get("formulas")
    if formulas is None or not formulas.held:
        return text
    return formulas.sources_in(text)


def render_markdown(text: str, dark: bool = False) -> str:
    """`text` as Qt rich text, coloured for a dark background when `dark`."""
    return _render(text, {}, dark=dark)


def render_with_code(
    text: str, budget: FormulaBudget | None = None, dark: bool = False
) -> tuple[str, list[str]]:
    """The HTML with a "Copy code" link on each code block, and the blocks as written. The
    parts of one answer (core/blocks.py) share one `budget`."""
    blocks: list[str] = []
    return _render(text, {"code": blocks}, budget, dark), blocks


def _render(
    text: str, env: dict, budget: FormulaBudget | None = None, dark: bool = False
) -> str:
    look = LOOKS[dark]
    text, rest = text[:MAX_MARKDOWN_CHARS], text[MAX_MARKDOWN_CHARS:]
    formulas = _Formulas(look.ink, budget)
    held = MATH.sub(formulas.hold, text) if "$" in text or "\\" in text else text
    rendered = formulas.put_back(
        _markdown().render(held, {**env, "formulas": formulas, "look": look})
    )
    if rest:  # shown as written: bounded time for any length
        rendered += "<p>" + html.escape(rest).replace("\n", "<br/>") + "</p>"
    return rendered
