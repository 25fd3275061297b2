"""PDF and DOCX documents: read page by page and under their headings, cited by page or
section, and bounded (pages, unpacked size, reading time); damaged files are left out with the
reason. Real files written here: a PDF by hand, a DOCX with python-docx."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import docx
import pytest

from desktop_app.core.assistants import packed, reading
from desktop_app.core.assistants.knowledge import KnowledgeBase
from desktop_app.core.errors import UnreadableDocument
from desktop_app.core.store import Store


def write_pdf(path: Path, pages: list[str]) -> Path:
    """A small PDF with one line of text per page (Helvetica), with a correct xref table."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    font = 3 + 2 * n
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>"]
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Returns policy", level=1)
    document.add_paragraph("Items can be returned within 30 days with the receipt.")
    document.add_heading("Shipping", level=2)
    document.add_paragraph("Parcels leave the warehouse every weekday at noon.")
    table = document.add_table(rows=2, cols=2)
    zones = [("Europe", "3 days"), ("Asia", "9 days")]
    for row, (zone, days) in zip(table.rows, zones, strict=True):
        row.cells[0].text, row.cells[1].text = zone, days
    document.save(path)
    return path


@pytest.fixture
def kb(tmp_path: Path):
    with Store(tmp_path / "kb.db") as store:
        yield KnowledgeBase(store)


def test_a_pdf_is_cited_by_page(tmp_path: Path, kb: KnowledgeBase) -> None:
    pages = ["Welcome to the pump manual", "Bleed the valve monthly"]
    pdf = write_pdf(tmp_path / "manual.pdf", pages)
    assert reading.sections(pdf) == [
        ("page 1", "Welcome to the pump manual"),
        ("page 2", "Bleed the valve monthly"),
    ]
    assert kb.add([tmp_path])["indexed"] == 1
    hit = kb.search("how often should I bleed the valve")[0]
    assert hit.source == "manual.pdf — page 2"


def test_a_docx_is_cited_by_its_headings(tmp_path: Path, kb: KnowledgeBase) -> None:
    found = dict(reading.sections(write_docx(tmp_path / "policy.docx")))
    assert "within 30 days" in found["Returns policy"]
    assert "Europe | 3 days" in found["Shipping"] and "noon" in found["Shipping"]
    kb.add([tmp_path])
    assert kb.search("how long does shipping to Asia take")[0].source == "policy.docx — Shipping"


def test_untrusted_packed_files_are_bounded(tmp_path: Path, kb, monkeypatch) -> None:
    pdf = write_pdf(tmp_path / "long.pdf", ["one", "two", "three"])
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    (tmp_path / "fake.docx").write_text("not a zip at all")
    write_docx(tmp_path / "bomb.docx")
    monkeypatch.setattr(reading, "MAX_PDF_PAGES", 2)
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 10_000)
    reasons = {Path(p).name: why for p, why in kb.add([tmp_path])["skipped"]}
    assert reasons["long.pdf"] == "3 pages, more than 2 for one PDF"
    assert reasons["broken.pdf"].startswith("a damaged PDF")
    assert reasons["fake.docx"] == "not a Word file (damaged or misnamed)"
    assert reasons["bomb.docx"].startswith("unpacks to")
    assert kb.files() == []
    with pytest.raises(UnreadableDocument, match="took too long"):
        packed.pdf_sections(pdf, time.monotonic() - 1, 100)  # the deadline has passed


def test_a_zip_that_unpacks_past_the_limit_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    bomb = tmp_path / "huge.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b" " * 70_000_000 + b">")
    assert bomb.stat().st_size < 1_000_000
    reason = reading.skip_reason(bomb)
    assert reason is None  # a zip, so it is tried…
    with pytest.raises(UnreadableDocument, match="unpacks to 70 MB"):
        reading.sections(bomb)  # …and refused from the zip's own listing, nothing unpacked
