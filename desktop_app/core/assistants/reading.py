"""Reading the user's documents for the knowledge base: txt, md, html, pdf and docx, split into
passages under their headings (a PDF's pages, a DOCX's heading paragraphs, an HTML page's title
and headings), so a citation can say where a passage is. Files are outside data: every format is
bounded in bytes, a PDF in pages, every file in reading time, and a file that cannot be read is
reported with the reason, never raised. No Qt here.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

# What may be indexed (an extension-less file only if its content is text). What a link may
# hand to the desktop is stricter: ui/links.py.
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".rst", ""}
PACKED_SUFFIXES = {".pdf", ".docx"}  # binary containers of text: read with pypdf, python-docx
CHUNK_CHARS = 900
MAX_DOCUMENT_BYTES = 16_000_000  # one file's share: ≈18,000 passages, indexed in seconds
MAX_HEADING_CHARS = 120
_HEADINGS = ("h1", "h2", "h3", "h4")
_BLOCKS = ("p", "li", "br", "div", "tr", "table", "ul", "ol", "section", "article", "pre")


# Control characters: a terminal would obey them (the CLI prints headings and passages).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _line(text: str) -> str:
    """Text as one line: whitespace runs become one space, control characters go."""
    return " ".join(_CONTROLS.sub("", text).split())


def _heading(text: str) -> str:
    """A heading as one line of plain text, cut to a readable length."""
    line = _line(text)
    return line if len(line) <= MAX_HEADING_CHARS else line[: MAX_HEADING_CHARS - 1] + "…"


class _HtmlSections(HTMLParser):
    """(heading, text) sections of an HTML page: tags dropped, entities decoded, so headings
    and text are plain text; script and style skipped; malformed markup (a stray end tag, a
    heading never closed) loses nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self.heading: list[str] | None = None
        self.skip = 0
        self.title: list[str] | None = None  # inside <title>
        self.page_title = ""

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "title" and not self.page_title:
            self.title = []
        elif tag in _HEADINGS:
            self._end_heading()
            self.heading = []
        elif tag in _BLOCKS:
            self._end_heading()  # a heading left open ends where the next block starts
            self.sections[-1][1].append("\n\n" if tag == "p" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)  # a stray end tag must not hide the rest
        elif tag == "title" and self.title is not None:
            self.page_title, self.title = _heading("".join(self.title)), None
        elif tag in _HEADINGS:
            self._end_heading()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.title is not None:
            if sum(map(len, self.title)) < 4 * MAX_HEADING_CHARS:
                self.title.append(data)
            return
        if self.heading is not None and sum(map(len, self.heading)) < 4 * MAX_HEADING_CHARS:
            self.heading.append(data)
        else:
            self.sections[-1][1].append(data)

    def close(self) -> None:
        super().close()
        self._end_heading()

    def _end_heading(self) -> None:
        if self.heading is not None:
            self.sections.append((_heading("".join(self.heading)), []))
            self.heading = None


READ_SECONDS = 60.0  # one document's reading time, checked between pages and paragraphs
MAX_PDF_PAGES = 2_000
MAX_UNPACKED_BYTES = 64_000_000  # a DOCX's XML once unzipped (a zip bomb stops here)


def sections(path: Path, seconds: float | None = None) -> list[tuple[str, str]]:
    """(heading, text) pairs of a document; headings are plain text on one line: a PDF's
    "page N", a DOCX's heading paragraphs, an HTML page's title with its section headings.
    Raises UnreadableDocument with the reason when the file cannot be read within the bounds."""
    suffix = path.suffix.lower()
    deadline = time.monotonic() + (READ_SECONDS if seconds is None else seconds)
    if suffix == ".pdf":
        from desktop_app.core.assistants.packed import pdf_sections

        return pdf_sections(path, deadline, MAX_PDF_PAGES)
    if suffix == ".docx":
        from desktop_app.core.assistants.packed import docx_sections

        return docx_sections(path, deadline, MAX_UNPACKED_BYTES)
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".html", ".htm"):
        return _html_sections(text)
    markdown = suffix in (".md", ".markdown")
    found: list[tuple[str, list[str]]] = [("", [])]
    previous_blank = True
    for line in text.splitlines():
        if _is_heading(line, markdown, previous_blank):
            found.append((_heading(line.strip().lstrip("#")), []))
        else:
            found[-1][1].append(line)
        previous_blank = not line.strip()
    return [(h, "\n".join(lines)) for h, lines in found]


def _html_sections(text: str) -> list[tuple[str, str]]:
    """An HTML page's sections; each heading carries the page's title ("ALTER TABLE › 2.
    Rename"), since a section heading alone ("Overview") says little in a citation."""
    parser = _HtmlSections()
    parser.feed(text)
    parser.close()
    title = parser.page_title
    return [(_titled(title, h), "".join(parts)) for h, parts in parser.sections]


def _titled(title: str, heading: str) -> str:
    if not title or title.lower() in heading.lower():
        return heading or title
    return _heading(f"{title} › {heading}") if heading else title


def _is_heading(line: str, markdown: bool, previous_blank: bool) -> bool:
    stripped = line.strip()
    if markdown:
        return bool(re.match(r"#{1,6}\s+\S", stripped))
    if not previous_blank or not (3 < len(stripped) <= 70):
        return False
    numbered = re.match(r"^(\d+(\.\d+)*\.?|Section \d+\.?)\s+[A-Z][\w ,;'()-]*\.?$", stripped)
    letters = re.sub(r"[^A-Za-z]", "", stripped)
    shouting = len(letters) >= 4 and letters.isupper()
    return bool(numbered) or shouting


def chunks(path: Path, seconds: float | None = None) -> list[tuple[str, str]]:
    """(heading, text) chunks of about CHUNK_CHARS, cut at paragraph boundaries; a paragraph
    longer than that is cut between words. Linear in the size of the file."""
    out = []
    for heading, body in sections(path, seconds):
        current = ""
        for para in filter(None, (_line(p) for p in re.split(r"\n\s*\n", body))):
            if current and len(current) + 1 + len(para) > CHUNK_CHARS:
                out.append((heading, current))
                current = ""
            current = f"{current}\n{para}" if current else para
            if len(current) > CHUNK_CHARS * 2:  # one huge paragraph
                pieces = _cut(current)
                out.extend((heading, piece) for piece in pieces[:-1])
                current = pieces[-1]
        if current:
            out.append((heading, current))
    return out


def _cut(text: str) -> list[str]:
    """Pieces of at most CHUNK_CHARS, cut at a space where there is one (one pass)."""
    pieces, start = [], 0
    while len(text) - start > CHUNK_CHARS:
        end = text.rfind(" ", start + 1, start + CHUNK_CHARS + 1)
        end = end if end > start else start + CHUNK_CHARS
        pieces.append(text[start:end])
        start = end + (text[end : end + 1] == " ")
    pieces.append(text[start:])
    return pieces


def skip_reason(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> str | None:
    """Why a file is not indexed, in the user's words; None for a document. A PDF or DOCX
    may be four times `max_bytes`: its text is packed with pictures and layout."""
    suffix = path.suffix.lower()
    packed = suffix in PACKED_SUFFIXES
    if not (packed or suffix in TEXT_SUFFIXES or re.fullmatch(r"\.\d+", suffix)):
        return f"not a text document ({suffix})"  # "Apache-2.0": a version, not an extension
    limit = max_bytes * 4 if packed else max_bytes
    try:
        if not path.is_file():
            return "not found" if not path.exists() else "not a regular file"
        if path.stat().st_size > limit:
            return f"larger than {limit / 1e6:g} MB, the limit for one document"
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if suffix == ".pdf":
        return None if head.startswith(b"%PDF") else "not a PDF file (damaged or misnamed)"
    if suffix == ".docx":
        return None if zipfile.is_zipfile(path) else "not a Word file (damaged or misnamed)"
    return "a binary file, not text" if b"\0" in head else None


def documents(
    paths: Iterable[Path], max_bytes: int = MAX_DOCUMENT_BYTES
) -> tuple[list[Path], list[tuple[str, str]]]:
    """The documents among files and folders, and (path, reason) for each file left out."""
    found: dict[Path, None] = {}
    skipped: list[tuple[str, str]] = []
    for path in paths:
        path = path.expanduser()
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.is_dir():
                continue
            real = candidate.resolve()
            reason = skip_reason(real, max_bytes)
            if reason is None:
                found[real] = None  # symlinks to the same file count once
            else:
                skipped.append((str(candidate), reason))
    return list(found), skipped


