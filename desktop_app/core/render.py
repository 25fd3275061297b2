"""Markdown → the HTML subset Qt rich text understands, with code highlighted by Pygments and
LaTeX ($…$, \\(…\\), $$…$$, \\[…\\]) drawn by ziamath as inline SVG images. No web engine
and no Qt here: the UI puts the result in a label.

Raw HTML in a model's answer is shown as text, never interpreted.
"""

from __future__ import annotations

import base64
import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound

CODE_BG = "#f4f5f7"
_FORMATTER = HtmlFormatter(noclasses=True, nowrap=True, style="friendly")


def _lexer(lang: str, code: str):
    try:
        return get_lexer_by_name(lang) if lang else guess_lexer(code)
    except ClassNotFound:
        return get_lexer_by_name("text")


def _fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    lang = token.info.strip().split()[0] if token.info.strip() else ""
    return _code_block(token.content, lang)


def _code_block(code: str, lang: str) -> str:
    body = highlight(code, _lexer(lang, code), _FORMATTER) if lang else html.escape(code)
    label = (
        f'<span style="color:#888;font-size:small">{html.escape(lang)}</span><br/>' if lang else ""
    )
    # Qt rich text ignores most CSS on <pre>/<div>; a one-cell table carries the background.
    return (
        f'<table width="100%" cellpadding="8" cellspacing="0" bgcolor="{CODE_BG}"><tr><td>'
        f'{label}<pre style="margin:0">{body}</pre></td></tr></table>'
    )


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    md.add_render_rule("fence", _fence)
    # Source citations link to local files; the view decides what a click may open.
    default_validate = md.validateLink
    md.validateLink = lambda url: url.lower().startswith("file:") or default_validate(url)
    return md.enable(["table", "strikethrough"])


# Display math first; inline $…$ must not start or end with a space and must not be followed
# by a digit, so "$5 and $10" stays money.
MATH = re.compile(
    r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)"
    r"|(?<![\\$\w])\$(?P<i2>[^\s$](?:[^$\n]*?[^\s$])?)\$(?!\d)",
    re.S,
)


@lru_cache(maxsize=512)
def latex_image(latex: str, display: bool) -> str:
    """An <img> with the formula as an SVG data URL; the source as code if it cannot be drawn."""
    try:
        import ziamath

        ziamath.config.svg2 = False  # plain SVG 1.1: Qt's renderer skips <symbol>/<use>
        svg = ziamath.Math.fromlatex(latex, size=20 if display else 16).svg()
    except Exception:  # any LaTeX the renderer cannot handle is shown as written
        return f"<code>{html.escape(latex)}</code>"
    data = base64.b64encode(svg.encode()).decode()
    image = f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(latex)}"/>'
    return f'<p align="center">{image}</p>' if display else image


def render_markdown(text: str) -> str:
    formulas: list[str] = []

    def hold(match: re.Match) -> str:
        display = bool(match.group("d1") or match.group("d2"))
        latex = next(g for g in match.groups() if g is not None).strip()
        formulas.append(latex_image(latex, display))
        return f"SWMATH{len(formulas) - 1}X"

    rendered = _markdown().render(MATH.sub(hold, text) if "$" in text or "\\" in text else text)
    return re.sub(r"SWMATH(\d+)X", lambda m: formulas[int(m.group(1))], rendered)
