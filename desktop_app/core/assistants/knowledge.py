"""The Support assistant's knowledge base: the user's files (txt, md, html) split into chunks
under their headings and indexed with SQLite FTS5 (BM25) in the app's database; re-indexed when
a file changes; retrieved with citations; and "not covered" when nothing relevant is found,
rather than letting the model invent. No Qt here.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from desktop_app.core.store import Store, now

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
        return f"{Path(self.path).name} — {self.heading}" if self.heading else Path(self.path).name


# -- reading files ---------------------------------------------------------------------------
class _HtmlSections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self.heading: list[str] | None = None
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("h1", "h2", "h3", "h4"):
            self.heading = []
        elif tag in ("p", "li", "br", "div", "tr"):
            self.sections[-1][1].append("\n\n" if tag == "p" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        elif tag in ("h1", "h2", "h3", "h4") and self.heading is not None:
            self.sections.append((" ".join("".join(self.heading).split()), []))
            self.heading = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        (self.heading if self.heading is not None else self.sections[-1][1]).append(data)


def sections(path: Path) -> list[tuple[str, str]]:
    """(heading, text) pairs of a document."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm"):
        parser = _HtmlSections()
        parser.feed(text)
        return [(h, "".join(parts)) for h, parts in parser.sections]
    markdown = path.suffix.lower() in (".md", ".markdown")
    found: list[tuple[str, list[str]]] = [("", [])]
    previous_blank = True
    for line in text.splitlines():
        if _is_heading(line, markdown, previous_blank):
            found.append((line.strip().lstrip("#").strip(), []))
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
    """(heading, text) chunks of about CHUNK_CHARS, cut at paragraph boundaries."""
    out = []
    for heading, body in sections(path):
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body)]
        current = ""
        for para in filter(None, paragraphs):
            if current and len(current) + len(para) > CHUNK_CHARS:
                out.append((heading, current))
                current = ""
            current = f"{current}\n{para}".strip() if current else para
            while len(current) > CHUNK_CHARS * 2:  # one huge paragraph
                out.append((heading, current[:CHUNK_CHARS]))
                current = current[CHUNK_CHARS:]
        if current:
            out.append((heading, current))
    return out


def is_document(path: Path) -> bool:
    suffix = path.suffix.lower()
    if not path.is_file() or not (suffix in TEXT_SUFFIXES or re.fullmatch(r"\.\d+", suffix)):
        return False  # "Apache-2.0": a version, not an extension
    with path.open("rb") as fh:
        head = fh.read(2048)
    return b"\0" not in head  # not a binary file


def documents(paths: Iterable[Path]) -> list[Path]:
    found: dict[Path, None] = {}
    for path in paths:
        path = path.expanduser()
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            real = candidate.resolve()
            if is_document(real):
                found[real] = None  # symlinks to the same file count once
    return list(found)


# -- the index -------------------------------------------------------------------------------
class KnowledgeBase:
    def __init__(self, store: Store | sqlite3.Connection):
        # A Store's connection, or one of its own (indexing on another thread).
        self.conn = store if isinstance(store, sqlite3.Connection) else store.db.conn

    def add(
        self,
        paths: Iterable[Path],
        on_progress: Callable[[int, int, str], None] = lambda d, t, n: None,
    ) -> dict[str, int]:
        """Index new and changed files; returns counts of indexed and unchanged files."""
        files = documents(paths)
        counts = {"indexed": 0, "unchanged": 0, "chunks": 0}
        for i, path in enumerate(files, 1):
            on_progress(i, len(files), path.name)
            stat = path.stat()
            row = self.conn.execute(
                "SELECT mtime, size FROM kb_documents WHERE path = ?", (str(path),)
            ).fetchone()
            if row and row[0] == stat.st_mtime and row[1] == stat.st_size:
                counts["unchanged"] += 1
                continue
            counts["chunks"] += self._index(path, stat.st_mtime, stat.st_size)
            counts["indexed"] += 1
        return counts

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

    def refresh(self) -> dict[str, int]:
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
                self.conn.execute("DELETE FROM kb_chunks WHERE path = ?", (p,))
                self.conn.execute("DELETE FROM kb_documents WHERE path = ?", (p,))
        return len(rows)

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
