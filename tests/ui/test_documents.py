"""The Documents dialog on its own: a real knowledge service on a real SQLite file."""

from __future__ import annotations

import threading
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


def test_a_failed_job_is_said_and_a_closing_app_stops_the_job(qtbot, tmp_path: Path) -> None:
    """Indexing runs through the services' one way of doing background work: a failure
    comes back on the GUI thread as words, progress too, and closing stops a long job."""
    earlier = set(threading.enumerate())  # other tests' services may have idle workers
    (tmp_path / "broken.db").write_bytes(b"not a database" * 100)
    broken = KnowledgeService(tmp_path / "broken.db")
    with qtbot.waitSignal(broken.indexing_finished, timeout=WAIT) as done:
        broken.list_files()
    assert done.args[0].startswith("Indexing failed: ")
    broken.shutdown()
    Store(tmp_path / "kb.db").close()
    knowledge = KnowledgeService(tmp_path / "kb.db")
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(40):
        (folder / f"note{n}.md").write_text(f"# Note {n}\n\n" + "words to index " * 2000)
    seen: list[tuple[int, int, str]] = []
    knowledge.indexing_progressed.connect(lambda *args: seen.append(args))
    knowledge.add([folder])
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)  # under way
    knowledge.shutdown()  # what the app does when it closes: the job stops at its next file
    mine = [t for t in threading.enumerate() if t not in earlier]
    for worker in [t for t in mine if t.name.startswith("kb-index")]:
        worker.join(WAIT / 1000)
        assert not worker.is_alive()
    with Store(tmp_path / "kb.db") as store:
        indexed = store.db.conn.execute("SELECT count(*) FROM kb_documents").fetchone()[0]
    assert indexed < 40  # stopped, not finished
