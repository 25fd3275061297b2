"""The knowledge bases the assistants answer from: the user's files (reading.py) split into
passages under their headings and indexed with SQLite FTS5 (BM25) in the app's database, and,
when an embedding model is installed, with one meaning vector per passage beside them; searched
by both, fused (retrieval.py); re-indexed when a file changes or the embedding model does. One
global collection, and one per conversation for files dropped onto it. No Qt here.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.assistants import retrieval as r
from desktop_app.core.assistants.reading import MAX_DOCUMENT_BYTES, chunks, documents
from desktop_app.core.errors import EmbeddingError, UnreadableDocument
from desktop_app.core.store import Store, now

log = logging.getLogger(__name__)
GLOBAL = "global"
STOPWORDS = set(
    """a an and are as at be by can do does for from how i if in is it its of on or
that the this to was what when where which who why will with you your my me we our they them
there their about into than then so not no yes any all should would could may might must""".split()
)
Progress = Callable[[int, int, str], None]


def conversation_collection(conversation_id: int) -> str:
    """The collection of the files dropped onto one conversation."""
    return f"conversation:{conversation_id}"


@dataclass(frozen=True)
class Hit:
    path: str
    heading: str
    score: float  # BM25 (higher is better); 0 when only meaning found the passage
    text: str
    coverage: float  # share of the question's words found in the passage
    similarity: float | None = None  # cosine to the question's meaning; None without a model

    @property
    def source(self) -> str:
        return source_title(self.path, self.heading)

    def cited(self) -> dict[str, str]:
        """How an answer keeps this passage as one of its sources."""
        return {"path": self.path, "heading": self.heading}


def source_title(path: str, heading: str) -> str:
    """A source as the user sees it: the file's name and where in it (heading, PDF page)."""
    return f"{Path(path).name} — {heading}" if heading else Path(path).name


class KnowledgeBase:
    """One collection's documents (add, refresh, remove, files) and search over collections."""

    def __init__(
        self,
        store: Store | sqlite3.Connection,
        max_bytes: int = MAX_DOCUMENT_BYTES,
        collection: str = GLOBAL,
        embedder: r.Embedder | None = None,
    ):
        # A Store's connection, or one of its own (indexing on another thread).
        self.conn = store if isinstance(store, sqlite3.Connection) else store.db.conn
        self.max_bytes = max_bytes
        self.collection = collection
        self.embedder = embedder

    # -- indexing --------------------------------------------------------------------------
    def add(self, paths: Iterable[Path], on_progress: Progress = lambda d, t, n: None) -> dict:
        """Index new and changed files, then their meaning vectors (with an embedding model).
        Returns counts of indexed and unchanged files, of passages and of vectors computed,
        and `skipped`: (path, reason) for each file left out; a file left out that was indexed
        before is forgotten (its passages no longer say what it says)."""
        files, skipped = documents(paths, self.max_bytes)
        counts: dict[str, Any] = {"indexed": 0, "unchanged": 0, "chunks": 0}
        for i, path in enumerate(files, 1):
            on_progress(i, len(files), path.name)
            try:
                added = self._add_one(path)
            except OSError as exc:  # gone or unreadable since it was listed
                skipped.append((str(path), f"cannot be read ({exc.strerror or exc})"))
                continue
            except UnreadableDocument as exc:
                skipped.append((str(path), str(exc)))
                continue
            if added is None:
                counts["unchanged"] += 1
            else:
                counts["chunks"] += added
                counts["indexed"] += 1
        self._forget_skipped(skipped)
        try:
            counts["vectors"] = self.embed_missing(on_progress)
        except EmbeddingError as exc:  # word matching works without them; told, not fatal
            counts["vectors"], counts["vectors_failed"] = 0, str(exc)
        return {**counts, "skipped": skipped}

    def _forget_skipped(self, skipped: list[tuple[str, str]]) -> None:
        indexed = set(self._paths())
        with self.conn:
            for path, _reason in skipped:
                real = str(Path(path).resolve())
                if real in indexed:
                    self._forget(real)

    def _paths(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT path FROM kb_documents WHERE collection = ?", (self.collection,)
        )
        return [p for (p,) in rows]

    def _add_one(self, path: Path) -> int | None:
        """Passages indexed for one file; None when it has not changed."""
        stat = path.stat()
        row = self.conn.execute(
            "SELECT mtime, size FROM kb_documents WHERE collection = ? AND path = ?",
            (self.collection, str(path)),
        ).fetchone()
        if row and row[0] == stat.st_mtime and row[1] == stat.st_size:
            return None
        return self._index(path, stat.st_mtime, stat.st_size)

    def _index(self, path: Path, mtime: float, size: int) -> int:
        pieces = chunks(path)
        rows = [
            (text, heading, str(path), self.collection, r.digest(r.embedded_text(heading, text)))
            for heading, text in pieces
        ]
        with self.conn:
            self._forget(str(path))
            self.conn.executemany(
                "INSERT INTO kb_passages (text, heading, path, collection, digest) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            self.conn.execute(
                "INSERT INTO kb_documents VALUES (?, ?, ?, ?, ?, ?)",
                (self.collection, str(path), mtime, size, len(pieces), now()),
            )
            self._changed()
        return len(pieces)

    def _changed(self) -> None:
        """A new generation: vectors kept in memory for search are loaded again."""
        self.conn.execute(
            "INSERT INTO kb_meta VALUES ('generation', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (now(),),
        )

    def refresh(self) -> dict[str, Any]:
        """Re-index changed files and forget deleted ones (and vectors nothing uses)."""
        paths = [Path(p) for p in self._paths()]
        gone = [p for p in paths if not p.exists()]
        for path in gone:
            self.remove(path)
        self.prune_vectors()
        counts = self.add(p for p in paths if p.exists())
        return {**counts, "removed": len(gone)}

    def prune_vectors(self) -> int:
        """Forget vectors of passages no collection has any more, and, with an embedding
        model installed, those of other models. Returns how many."""
        with self.conn:
            cursor = self.conn.execute(
                "DELETE FROM kb_vectors WHERE digest NOT IN (SELECT digest FROM kb_passages)"
                + (" OR model != ?" if self.embedder else ""),
                (self.embedder.model_key,) if self.embedder else (),
            )
        return cursor.rowcount

    def remove(self, path: Path) -> int:
        """Forget a file, or every file under a folder; returns how many."""
        target = str(path.expanduser().resolve())
        rows = [p for p in self._paths() if p == target or p.startswith(target.rstrip("/") + "/")]
        with self.conn:
            for p in rows:
                self._forget(p)
        return len(rows)

    def drop(self) -> None:
        """Forget the whole collection (a conversation's, when the conversation goes)."""
        with self.conn:
            for path in self._paths():
                self._forget(path)

    def _forget(self, path: str) -> None:
        where = "collection = ? AND path = ?"
        self.conn.execute(f"DELETE FROM kb_passages WHERE {where}", (self.collection, path))
        self.conn.execute(f"DELETE FROM kb_documents WHERE {where}", (self.collection, path))
        self._changed()

    def files(self) -> list[dict[str, object]]:
        cursor = self.conn.execute(
            "SELECT path, chunks, indexed_at FROM kb_documents WHERE collection = ? "
            "ORDER BY path",
            (self.collection,),
        )
        return [{"path": p, "chunks": c, "indexed_at": t} for p, c, t in cursor]

    # -- meaning vectors --------------------------------------------------------------------
    def embed_missing(self, on_progress: Progress = lambda d, t, n: None, batch: int = 32) -> int:
        """Compute the vectors this collection's passages lack for the installed embedding
        model (all of them after the model changed). Returns how many were computed."""
        if self.embedder is None:
            return 0
        missing = self._missing_vectors()
        done = 0
        for start in range(0, len(missing), batch):
            part = missing[start : start + batch]
            vectors = self.embedder.embed([text for _digest, text in part])
            with self.conn:
                self.conn.executemany(
                    "INSERT OR REPLACE INTO kb_vectors VALUES (?, ?, ?)",
                    [
                        (self.embedder.model_key, d, _blob(v))
                        for (d, _t), v in zip(part, vectors, strict=True)
                    ],
                )
                self._changed()
            done += len(part)
            on_progress(done, len(missing), "meaning vectors")
        return done

    def _missing_vectors(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT p.digest, p.heading, p.text FROM kb_passages p WHERE p.collection = ? "
            "AND NOT EXISTS (SELECT 1 FROM kb_vectors v WHERE v.model = ? AND v.digest = p.digest)",
            (self.collection, self.embedder.model_key if self.embedder else ""),
        )
        unique = {d: r.embedded_text(h, t) for d, h, t in rows}
        return list(unique.items())

    def vector_status(self) -> tuple[int, int]:
        """(passages with a vector of the installed model, passages) in this collection."""
        total = self.conn.execute(
            "SELECT count(*) FROM kb_passages WHERE collection = ?", (self.collection,)
        ).fetchone()[0]
        if self.embedder is None:
            return 0, total
        return total - len(self._missing_vectors()), total

    # -- search -----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: int = 5,
        collections: Sequence[str] | None = None,
        per_document: bool = True,
    ) -> list[Hit]:
        """The k passages that best answer `query`, from `collections` (this one by default):
        word matching fused with meaning when an embedding model is installed, at most one
        passage per document in the top places unless per_document is False."""
        from desktop_app.core.assistants.search import run_search

        return run_search(self, query, k, tuple(collections or (self.collection,)), per_document)


    def unknown_terms(self, query: str, collections: Sequence[str] | None = None) -> list[str]:
        """The question's words that appear in no passage at all: what the documents never
        mention ("django" in a question about SQLite's manual) cannot be answered from them."""
        collections = tuple(collections or (self.collection,))
        asked = set(answer_kind_words(query))
        marks = ",".join("?" * len(collections))
        sql = (
            "SELECT 1 FROM kb_passages WHERE kb_passages MATCH ? "
            f"AND collection IN ({marks}) LIMIT 1"
        )
        return [
            term
            for term in query_terms(query)[:MAX_TERMS]
            if term not in asked
            and self.conn.execute(sql, (f'"{term}"', *collections)).fetchone() is None
        ]


MAX_TERMS = 32  # of a question's words looked up one by one
# "How long / often / many …": the word names the kind of answer asked for, not the topic; a
# manual that says "hold it for ten seconds" never writes "long" (a new user's dropped file
# was judged not to answer "How long must I hold the button?" for that word alone).
HOW_WORDS = frozenset(
    "long often many much far old big large soon fast quickly high tall wide deep heavy".split()
)


def answer_kind_words(query: str) -> list[str]:
    """The words after "how" that say what kind of answer is wanted ("long" in "how long")."""
    words = re.findall(r"[\w'-]+", query.lower())
    return [b for a, b in zip(words, words[1:], strict=False) if a == "how" and b in HOW_WORDS]


def forget_deleted_conversations(conn: sqlite3.Connection) -> int:
    """Drop the collections of conversations that no longer exist; returns how many files."""
    rows = conn.execute(
        "SELECT DISTINCT collection FROM kb_documents WHERE collection LIKE 'conversation:%' "
        "AND CAST(substr(collection, 14) AS INTEGER) NOT IN (SELECT id FROM conversations)"
    ).fetchall()
    forgotten = 0
    for (collection,) in rows:
        kb = KnowledgeBase(conn, collection=collection)
        forgotten += len(kb.files())
        kb.drop()
    return forgotten


def _blob(vector: Any) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype=np.float32).tobytes()


def query_terms(query: str) -> list[str]:
    words = re.findall(r"[\w'-]+", query.lower())
    words = [re.sub(r"'s$", "", w).strip("'-") for w in words]  # "project's" is "project"
    return list(dict.fromkeys(w for w in words if w not in STOPWORDS and len(w) > 1))


def coverage(terms: list[str], text: str) -> float:
    """Share of the question's words found in a text (crude stemming: a word's stem)."""
    lowered = text.lower()
    found = sum(1 for t in terms if t[: max(4, len(t) - 2)] in lowered)
    return found / len(terms) if terms else 0.0


def covered(hits: list[Hit], unknown: Sequence[str] = ()) -> bool:
    """Whether the passages answer the question (see retrieval.verdict)."""
    return judge(hits, unknown) == "covered"


def judge(hits: list[Hit], unknown: Sequence[str] = ()) -> r.Verdict:
    """The verdict on what a search found; `unknown`: the question's words that no passage
    of the searched collections contains (KnowledgeBase.unknown_terms)."""
    if not hits:
        return "none"
    similarities = [h.similarity for h in hits if h.similarity is not None]
    best = max(similarities) if similarities else None
    return r.verdict(max(h.coverage for h in hits), best, unknown=bool(unknown))


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

