"""Fuzzing the PDF and DOCX readers (hypothesis, bounded): whatever the bytes, reading a file
ends in time with sections or an UnreadableDocument (the file left out with a reason), never
another exception. Inputs: mutations of a real PDF and DOCX, and arbitrary bytes behind the
right magic numbers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_packed_documents import write_docx, write_pdf

from desktop_app.core.assistants import reading
from desktop_app.core.errors import UnreadableDocument

SECONDS = 5.0  # per file, on a loaded 2-core machine; reading itself is capped at READ_SECONDS
FUZZ = settings(
    max_examples=60,
    deadline=None,  # timed below, against SECONDS
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("seeds")
    pdf = write_pdf(folder / "a.pdf", ["first page text", "second page (with parens)"])
    return {".pdf": pdf.read_bytes(), ".docx": write_docx(folder / "a.docx").read_bytes()}


def _read(path: Path) -> None:
    started = time.monotonic()
    try:
        found = reading.sections(path)
        assert all(isinstance(h, str) and isinstance(t, str) for h, t in found)
    except UnreadableDocument as exc:
        assert str(exc)  # a reason to show beside the file's name
    assert time.monotonic() - started < SECONDS


@FUZZ
@given(
    suffix=st.sampled_from([".pdf", ".docx"]),
    at=st.floats(0, 1),
    junk=st.binary(min_size=1, max_size=64),
    cut=st.booleans(),
)
def test_mutated_documents_are_read_or_left_out(seeds, tmp_path, suffix, at, junk, cut) -> None:
    data = seeds[suffix]
    where = int(at * (len(data) - 1))
    mutated = data[:where] if cut else data[:where] + junk + data[where + len(junk) :]
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(mutated)
    if reading.skip_reason(path) is None:
        _read(path)


@FUZZ
@given(body=st.binary(max_size=2048))
def test_arbitrary_bytes_behind_a_pdf_header(tmp_path, body) -> None:
    path = tmp_path / "fuzz.pdf"
    path.write_bytes(b"%PDF-1.7\n" + body)
    _read(path)
