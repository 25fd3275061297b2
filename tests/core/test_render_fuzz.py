"""Fuzzing the Markdown/LaTeX renderer with generated text (hypothesis): whatever a model
writes, rendering ends in bounded time and its HTML holds only the renderer's own markup: no
tag or attribute from the text, no picture but a formula the app drew, no link but http(s) and
file. And a source title from a document shows as written, inside exactly one link."""

from __future__ import annotations

import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.assistants.knowledge import Hit
from desktop_app.core.assistants.specialist import sources_footer
from desktop_app.core.formulas import own_image
from desktop_app.core.render import render_markdown

# What the renderer itself writes, and where.
TAGS = {
    "p": {"align"}, "br": set(), "hr": set(), "strong": set(), "em": set(), "s": set(),
    "code": set(), "pre": {"style"}, "span": {"style"}, "blockquote": set(),
    "ul": set(), "ol": {"start"}, "li": set(), "a": {"href"}, "img": {"src", "alt"},
    "table": {"width", "cellpadding", "cellspacing", "bgcolor"}, "thead": set(),
    "tbody": set(), "tr": set(), "td": {"style"}, "th": {"style"},
    **{f"h{i}": set() for i in range(1, 7)},
}  # fmt: skip
LINK_SCHEMES = ("http:", "https:", "file:")
SECONDS = 3.0  # per text: the worst case measured for 40,000 hostile characters is ≈3 s

FRAGMENTS = [
    "![x](file:///dev/zero)", "![", "](", ")", "[", "]", "(", "<img src=x>",
    '<img src="/etc/passwd">',
    "<script>", "</script>", "<a href='javascript:alert(1)'>", "<think>", "</think>", "file:///",
    "javascript:", "data:image/svg+xml;base64,PHN2Zz4=", "smb://h/s", "https://e.org/", "<", ">",
    "&", "&lt;", "&#x3C;", "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\frac{1}{", "}", "{", "^",
    "`", "```", "```python\n", "~~~", "*", "**", "_", "|", "|-|", "#", "> ", "- ", "1. ", "\n",
    "\n\n", "    ", "\\", "SWMATH0X", "SWMATH", "<!--", "-->", "<http://e.org>", "<x:y>", "[a]: ",
    '"', "'", "\x00", "\u2028", "é", "𝑥",
]  # fmt: skip
texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40
).map("".join)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.links: list[tuple[str, str]] = []  # (href, text inside)
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        self.found.append((tag, dict(attrs)))
        if tag == "a":
            self._link = [dict(attrs).get("href") or "", ""]

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.found.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1]))
            self._link = None


def tags(markup: str) -> Tags:
    parser = Tags()
    parser.feed(markup)
    parser.close()
    return parser


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    render_markdown("$x$")  # the formula font loads once (≈0.5 s), not inside a timed case


@settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(texts)
def test_any_text_renders_safely_in_bounded_time(text: str) -> None:
    started = time.perf_counter()
    markup = render_markdown(text)
    assert time.perf_counter() - started < SECONDS
    for tag, attrs in tags(markup).found:
        assert tag in TAGS, (tag, text)
        assert set(attrs) <= TAGS[tag], (tag, attrs, text)
        if tag == "img":
            assert own_image(attrs["src"] or "") is not None, text
        if tag == "a":
            assert (attrs["href"] or "").lower().startswith(LINK_SCHEMES), (attrs, text)


titles = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
) | st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)


@settings(max_examples=400, deadline=None, database=None)
@given(titles)
def test_a_source_title_shows_as_written_inside_one_link(title: str) -> None:
    path = Path("/home/me/docs/guide.md")
    hit = Hit(str(path), title, 1.0, "text", 1.0)
    found = tags(render_markdown(sources_footer([hit.cited()])))
    shown = " ".join(hit.source.split()).replace("\x00", "\ufffd")  # as CommonMark says
    assert found.links == [(path.as_uri(), shown)]
    assert [t for t, _ in found.found if t == "img"] == []
