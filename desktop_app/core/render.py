"""Markdown → the HTML subset Qt rich text understands, with code highlighted by Pygments.
No web engine and no Qt here: the UI puts the result in a label.

Raw HTML in a model's answer is shown as text, never interpreted.
"""

from __future__ import annotations

import html
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


def render_markdown(text: str) -> str:
    return _markdown().render(text)
