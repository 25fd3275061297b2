"""The Gemma Terms of Use as plain text, from the copy the starter model's package carries
(a saved web page whose stylesheets, fonts and analytics would be fetched from Google when
opened). Only the article body is kept: headings, paragraphs and list items, in order.

Usage: python packaging/gemma_terms.py GEMMA_TERMS.html GEMMA_TERMS.txt
"""

import re
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

BLOCKS = {"p", "h1", "h2", "h3", "h4", "li", "div", "br", "tr"}


class ArticleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # <div> depth inside the article body; 0: outside
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        classes = dict(attrs).get("class") or ""
        if self.depth == 0 and tag == "div" and "devsite-article-body" in classes:
            self.depth = 1
            return
        if self.depth and tag == "div":
            self.depth += 1
        if self.depth and tag in BLOCKS:
            self.flush()
            self.prefix = {"li": "- ", "h1": "# ", "h2": "## ", "h3": "### "}.get(tag, "")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag in BLOCKS:
            self.flush()
        if self.depth and tag == "div":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.current.append(data)

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.blocks.append(
                textwrap.fill(self.prefix + text, 79, subsequent_indent=" " * len(self.prefix))
            )
        self.current, self.prefix = [], ""


def convert(html: str) -> str:
    parser = ArticleText()
    parser.feed(html)
    parser.flush()
    if len(parser.blocks) < 10:
        raise SystemExit("the Gemma terms page has no article body: its layout changed")
    return (
        "Gemma Terms of Use (from https://ai.google.dev/gemma/terms)\n\n"
        + "\n\n".join(parser.blocks)
        + "\n"
    )


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(
        convert(Path(sys.argv[1]).read_text(encoding="utf-8")), encoding="utf-8"
    )
