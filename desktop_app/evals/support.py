"""The Support assistant's evaluation: questions over a documentation set the app did not write
(SQLite's, as Debian's sqlite3-doc installs it), some answered by a known page, some on-topic but
answered nowhere. Measures retrieval (recall@3: the answering page among the first three
passages), and the not-covered rule: precision and recall of "not covered" (or "only
mentioned") on the unanswerable questions, against wrong refusals of answerable ones. With a
model, also the answers: whether an answered question's reply cites a source. No Qt here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from desktop_app.core.assistants.knowledge import Hit, KnowledgeBase, judge
from desktop_app.core.errors import EvaluationError

DATA = "support_sqlite.json"
COLLECTION = "eval:support"
K = 3
# Generated or historical pages: link indexes, release notes, the requirements list and the
# one-page copy of the C reference. They repeat what the pages proper say, and they are a
# third of the passages (minutes of embedding on a small CPU) for nothing a user would ask.
LEFT_OUT = (
    "requirements.html", "capi3ref.html", "doc_backlink_crossref.html",
    "doc_keyword_crossref.html", "doc_target_crossref.html", "doc_pagelink_crossref.html",
    "keyword_index.html", "changes.html", "oldnews.html", "news.html", "chronology.html",
    "syntaxdiagrams.html", "releaselog", "search.d", "images", "syntax",
)


def load_set(name: str = DATA) -> dict[str, Any]:
    """The question set shipped with the app (desktop_app/evals/data)."""
    text = resources.files("desktop_app.evals").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


def corpus_files(folder: Path) -> list[Path]:
    """The documentation pages the evaluation indexes (see LEFT_OUT)."""
    files = []
    for path in sorted(folder.rglob("*.html")):
        parts = path.relative_to(folder).parts
        if not any(part in LEFT_OUT for part in parts):
            files.append(path)
    return files


def find_corpus(data: dict[str, Any], docs: Path | None) -> Path:
    for candidate in [docs] if docs else [Path(p) for p in data["corpus_paths"]]:
        if candidate is not None and (candidate / "index.html").is_file():
            return candidate
    where = docs or ", ".join(data["corpus_paths"])
    raise EvaluationError(
        f"The Support evaluation reads the SQLite documentation, not found in {where}. "
        f"Install it: {data['install_hint']}."
    )


@dataclass
class Outcome:
    id: str
    half: str
    answerable: bool
    found: bool  # an answering page among the first K passages
    verdict: str  # covered / weak / none
    pages: list[str]
    coverage: float
    similarity: float | None


def ask(kb: KnowledgeBase, corpus: Path, item: dict[str, Any], before: bool = False) -> Outcome:
    """One question; `before`: as the app did before hybrid retrieval (BM25 top three, one
    document free to fill them, the word-coverage rule alone)."""
    question = item["question"]
    hits: list[Hit] = kb.search(question, k=K, collections=[COLLECTION], per_document=not before)
    unknown = () if before else kb.unknown_terms(question, [COLLECTION])
    pages = [str(Path(h.path).relative_to(corpus)) for h in hits]
    similarities = [h.similarity for h in hits if h.similarity is not None]
    return Outcome(
        item["id"],
        item["half"],
        bool(item["answered_by"]),
        any(page in item["answered_by"] for page in pages),
        judge(hits, unknown),
        pages,
        max((h.coverage for h in hits), default=0.0),
        max(similarities) if similarities else None,
    )


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    """recall@3 on answerable questions; "not covered" precision and recall, where a refusal
    is "none" or "weak" (the app does not answer from the passages either way)."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    refused = [o for o in outcomes if o.verdict != "covered"]
    right_refusals = [o for o in refused if not o.answerable]
    return {
        "questions": len(outcomes),
        "recall_at_3": _share(sum(o.found for o in answerable), len(answerable)),
        "not_covered_precision": _share(len(right_refusals), len(refused)),
        "not_covered_recall": _share(len(right_refusals), len(unanswerable)),
        "wrong_not_covered": len(refused) - len(right_refusals),
        "invented_risk": len(unanswerable) - len(right_refusals),  # would have been answered
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def evaluate(
    store: Any,
    embedder: Any = None,
    docs: Path | None = None,
    half: str = "held_out",
    on_progress: Callable[[int, int, str], None] = lambda d, t, n: None,
) -> dict[str, Any]:
    """Index the corpus (kept between runs: unchanged pages and known vectors cost nothing),
    ask every question of `half` ("tune", "held_out" or "all"), and return the figures, with
    word matching alone and, when `embedder` is given, with meaning too."""
    data = load_set()
    corpus = find_corpus(data, docs)
    started = time.perf_counter()
    kb = KnowledgeBase(store, collection=COLLECTION, embedder=embedder)
    indexed = kb.add(corpus_files(corpus), on_progress=on_progress)
    items = [q for q in data["questions"] if half == "all" or q["half"] == half]
    result: dict[str, Any] = {
        "set": data["name"],
        "half": half,
        "corpus": str(corpus),
        "passages": kb.vector_status()[1],
        "indexing_s": round(time.perf_counter() - started, 1),
        "skipped_files": len(indexed["skipped"]),
    }
    words = KnowledgeBase(store, collection=COLLECTION)
    runs = {"before": (words, True), "bm25": (words, False)}
    if embedder is not None:
        runs["hybrid"] = (kb, False)
    for name, (base, before) in runs.items():
        outcomes = [ask(base, corpus, item, before) for item in items]
        result[name] = {**figures(outcomes), "outcomes": [o.__dict__ for o in outcomes]}
    return result
