"""The Support assistant's knowledge base: the user's files (txt, md, html) split into chunks
under their headings and indexed with SQLite FTS5 (BM25) in the app's database; re-indexed when
a file changes; retrieved with citations; and "not covered" when nothing relevant is found,
rather than letting the model invent. Files are outside data: reading is linear in their size,
one file may bring at most MAX_DOCUMENT_BYTES, and every file left out is reported with the
reason. No Qt here.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from desktop_app.core.store import Store, now

# What may be indexed (an extension-less file only if its content is text). What a link may
# hand to the desktop is stricter: ui/links.py.
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".rst", ""}
CHUNK_CHARS = 900
STOPWORDS = set(
    """a an and are as at be by can do does for from how i if in is it its of on or
that the this to was what when where which who why will with you your my me we our they them
there their about into than then so not no yes any all should would could may might must""".split()
)


@dataclass(frozen=True)
class Hit:
    path: str
    heading: str
    score: float
    text: str
    coverage: float  # share of the question's words found in the chunk

    @property
    def source(self) -> str:
        return source_title(self.path, self.heading)

    def cited(self) -> dict[str, str]:
        """How an answer keeps this passage as one of its sources."""
        return {"path": self.path, "heading": self.heading}


def source_title(path: str, heading: str) -> str:
    """A source as the user sees it: the file's name and the heading of the passage."""
    return f"{Path(path).name} — {heading}" if heading else Path(path).name


# -- reading files ---------------------------------------------------------------------------
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

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in _HEADINGS:
            self._end_heading()
            self.heading = []
        elif tag in _BLOCKS:
            self._end_heading()  # a heading left open ends where the next block starts
            self.sections[-1][1].append("\n\n" if tag == "p" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)  # a stray end tag must not hide the rest
        elif tag in _HEADINGS:
            self._end_heading()

    def handle_data(self, data: str) -> None:
        if self.skip:
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


def sections(path: Path) -> list[tuple[str, str]]:
    """(heading, text) pairs of a document; headings are plain text on one line."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm"):
        parser = _HtmlSections()
        parser.feed(text)
        parser.close()
        return [(h, "".join(parts)) for h, parts in parser.sections]
    markdown = path.suffix.lower() in (".md", ".markdown")
    found: list[tuple[str, list[str]]] = [("", [])]
    previous_blank = True
    for line in text.splitlines():
        if _is_heading(line, markdown, previous_blank):
            found.append((_heading(line.strip().lstrip("#")), []))
        else:
            found[-1][1].append(line)
        previous_blank = not line.strip()
    return [(h, "\n".join(lines)) for h, lines in found]


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


def chunks(path: Path) -> list[tuple[str, str]]:
    """(heading, text) chunks of about CHUNK_CHARS, cut at paragraph boundaries; a paragraph
    longer than that is cut between words. Linear in the size of the file."""
    out = []
    for heading, body in sections(path):
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
    """Why a file is not indexed, in the user's words; None for a document."""
    suffix = path.suffix.lower()
    if not (suffix in TEXT_SUFFIXES or re.fullmatch(r"\.\d+", suffix)):
        return f"not a text document ({suffix})"  # "Apache-2.0": a version, not an extension
    try:
        if not path.is_file():
            return "not found" if not path.exists() else "not a regular file"
        if path.stat().st_size > max_bytes:
            return f"larger than {max_bytes / 1e6:g} MB, the limit for one document"
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
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


# -- the index -------------------------------------------------------------------------------
class KnowledgeBase:
    def __init__(self, store: Store | sqlite3.Connection, max_bytes: int = MAX_DOCUMENT_BYTES):
        # A Store's connection, or one of its own (indexing on another thread).
        self.conn = store if isinstance(store, sqlite3.Connection) else store.db.conn
        self.max_bytes = max_bytes

    def add(
        self,
        paths: Iterable[Path],
        on_progress: Callable[[int, int, str], None] = lambda d, t, n: None,
    ) -> dict[str, Any]:
        """Index new and changed files. Returns counts of indexed and unchanged files and of
        passages, and `skipped`: (path, reason) for each file left out; a file left out that
        was indexed before is forgotten (its passages no longer say what it says)."""
        files, skipped = documents(paths, self.max_bytes)
        counts: dict[str, Any] = {"indexed": 0, "unchanged": 0, "chunks": 0}
        for i, path in enumerate(files, 1):
            on_progress(i, len(files), path.name)
            try:
                added = self._add_one(path)
            except OSError as exc:  # gone or unreadable since it was listed
                skipped.append((str(path), f"cannot be read ({exc.strerror or exc})"))
                continue
            if added is None:
                counts["unchanged"] += 1
            else:
                counts["chunks"] += added
                counts["indexed"] += 1
        self._forget_skipped(skipped)
        return {**counts, "skipped": skipped}

    def _forget_skipped(self, skipped: list[tuple[str, str]]) -> None:
        indexed = {p for (p,) in self.conn.execute("SELECT path FROM kb_documents")}
        with self.conn:
            for path, _reason in skipped:
                real = str(Path(path).resolve())
                if real in indexed:
                    self._forget(real)

    def _add_one(self, path: Path) -> int | None:
        """Passages indexed for one file; None when it has not changed."""
        stat = path.stat()
        row = self.conn.execute(
            "SELECT mtime, size FROM kb_documents WHERE path = ?", (str(path),)
        ).fetchone()
        if row and row[0] == stat.st_mtime and row[1] == stat.st_size:
            return None
        return self._index(path, stat.st_mtime, stat.st_size)

    def _index(self, path: Path, mtime: float, size: int) -> int:
        pieces = chunks(path)
        with self.conn:
            self.conn.execute("DELETE FROM kb_chunks WHERE path = ?", (str(path),))
            self.conn.executemany(
                "INSERT INTO kb_chunks (text, heading, path) VALUES (?, ?, ?)",
                [(text, heading, str(path)) for heading, text in pieces],
            )
            self.conn.execute(
                "INSERT OR REPLACE INTO kb_documents VALUES (?, ?, ?, ?, ?)",
                (str(path), mtime, size, len(pieces), now()),
            )
        return len(pieces)

    def refresh(self) -> dict[str, Any]:
        """Re-index changed files and forget deleted ones."""
        paths = [Path(p) for (p,) in self.conn.execute("SELECT path FROM kb_documents")]
        gone = [p for p in paths if not p.exists()]
        for path in gone:
            self.remove(path)
        counts = self.add(p for p in paths if p.exists())
        return {**counts, "removed": len(gone)}

    def remove(self, path: Path) -> int:
        """Forget a file, or every file under a folder; returns how many."""
        target = str(path.expanduser().resolve())
        rows = [
            p
            for (p,) in self.conn.execute("SELECT path FROM kb_documents")
            if p == target or p.startswith(target.rstrip("/") + "/")
        ]
        with self.conn:
            for p in rows:
                self._forget(p)
        return len(rows)

    def _forget(self, path: str) -> None:
        self.conn.execute("DELETE FROM kb_chunks WHERE path = ?", (path,))
        self.conn.execute("DELETE FROM kb_documents WHERE path = ?", (path,))

    def files(self) -> list[dict[str, object]]:
        cursor = self.conn.execute(
            "SELECT path, chunks, indexed_at FROM kb_documents ORDER BY path"
        )
        return [{"path": p, "chunks": c, "indexed_at": t} for p, c, t in cursor]

    def search(self, query: str, k: int = 5) -> list[Hit]:
        terms = query_terms(query)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = self.conn.execute(
            "SELECT path, heading, text, bm25(kb_chunks, 1.0, 2.0) AS rank FROM kb_chunks "
            "WHERE kb_chunks MATCH ? ORDER BY rank LIMIT ?",
            (match, k),
        ).fetchall()
        return [
            Hit(p, h, round(-rank, 3), text, _coverage(terms, h + " " + text))
            for p, h, text, rank in rows
        ]


def query_terms(query: str) -> list[str]:
    words = re.findall(r"[\w'-]+", query.lower())
    return list(dict.fromkeys(w.strip("'-") for w in words if w not in STOPWORDS and len(w) > 1))


def _coverage(terms: list[str], text: str) -> float:
    lowered = text.lower()
    found = sum(1 for t in terms if t[: max(4, len(t) - 2)] in lowered)  # crude stemming
    return found / len(terms)


def covered(hits: list[Hit], threshold: float = 0.5) -> bool:
    return bool(hits) and max(h.coverage for h in hits) >= threshold


NOT_COVERED = (
    "Your documents don't cover this question. Add the documents that do (Support → "
    "Documents), or ask the General chat assistant."
)


def grounded_question(question: str, hits: list[Hit]) -> str:
    """The question with its numbered sources, for the Support assistant."""
    sources = "\n\n".join(f"[{i}] {h.source}\n{h.text}" for i, h in enumerate(hits, 1))
    return (
        f"Documents:\n\n{sources}\n\nQuestion: {question}\n\nAnswer from the documents "
        "above only, and cite the sources you use like [1]."
    )
