"""The Documents dialog on its own: a real knowledge service on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.store import Store
from desktop_app.services.knowledge import KnowledgeService
from desktop_app.ui.documents import DocumentsDialog

WAIT = 30_000


def test_files_left_out_are_listed_with_their_reasons(qtbot, tmp_path: Path) -> None:
    Store(tmp_path / "kb.db").close()  # the schema
    knowledge = KnowledgeService(tmp_path / "kb.db")
    dialog = DocumentsDialog(knowledge)
    qtbot.addWidget(dialog)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.md").write_text("# Reset\n\nHold the button.\n")
    (folder / "<img src=x>.bin").write_bytes(bytes(64))
    (folder / "tool").write_bytes(b"\x7fELF" + bytes(64))
    with qtbot.waitSignal(knowledge.indexing_finished, timeout=WAIT) as done:
        dialog.add([folder])
    assert done.args[0].startswith("Indexed 1 file")
    assert "Skipped 2: <img src=x>.bin (not a text document (.bin)); tool (a binary file" in (
        done.args[0]
    )
    qtbot.waitUntil(lambda: not dialog.skipped.isHidden(), timeout=WAIT)
    assert f"{folder / 'tool'} — a binary file, not text" in dialog.skipped.text()
    assert dialog.status.text() == done.args[0]  # shown as written, never as HTML
    assert knowledge.is_indexed(str((folder / "guide.md").resolve()))
    assert not knowledge.is_indexed(str(folder / "tool"))
