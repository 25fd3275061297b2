"""Markdown, code and LaTeX to Qt rich text (no web engine)."""

from __future__ import annotations

import base64
import re
import time

import pytest

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


def test_markdown_images_are_shown_as_text_and_never_loaded() -> None:
    html = render_markdown(
        "![x](file:///dev/zero) ![logo](https://example.org/logo.png) ![pipe](/tmp/pipe)"
    )
    assert "<img" not in html
    assert "x (file:///dev/zero)" in html and "logo (https://example.org/logo.png)" in html


def test_raw_html_images_are_shown_as_written() -> None:
    html = render_markdown('<img src="/etc/passwd"> and <b>bold</b>')
    assert "<img" not in html and "<b>" not in html and "&lt;img src=" in html


def test_links_keep_only_web_and_file_addresses() -> None:
    for url in ("javascript:alert(1)", "smb://server/x", "x-custom:run", "ftp://e.org/f", "#top"):
        assert "<a " not in render_markdown(f"[click]({url}) <{url}>"), url
    html = render_markdown("[web](https://example.org/a) [doc](file:///home/me/notes.md)")
    assert '<a href="https://example.org/a">' in html
    assert '<a href="file:///home/me/notes.md">' in html


def test_text_that_looks_like_the_formula_placeholder_is_just_text() -> None:
    assert "SWMATH0X" in render_markdown("SWMATH0X and SWMATH7X")
    assert "SWMATH0X" in render_markdown("SWMATH0X and $x$")


def test_formulas_in_code_stay_source() -> None:
    html = render_markdown("`$x$` and\n\n```python\nprice = '$a$'\n```\n\n$y$")
    assert "<code>$x$</code>" in html and "$a$" in html and len(svgs(html)) == 1


def test_a_formula_in_a_link_address_does_not_break_the_html() -> None:
    html = render_markdown("[see](https://example.org/$x$) $y$")
    assert html.count("<img") == 1 and '<a href="https://example.org/$x$">' in html


def test_deeply_nested_formulas_are_shown_as_source_quickly() -> None:
    # The formula drawer takes twice as long for every level of nesting (8 s at 10 levels).
    started = time.perf_counter()
    nested = r"\frac{1}{" * 12 + "x" + "}" * 12
    html = render_markdown(f"${nested}$ and $$" + "{" * 30 + "y" + "}" * 30 + "$$")
    assert svgs(html) == [] and html.count("<code>") == 2
    assert time.perf_counter() - started < 1.0


def test_many_formulas_in_one_answer_are_bounded() -> None:
    started = time.perf_counter()
    html = render_markdown(" ".join(f"$x_{{{i}}}^2$" for i in range(400)))
    assert 0 < len(svgs(html)) < 400 and "<code>" in html
    assert time.perf_counter() - started < 30


PATHOLOGICAL = {
    "unclosed display math": "\\[ a " * 20_000,
    "unclosed inline math": "\\( a " * 20_000,
    "nested brackets": "[" * 20_000 + "a" + "]" * 20_000,
    "unclosed links": "[a](" * 20_000,
    "emphasis": "*a **a " * 20_000,
    "image openers": "![" * 20_000,
    "a long table": "|a|b|\n|-|-|\n" + "|x|y|\n" * 20_000,
    "one huge line": "word " * 100_000,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_input_renders_in_bounded_time(name: str) -> None:
    text = PATHOLOGICAL[name]
    started = time.perf_counter()
    html = render_markdown(text)
    assert time.perf_counter() - started < 8, name
    assert len(html) < 20 * len(text)


def test_a_link_without_an_address_keeps_its_text_only() -> None:
    html = render_markdown("[x]() and [y](https://example.org/)")
    assert 'href=""' not in html and ">x<" not in html and "x and" in html
    assert '<a href="https://example.org/">y</a>' in html
