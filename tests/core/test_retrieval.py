"""Hybrid retrieval on real parts: all-MiniLM-L6-v2 converted to GGUF and run by llama.cpp in the
embedding worker, real SQLite files, and pages of SQLite's own documentation (Debian's
sqlite3-doc) for what users ask."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.assistants.knowledge import (
    GLOBAL,
    KnowledgeBase,
    conversation_collection,
    forget_deleted_conversations,
    judge,
)
from desktop_app.core.assistants.retrieval import fuse, one_per_document
from desktop_app.core.assistants.specialist import ground
from desktop_app.core.engine.embeddings import EmbeddingClient, is_embedding_model
from desktop_app.core.errors import EmbeddingError
from desktop_app.core.store import MIGRATIONS, Store

SQLITE_DOCS = Path("/usr/share/doc/sqlite3")
PAGES = [
    "lang_altertable.html",
    "session/sqlite3changegroup_add.html",
    "limits.html",
    "c3ref/column_blob.html",
]
needs_docs = pytest.mark.skipif(
    not (SQLITE_DOCS / "lang_altertable.html").is_file(), reason="sqlite3-doc is not installed"
)


def test_llama_cpp_embeddings_match_the_original_model(minilm_gguf: Path, embedder) -> None:
    """The converted GGUF, run by llama.cpp, gives the original model's vectors (a numpy
    forward pass of the safetensors weights, mean pooling, L2 norm): cosine > 0.99."""
    import llama_cpp
    from bert_gguf import Reference, minilm_dir

    reference = Reference(minilm_dir())
    vocab = llama_cpp.Llama(str(minilm_gguf), vocab_only=True, verbose=False)
    texts = [
        "How do I add a new column to a table that already exists?",
        "The ALTER TABLE command can add a column; ÜNÏCODE café naïve text, 東京.",
    ]
    vectors = embedder.embed(texts)
    assert vectors.shape == (2, 384)
    for text, vector in zip(texts, vectors, strict=True):
        ids = vocab.tokenize(text.encode(), add_bos=True, special=False)
        assert float(vector @ reference.embed(ids)) > 0.99
    # WordPiece as BERT reads it: lower case, accents stripped, "##" pieces
    words = (minilm_dir() / "vocab.txt").read_text().splitlines()
    ids = vocab.tokenize(b"How do I add a column", add_bos=True, special=False)
    assert [words[i] for i in ids] == ["[CLS]", "how", "do", "i", "add", "a", "column", "[SEP]"]


def test_the_embedding_worker_refuses_a_chat_model_and_lives_on(
    tiny_model: Path, minilm_gguf: Path
) -> None:
    assert is_embedding_model(minilm_gguf) and not is_embedding_model(tiny_model)
    client = EmbeddingClient(tiny_model)
    try:
        with pytest.raises(EmbeddingError, match="not an embedding model"):
            client.embed(["hello"])
    finally:
        client.close()


def test_an_embedding_worker_that_dies_is_told_and_started_again(embedder) -> None:
    embedder.embed(["warm up"])
    killer = threading.Timer(0.5, embedder._proc.kill)  # a native crash, mid-request
    killer.start()
    with pytest.raises(EmbeddingError, match="stopped"):
        embedder.embed(["word " * 400] * 200)  # a minute of work, cut off
    assert embedder.embed(["and again"]).shape == (1, 384)  # a fresh worker


def test_fusion_and_one_passage_per_document() -> None:
    assert [p for p, _ in fuse([1, 2, 3], [3, 1, 4])] == [1, 3, 2, 4]
    order = [10, 11, 12, 20, 30]
    document = {10: "a", 11: "a", 12: "a", 20: "b", 30: "c"}
    assert one_per_document(order, document, 3) == [10, 20, 30]
    assert one_per_document(order, document, 5) == [10, 20, 30, 11, 12]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    if not (SQLITE_DOCS / "lang_altertable.html").is_file():
        pytest.skip("sqlite3-doc is not installed")
    folder = tmp_path / "sqlite"
    for page in PAGES:
        (folder / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SQLITE_DOCS / page, folder / page)
    return folder


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "kb.db") as opened:
        yield opened


@needs_docs
def test_meaning_finds_alter_table_where_words_find_a_c_function(docs, store, embedder) -> None:
    """The issue's example: "add" and "column" match a session-extension C function by words;
    with meaning, ALTER TABLE's page comes first."""
    question = "How do I add a new column to a table that already exists?"
    words = KnowledgeBase(store)
    counts = KnowledgeBase(store, embedder=embedder).add([docs])
    assert counts["vectors"] == counts["chunks"] > 50
    hybrid = KnowledgeBase(store, embedder=embedder)
    by_words = [Path(h.path).name for h in words.search(question, k=1)]
    by_both = hybrid.search(question, k=3)
    assert by_words != ["lang_altertable.html"]
    assert Path(by_both[0].path).name == "lang_altertable.html"
    assert by_both[0].similarity is not None and by_both[0].similarity > 0.5
    assert len({h.path for h in by_both}) == 3  # one passage per document in the top places
    assert len({h.path for h in hybrid.search(question, k=3, per_document=False)}) < 3


@needs_docs
def test_vectors_are_computed_again_when_the_embedding_model_changes(
    docs, store, embedder
) -> None:
    kb = KnowledgeBase(store, embedder=embedder)
    kb.add([docs / "limits.html"])
    assert kb.vector_status()[0] == kb.vector_status()[1] > 0
    assert kb.add([docs / "limits.html"])["vectors"] == 0  # unchanged: nothing to embed

    class Other:  # another model: same worker, other name
        model_key = "another-model.gguf#1"

        def embed(self, texts):
            return embedder.embed(texts)

    other = KnowledgeBase(store, embedder=Other())
    assert other.vector_status()[0] == 0  # the old model's vectors are not mixed in
    assert other.embed_missing() == other.vector_status()[1]
    assert other.search("maximum length of a string")[0].similarity is not None
    assert other.prune_vectors() == kb.vector_status()[1]  # the first model's are gone
    assert other.prune_vectors() == 0


@needs_docs
def test_an_on_topic_question_the_documents_do_not_answer_gets_what_they_say(
    docs, store
) -> None:
    """Before: the question shared enough words with the pages to pass the coverage rule, and
    the model got passages to invent an answer from."""
    kb = KnowledgeBase(store)
    kb.add([docs])
    question = "How do I connect to SQLite from a Django project's settings file?"
    assert "django" in kb.unknown_terms(question)
    assert judge(kb.search(question, k=4)) == "covered"  # the old rule alone lets it through
    grounding = ground(kb, question)
    assert grounding.verdict == "weak" and grounding.prompt is None
    assert grounding.reply.startswith("Your documents mention this")
    assert "[1]" in grounding.reply and len(grounding.hits) >= 1
    answered = ground(kb, "What is the maximum length of a string or BLOB?")
    assert answered.verdict == "covered" and answered.prompt is not None


def test_today_s_index_becomes_the_global_collection(tmp_path: Path) -> None:
    """A version 4 database with indexed documents keeps them, as the global collection."""
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path)
    for version in range(1, 5):
        for statement in MIGRATIONS[version].split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute("INSERT INTO kb_documents VALUES ('/docs/a.txt', 1.0, 10, 1, 'then')")
    conn.execute(
        "INSERT INTO kb_chunks (text, heading, path) VALUES "
        "('Zebras may redistribute this software.', 'Zebra clause', '/docs/a.txt')"
    )
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    with Store(path) as store:
        kb = KnowledgeBase(store)
        assert [f["path"] for f in kb.files()] == ["/docs/a.txt"]
        assert kb.search("zebras redistribute")[0].heading == "Zebra clause"


def test_a_conversation_s_files_stay_in_that_conversation(tmp_path: Path, store) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Parking\n\nVisitors park in the blue zone behind building C.\n")
    own = KnowledgeBase(store, collection=conversation_collection(7))
    own.add([note])
    assert KnowledgeBase(store).search("where do visitors park") == []
    assert KnowledgeBase(store).files() == []
    assert own.search("where do visitors park")[0].heading == "Parking"
    both = KnowledgeBase(store).search("visitors park", collections=[GLOBAL, "conversation:7"])
    assert len(both) == 1
    own.drop()
    assert own.files() == [] and own.search("visitors park") == []


def test_a_deleted_conversation_s_files_are_forgotten(tmp_path: Path, store) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Parking\n\nVisitors park in the blue zone.\n")
    kept, gone = store.create_conversation(), store.create_conversation()
    for cid in (kept, gone):
        KnowledgeBase(store, collection=conversation_collection(cid)).add([note])
    store.delete_conversation(gone)
    assert forget_deleted_conversations(store.db.conn) == 1
    assert KnowledgeBase(store, collection=conversation_collection(gone)).files() == []
    assert len(KnowledgeBase(store, collection=conversation_collection(kept)).files()) == 1


def test_vectors_stay_unit_length(embedder) -> None:
    vectors = embedder.embed(["a", "", "x " * 2000])  # empty and over-long inputs too
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_how_long_and_how_often_are_not_words_the_documents_must_use(tmp_path: Path) -> None:
    """A new user dropped a manual that says how long to hold the button; "long" appears
    nowhere in it, and the answer was refused as "weak" for that word alone."""
    manual = tmp_path / "manual.md"
    manual.write_text(
        "# Resetting the widget\n\nHold the purple button for ten seconds until the light "
        "blinks twice; the widget then restarts with its factory settings.\n\n"
        "# Watering\n\nWater the quillfern every third day, in the morning.\n"
    )
    with Store(tmp_path / "db.sqlite") as store:
        kb = KnowledgeBase(store)
        kb.add([manual])
        question = "How long must I hold the purple button to reset the widget?"
        assert kb.unknown_terms(question) == []
        assert ground(kb, question).verdict == "covered"
        assert kb.unknown_terms("How often should I water the quillfern?") == []
        assert kb.unknown_terms("How long is a django migration?") == ["django", "migration"]
