"""Searching knowledge bases: BM25 over the FTS5 index, the nearest meaning vectors when an
embedding model is installed, fused by reciprocal rank, one passage per document in the top
places. Without a model, or when it fails, word matching alone answers. No Qt here."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from desktop_app.core.assistants import knowledge as kb_
from desktop_app.core.assistants import retrieval as r
from desktop_app.core.errors import EmbeddingError

log = logging.getLogger(__name__)


def run_search(
    kb: kb_.KnowledgeBase, query: str, k: int, collections: tuple[str, ...], per_document: bool
) -> list[kb_.Hit]:
    terms = kb_.query_terms(query)
    rows = _bm25(kb.conn, terms, collections)  # id → (path, heading, text, score)
    order = list(rows)
    similarities: dict[int, float] = {}
    query_vector = _query_vector(kb, query)
    if query_vector is not None:
        ids, matrix = _vectors(kb, collections)
        if len(ids):
            dense, similarities = r.nearest(query_vector, ids, matrix, r.CANDIDATES)
            order = [passage for passage, _score in r.fuse(order, dense)]
            rows.update(_rows(kb.conn, [p for p in dense if p not in rows]))
            _fill_similarities(similarities, order, ids, matrix, query_vector)
    if not order:
        return []
    documents = {p: rows[p][0] for p in order}
    chosen = r.one_per_document(order, documents, k) if per_document else order[:k]
    return [_hit(rows[p], terms, similarities.get(p)) for p in chosen]


def _hit(row: tuple[str, str, str, float], terms: list[str], similarity: float | None):
    path, heading, text, score = row
    return kb_.Hit(
        path,
        heading,
        round(score, 3),
        text,
        kb_.coverage(terms, f"{heading} {text}"),
        None if similarity is None else round(similarity, 4),
    )


def _bm25(
    conn: sqlite3.Connection, terms: list[str], collections: Sequence[str]
) -> dict[int, tuple[str, str, str, float]]:
    if not terms:
        return {}
    match = " OR ".join(f'"{t}"' for t in terms)
    marks = ",".join("?" * len(collections))
    cursor = conn.execute(
        "SELECT rowid, path, heading, text, bm25(kb_passages, 1.0, 2.0) AS rank "
        f"FROM kb_passages WHERE kb_passages MATCH ? AND collection IN ({marks}) "
        "ORDER BY rank LIMIT ?",
        (match, *collections, r.CANDIDATES),
    )
    return {rowid: (p, h, t, -rank) for rowid, p, h, t, rank in cursor}


def _rows(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[str, str, str, float]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    cursor = conn.execute(
        f"SELECT rowid, path, heading, text FROM kb_passages WHERE rowid IN ({marks})", ids
    )
    return {rowid: (p, h, t, 0.0) for rowid, p, h, t in cursor}


def _query_vector(kb: kb_.KnowledgeBase, query: str) -> Any | None:
    if kb.embedder is None or not query.strip():
        return None
    try:
        return kb.embedder.embed([query])[0]
    except EmbeddingError as exc:  # the model broke: word matching still answers
        log.warning("embedding the question failed: %s", exc)
        return None


def _vectors(kb: kb_.KnowledgeBase, collections: tuple[str, ...]) -> tuple[Any, Any]:
    model = kb.embedder.model_key if kb.embedder else ""
    database = kb.conn.execute("PRAGMA database_list").fetchone()[2]
    row = kb.conn.execute("SELECT value FROM kb_meta WHERE key = 'generation'").fetchone()
    key = (database, model, *collections)
    return r.VECTORS.get(key, row[0] if row else "", lambda: _load(kb.conn, model, collections))


def _load(conn: sqlite3.Connection, model: str, collections: Sequence[str]) -> tuple[Any, Any]:
    import numpy as np

    marks = ",".join("?" * len(collections))
    rows = conn.execute(
        "SELECT p.rowid, v.vector FROM kb_passages p JOIN kb_vectors v "
        f"ON v.model = ? AND v.digest = p.digest WHERE p.collection IN ({marks})",
        (model, *collections),
    ).fetchall()
    ids = np.array([rowid for rowid, _ in rows], dtype=np.int64)
    if not rows:
        return ids, np.zeros((0, 0), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blob for _, blob in rows), dtype=np.float32)
    return ids, matrix.reshape(len(rows), -1)


def _fill_similarities(
    similarities: dict[int, float], order: list[int], ids: Any, matrix: Any, query: Any
) -> None:
    """Cosines for passages that word matching found but meaning did not rank."""
    import numpy as np

    wanted = [p for p in order if p not in similarities]
    if not wanted:
        return
    position = {int(i): n for n, i in enumerate(ids)}
    vector = np.asarray(query, dtype=matrix.dtype)
    for passage in wanted:
        if passage in position:
            similarities[passage] = float(matrix[position[passage]] @ vector)
