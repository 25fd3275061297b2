"""How passages are ranked and judged: word matching (BM25) and meaning (embedding cosine)
fused by reciprocal rank, at most one passage per document in the top places, and the verdict
on what was found: it answers the question, it only touches on it, or nothing relevant. Numbers
here were tuned on the tuning half of eval/support (see its README). No Qt here.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

RRF_K = 60  # the constant of reciprocal rank fusion (Cormack et al. 2009; GPT4All uses it too)
CANDIDATES = 50  # passages each ranking contributes before fusion

Verdict = Literal["covered", "weak", "none"]


class Embedder(Protocol):
    """What retrieval needs of an embedding model (the engine's EmbeddingClient, or a test's)."""

    model_key: str  # names the model exactly: vectors from another model are never mixed in

    def embed(self, texts: Sequence[str]) -> Any: ...  # rows of unit vectors, one per text


def digest(text: str) -> str:
    """The key of an embedded text (a passage embedded once per model, wherever it appears)."""
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:20]


def embedded_text(heading: str, text: str) -> str:
    """What the embedding model reads for a passage: its heading says what the text is about."""
    return f"{heading}\n{text}" if heading else text


def fuse(*rankings: Sequence[int]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of rankings of passage ids, best first, with fused scores."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, passage in enumerate(ranking):
            scores[passage] = scores.get(passage, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def one_per_document(order: Sequence[int], document_of: dict[int, str], k: int) -> list[int]:
    """The first k passages of `order`, taking at most one per document while other documents
    have something to offer; the rest of the places are filled in order after that."""
    first: list[int] = []
    rest: list[int] = []
    seen: set[str] = set()
    for passage in order:
        document = document_of[passage]
        (rest if document in seen else first).append(passage)
        seen.add(document)
    return (first + rest)[:k]


# -- the verdict ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    """When passages answer a question. `coverage`: share of the question's words in the best
    passage; `similarity`: cosine of the best passage's meaning to the question's."""

    coverage: float = 0.5  # BM25 alone: at least half the question's words in one passage
    weak_coverage: float = 0.25
    # With all-MiniLM-L6-v2, on the tuning half of eval/support: every answerable question's
    # best passage scored >= 0.4408, the on-topic unanswerable ones without an unknown word
    # 0.35-0.73 (meaning alone tells them apart badly: that is what the unknown-word rule is
    # for). 0.44 refuses no answerable question there and catches the two lowest (0.35, 0.436).
    similarity: float = 0.44
    weak_similarity: float = 0.25


THRESHOLDS = Thresholds()


def verdict(
    coverage: float,
    similarity: float | None,
    limits: Thresholds = THRESHOLDS,
    unknown: bool = False,
) -> Verdict:
    """Whether the best passages answer the question ("covered"), only mention it ("weak"),
    or have nothing to do with it ("none"). A question with a word the documents never use
    is at best "weak". Meaning decides when it is known; word coverage alone when no
    embedding model is installed."""
    if unknown:
        related = coverage >= limits.weak_coverage or (similarity or 0.0) >= limits.weak_similarity
        return "weak" if related else "none"
    if similarity is None:
        if coverage >= limits.coverage:
            return "covered"
        return "weak" if coverage >= limits.weak_coverage else "none"
    if similarity >= limits.similarity and coverage >= limits.weak_coverage:
        return "covered"
    if similarity >= limits.weak_similarity or coverage >= limits.coverage:
        return "weak"
    return "none"


# -- vectors in memory ------------------------------------------------------------------------
class VectorCache:
    """The vectors of a set of collections as one matrix, kept between questions until the
    knowledge base changes (its generation number). Brute force: at 100k passages of 384
    dimensions one question costs a matrix-vector product (benchmarks/vector_search.py)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, ...], tuple[str, Any, Any]] = {}

    def get(self, key: tuple[str, ...], generation: str, load: Any) -> tuple[Any, Any]:
        """(ids, matrix) for `key`, from `load()` when the generation changed."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == generation:
                return entry[1], entry[2]
        ids, matrix = load()
        with self._lock:
            if len(self._entries) > 8:  # a few profiles or test databases, never unbounded
                self._entries.clear()
            self._entries[key] = (generation, ids, matrix)
        return ids, matrix


VECTORS = VectorCache()


def nearest(query: Any, ids: Any, matrix: Any, n: int) -> tuple[list[int], dict[int, float]]:
    """The n passage ids nearest to `query` (unit vectors: the dot product is the cosine)."""
    import numpy as np

    if len(ids) == 0:
        return [], {}
    scores = matrix @ np.asarray(query, dtype=matrix.dtype)
    n = min(n, len(ids))
    top = np.argpartition(-scores, n - 1)[:n]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [int(ids[i]) for i in top], {int(ids[i]): float(scores[i]) for i in top}
