"""Markdown, code and LaTeX to Qt rich text (no web engine)."""

from __future__ import annotations

import base64
import re

from desktop_app.core.render import render_markdown


def svgs(html: str) -> list[str]:
    return [
        base64.b64decode(d).decode()
        for d in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]


def test_markdown_code_and_escaped_html() -> None:
    html = render_markdown("**bold** and `code`\n\n```python\nprint(1)\n```\n\n<script>x</script>")
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert 'style="color' in html  # Pygments colours, inline
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_inline_and_display_latex_become_svg_images() -> None:
    html = render_markdown(r"Area $\pi r^2$, and $$x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}$$")
    images = svgs(html)
    assert len(images) == 2 and all(i.startswith("<svg") and "<path" in i for i in images)
    assert "<symbol" not in images[0]  # SVG 1.1, which Qt draws
    assert '<p align="center"><img' in html  # display math on its own line
    assert len(svgs(render_markdown(r"inline \(x^2\) and \[y = 2\]"))) == 2


def test_money_is_not_math_and_bad_latex_is_shown_as_written() -> None:
    assert svgs(render_markdown("It costs $5 and $10 in total.")) == []
    assert "$5 and $10" in render_markdown("It costs $5 and $10 in total.")
    html = render_markdown(r"broken $\frac{1$ here")
    assert svgs(html) == [] and "<code>" in html
