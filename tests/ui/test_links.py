"""What a click on a link in outside text may open: a document of the knowledge base (its exact
indexed path), a web page after the user confirmed the full address, nothing else.

QDesktopServices.openUrl is replaced by a recorder: handing a URL to the desktop's real opener
cannot be observed headless (and must not run programs on the test machine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.core.assistants.knowledge import Hit
from desktop_app.ui.links import LinkPolicy
from desktop_app.ui.message_view import MessageWidget


@pytest.fixture
def opened(monkeypatch) -> list[QUrl]:
    calls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: calls.append(QUrl(url)) or True)
    return calls


@pytest.fixture
def indexed(tmp_path: Path) -> Path:
    doc = tmp_path / "guide.md"
    doc.write_text("# Reset\n\nHold the button for ten seconds.\n")
    return doc


def policy_for(*paths: Path) -> LinkPolicy:
    known = {str(p) for p in paths}
    return LinkPolicy(lambda path: path in known)


def answer_dialog(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Press `button` on the next modal dialog, noting what it said."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(20, press)


REFUSED = [
    "file:///usr/bin/ldd",  # a shell script
    "file:///root/.bashrc",
    "file:///etc/passwd",
    "/etc/passwd",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "smb://server/share/setup.exe",
    "ftp://example.org/file.txt",
    "x-custom-handler://run?cmd=rm",
    "mailto:someone@example.org",
    "notes.md",
]


@pytest.mark.parametrize("url", REFUSED)
def test_links_other_than_documents_and_web_pages_are_refused(
    qtbot, opened, indexed: Path, url: str
) -> None:
    policy = policy_for(indexed)
    with qtbot.waitSignal(policy.notice) as note:
        assert not policy.open(url)
    assert opened == [] and note.args[0].startswith("Not opened")


def test_a_document_of_the_knowledge_base_opens(opened, indexed: Path) -> None:
    policy = policy_for(indexed)
    assert policy.open(indexed.as_uri())
    assert opened == [QUrl.fromLocalFile(str(indexed))]
    assert policy.open(indexed.as_uri() + "?x=1#top")  # the exact file, nothing appended
    assert opened[-1] == QUrl.fromLocalFile(str(indexed))


def test_a_file_not_in_the_knowledge_base_is_refused(qtbot, opened, tmp_path: Path) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Not indexed\n")
    policy = policy_for(tmp_path / "guide.md")
    with qtbot.waitSignal(policy.notice) as note:
        assert not policy.open(other.as_uri())
    assert opened == [] and "knowledge base" in note.args[0]


def test_an_indexed_file_without_a_document_extension_is_not_handed_to_the_desktop(
    qtbot, opened, tmp_path: Path
) -> None:
    script = tmp_path / "setup"
    script.write_text("#!/bin/sh\necho hello\n")
    policy = policy_for(script)
    with qtbot.waitSignal(policy.notice):
        assert not policy.open(script.as_uri())
    assert opened == []


def test_a_web_link_opens_only_after_the_user_confirms_the_address(qtbot, opened) -> None:
    policy = LinkPolicy()
    url = "https://example.org/reset?device=router"
    seen: list[str] = []
    answer_dialog(QMessageBox.StandardButton.No, seen)
    assert not policy.open(url)
    assert opened == [] and url in seen[0]
    answer_dialog(QMessageBox.StandardButton.Yes, seen)
    assert policy.open(url)
    assert opened == [QUrl(url)]


def test_a_web_address_is_shown_as_it_really_is(qtbot, opened) -> None:
    # An internationalised host is shown in its ASCII form, so look-alike letters show.
    seen: list[str] = []
    answer_dialog(QMessageBox.StandardButton.No, seen)
    assert not LinkPolicy().open("https://exаmple.org/")  # a Cyrillic "а"
    assert "xn--" in seen[0]


def test_a_heading_cannot_inject_a_link_into_the_sources(qtbot, opened, indexed: Path) -> None:
    hit = Hit(str(indexed), "Reset](file:///usr/bin/ldd) [x", 1.0, "Hold the button.", 1.0)
    widget = MessageWidget(
        {
            "id": 1,
            "role": "assistant",
            "status": "complete",
            "content": "Hold the button.",
            "extras": {"sources": [hit.cited()]},
        },
        links=policy_for(indexed),
    )
    qtbot.addWidget(widget)
    html = widget.sources.text()
    assert "/usr/bin/ldd" not in html.split("href=")[1].split(">")[0]
    assert html.count("<a href=") == 1
    widget.sources.anchorClicked.emit(QUrl(indexed.as_uri()))
    assert opened == [QUrl.fromLocalFile(str(indexed))]
    widget.sources.anchorClicked.emit(QUrl("file:///usr/bin/ldd"))
    assert len(opened) == 1


def test_the_model_managers_details_follow_the_same_policy(qtbot, opened) -> None:
    # Catalog text is outside text too: Qt must not open its links by itself.
    from desktop_app.app import build
    from desktop_app.paths import app_paths

    smallwise = build(app_paths().ensure())
    qtbot.addWidget(smallwise.window)
    try:
        manager = smallwise.window.show_model_manager()
        assert not manager.details.openExternalLinks()
        manager.details.linkActivated.emit("file:///usr/bin/ldd")
        seen: list[str] = []
        answer_dialog(QMessageBox.StandardButton.No, seen)
        manager.details.linkActivated.emit("https://huggingface.co/org/model")
        assert opened == [] and seen == ["https://huggingface.co/org/model"]
        answer_dialog(QMessageBox.StandardButton.Yes, seen)
        manager.details.linkActivated.emit("https://huggingface.co/org/model")
        assert opened == [QUrl("https://huggingface.co/org/model")]
    finally:
        smallwise.shutdown()
