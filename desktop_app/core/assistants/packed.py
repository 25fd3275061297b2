"""PDF and DOCX documents as (heading, text) sections: a PDF page by page ("page 3"), a DOCX
under its heading paragraphs, tables row by row. Both are untrusted files: pypdf caps what a
compressed stream may unpack to, a DOCX is refused when its XML would unzip past a limit (a zip
bomb), and reading stops at a deadline checked between pages and paragraphs. No Qt here.
"""

from __future__ import annotations

import logging
import time
import zipfile
from pathlib import Path

from desktop_app.core.errors import UnreadableDocument

log = logging.getLogger(__name__)


def _too_slow(done: str) -> UnreadableDocument:
    return UnreadableDocument(f"took too long to read (stopped after {done})")


def pdf_sections(path: Path, deadline: float, max_pages: int) -> list[tuple[str, str]]:
    """One section per page, headed "page N" (as a viewer numbers them, from 1)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file warns per object
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not _open_encrypted(reader):
            raise UnreadableDocument("the PDF is protected with a password")
        count = len(reader.pages)
        if count > max_pages:
            raise UnreadableDocument(f"{count:,} pages, more than {max_pages:,} for one PDF")
        found = []
        for number, page in enumerate(reader.pages, 1):
            if time.monotonic() > deadline:
                raise _too_slow(f"page {number - 1} of {count}")
            found.append((f"page {number}", page.extract_text() or ""))
        return found
    except UnreadableDocument:
        raise
    except RecursionError:
        raise UnreadableDocument("a PDF nested too deeply to read") from None
    except (PdfReadError, Exception) as exc:  # pypdf meets malformed files with many kinds
        log.info("PDF %s unreadable: %r", path, exc)
        raise UnreadableDocument(f"a damaged PDF ({type(exc).__name__})") from None


def _open_encrypted(reader: object) -> bool:
    """A PDF encrypted with an empty user password (common for "no copying" files) opens."""
    try:
        return bool(reader.decrypt(""))  # type: ignore[attr-defined]
    except Exception:  # pypdf raises several kinds for unsupported encryption
        return False


def docx_sections(path: Path, deadline: float, max_unpacked: int) -> list[tuple[str, str]]:
    """Sections under the document's heading paragraphs (styles "Heading N" and "Title")."""
    _check_unpacked(path, max_unpacked)
    import docx

    try:
        return _docx_blocks(docx.Document(str(path)), deadline)
    except UnreadableDocument:
        raise
    except Exception as exc:  # python-docx and lxml meet a damaged part with many kinds
        log.info("DOCX %s unreadable: %r", path, exc)
        raise UnreadableDocument(f"a damaged Word file ({type(exc).__name__})") from None


def _docx_blocks(document: object, deadline: float) -> list[tuple[str, str]]:
    found: list[tuple[str, list[str]]] = [("", [])]
    for count, block in enumerate(document.iter_inner_content()):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise _too_slow(f"{count} paragraphs")
        if hasattr(block, "rows"):  # a table: one line per row
            found[-1][1].extend(_table_lines(block))
        elif _is_heading(block):
            found.append((" ".join(block.text.split()), []))
        else:
            found[-1][1].append(block.text)
    return [(h, "\n\n".join(parts)) for h, parts in found]


def _is_heading(paragraph: object) -> bool:
    style = getattr(paragraph, "style", None)
    name = (getattr(style, "name", "") or "").lower()
    text = getattr(paragraph, "text", "")
    return bool(text.strip()) and (name.startswith("heading") or name == "title")


def _table_lines(table: object) -> list[str]:
    lines = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells = dict.fromkeys(" ".join(c.text.split()) for c in row.cells)  # merged cells repeat
        lines.append(" | ".join(c for c in cells if c))
    return ["\n".join(line for line in lines if line)]


def _check_unpacked(path: Path, max_unpacked: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableDocument(f"a damaged Word file ({exc})") from None
    if unpacked > max_unpacked:
        raise UnreadableDocument(
            f"unpacks to {unpacked / 1e6:,.0f} MB, more than {max_unpacked / 1e6:g} MB"
        )
