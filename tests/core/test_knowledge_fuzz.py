"""Fuzzing the knowledge base's HTML import with generated pages (hypothesis): reading a page
never raises and ends in bounded time, headings are one line of plain text, and a page comes
back as written: its headings as their text (never as markup), its words all there."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.assistants.reading import (
    CHUNK_CHARS,
    MAX_HEADING_CHARS,
    chunks,
    sections,
)

SECONDS = 2.0
PIECES = [
    "<h1>", "</h1>", "<h2>", "</h2>", "<h3 class=x>", "</h3>", "<h4>", "<p>", "</p>", "<br>",
    "<div>", "</div>", "<li>", "<tr>", "<script>", "</script>", "<style>", "</style>", "<b>",
    "</b>", "<img src=file:///dev/zero>", "<a href='javascript:x'>", "</a>", "<!--", "-->",
    "<!DOCTYPE html>", "<![CDATA[", "]]>", "<?xml ?>", "&lt;", "&gt;", "&amp;", "&#0;",
    "&#x110000;", "&#9999999999;", "&nbsp;", "&", "<", ">", "</", "<h1", "\n", "\r\n", "\t",
    " ", "\x00", "é",
]  # fmt: skip
garbage = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=10)), max_size=60
).map("".join)
words = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1)
plain = st.lists(words, min_size=1, max_size=8).map(" ".join)
blocks = st.lists(
    st.tuples(st.sampled_from(["h1", "h2", "h3", "h4", "p", "li", "script"]), plain),
    min_size=1,
    max_size=12,
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "page.html"


def read(page: Path, markup: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    page.write_text(markup, encoding="utf-8", errors="surrogatepass")
    started = time.perf_counter()
    found = sections(page), chunks(page)
    assert time.perf_counter() - started < SECONDS
    return found


def one_line(heading: str) -> bool:
    return heading == " ".join(heading.split()) and len(heading) <= MAX_HEADING_CHARS


@settings(
    max_examples=600,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(garbage)
def test_any_page_is_read_without_error_in_bounded_time(page: Path, markup: str) -> None:
    found, pieces = read(page, markup)
    assert all(one_line(heading) for heading, _ in found + pieces)
    assert all(len(text) <= 2 * CHUNK_CHARS for _, text in pieces)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(["", "</script>", "</style>", "</h2>", "</p>", "<br/>"]), blocks)
def test_a_page_comes_back_as_written(page: Path, stray: str, items) -> None:
    # A stray end tag first: malformed markup must not lose what follows it.
    markup = stray + "".join(f"<{tag}>{html.escape(text)}</{tag}>" for tag, text in items)
    found, pieces = read(page, markup)
    expected = [" ".join(text.split()) for tag, text in items if tag.startswith("h")]
    cut = [h if len(h) <= MAX_HEADING_CHARS else h[: MAX_HEADING_CHARS - 1] + "…" for h in expected]
    assert [heading for heading, _ in found[1:]] == cut
    body = [w for tag, text in items if tag in ("p", "li") for w in text.split()]
    assert sorted(" ".join(text for _, text in pieces).split()) == sorted(body)
