"""Reading the user's files into the knowledge base, bounded: splitting is linear in the size of
a file, one file contributes at most a set size, and every file left out has a reason the user
can read. Real files in a temp folder, a real SQLite store."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from desktop_app.core.assistants.knowledge import KnowledgeBase
from desktop_app.core.assistants.reading import (
    CHUNK_CHARS,
    MAX_HEADING_CHARS,
    chunks,
    sections,
)
from desktop_app.core.store import Store

WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n"


@pytest.fixture
def kb(tmp_path: Path):
    store = Store(tmp_path / "kb.db")
    yield KnowledgeBase(store)
    store.close()


def one_paragraph(path: Path, size: int) -> Path:
    path.write_text(WORDS * (size // len(WORDS)))
    return path


def timed_chunks(path: Path) -> tuple[float, list[tuple[str, str]]]:
    started = time.perf_counter()
    found = chunks(path)
    return time.perf_counter() - started, found


def test_splitting_a_file_without_blank_lines_is_linear(tmp_path: Path) -> None:
    small_s, _ = timed_chunks(one_paragraph(tmp_path / "small.txt", 2_000_000))
    big = one_paragraph(tmp_path / "big.txt", 16_000_000)
    big_s, found = timed_chunks(big)
    # 8 times the text: quadratic splitting took 50 times as long (0.18 s → 9.7 s).
    assert big_s < 20 * max(small_s, 0.02), (small_s, big_s)
    assert all(len(text) <= CHUNK_CHARS for _, text in found)
    assert " ".join(text for _, text in found) == " ".join(big.read_text().split())


def test_a_file_over_the_size_limit_is_skipped_with_a_reason(tmp_path: Path) -> None:
    store = Store(tmp_path / "kb.db")
    kb = KnowledgeBase(store, max_bytes=100_000)
    big = one_paragraph(tmp_path / "big.txt", 200_000)
    small = one_paragraph(tmp_path / "small.txt", 50_000)
    counts = kb.add([big, small])
    assert counts["indexed"] == 1
    assert [(Path(p).name, reason) for p, reason in counts["skipped"]] == [
        ("big.txt", "larger than 0.1 MB, the limit for one document")
    ]
    store.close()


def test_binary_and_unsupported_files_are_skipped_with_a_reason(kb, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.md").write_text("# Notes\n\nText.\n")
    (folder / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(200))
    (folder / "data.txt").write_bytes(b"abc\x00def")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    counts = kb.add([folder])
    skipped = {Path(p).name: reason for p, reason in counts["skipped"]}
    assert counts["indexed"] == 1
    assert skipped == {
        "data.txt": "a binary file, not text",
        "photo.png": "not a text document (.png)",
        "program": "a binary file, not text",
    }


def test_a_file_that_cannot_be_read_is_skipped_not_fatal(kb, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Good\n\nFine.\n")
    broken = tmp_path / "gone.md"
    broken.symlink_to(tmp_path / "nowhere.md")
    counts = kb.add([broken, good])
    assert counts["indexed"] == 1
    assert [Path(p).name for p, _ in counts["skipped"]] == ["gone.md"]
    assert "not found" in counts["skipped"][0][1]


def test_a_document_that_became_binary_is_forgotten_with_a_reason(kb, tmp_path: Path) -> None:
    doc = tmp_path / "guide.txt"
    doc.write_text("RESET\n\nHold the button.\n")
    assert kb.add([doc])["indexed"] == 1
    doc.write_bytes(b"\x00" * 64)
    os.utime(doc, (time.time() + 5, time.time() + 5))
    counts = kb.refresh()
    assert counts["skipped"] == [(str(doc), "a binary file, not text")]
    assert kb.files() == [] and kb.search("hold button") == []


def html_doc(tmp_path: Path, markup: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(markup)
    return path


def test_a_stray_end_of_script_does_not_hide_the_rest(tmp_path: Path) -> None:
    page = html_doc(tmp_path, "</script><h2>Reset</h2><p>Hold the button.</p>")
    assert ("Reset", "Hold the button.") in chunks(page)


def test_an_unclosed_heading_does_not_swallow_the_document(tmp_path: Path) -> None:
    page = html_doc(tmp_path, "<h1>Title<p>" + "Body text. " * 200)
    found = sections(page)
    assert all(len(heading) <= MAX_HEADING_CHARS for heading, _ in found)
    assert "Body text." in " ".join(heading + text for heading, text in found)


def test_headings_are_plain_text(tmp_path: Path) -> None:
    page = html_doc(
        tmp_path,
        "<h2>Reset](file:///usr/bin/ldd) [x &lt;b&gt;</h2><p>a</p>"
        "<h3><b>Bold</b> <img src=x> heading</h3><p>b</p>",
    )
    headings = [h for h, _ in sections(page) if h]
    assert headings == ["Reset](file:///usr/bin/ldd) [x <b>", "Bold heading"]


def test_a_huge_markdown_heading_is_cut(tmp_path: Path) -> None:
    md = tmp_path / "long.md"
    md.write_text("# " + "word " * 100_000 + "\n\nBody.\n")
    found = chunks(md)
    assert all(len(heading) <= MAX_HEADING_CHARS for heading, _ in found)
    assert found[-1][1] == "Body."


def test_control_characters_do_not_reach_a_terminal(tmp_path: Path) -> None:
    # The CLI prints headings and passages: an escape sequence in a document must not act.
    page = html_doc(tmp_path, "<h2>Reset\x1b]0;owned\x07\x1b[2J</h2><p>Hold\x1b[31m the button.")
    assert chunks(page) == [("Reset]0;owned[2J", "Hold[31m the button.")]
