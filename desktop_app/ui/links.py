"""What a click on a link in outside text may open. Links come from a model's answer or a
document, so they are untrusted: a file link opens only a document of the knowledge base (its
exact indexed path, with a document extension, so never a script or a program); a web link
opens only after the user has confirmed its full address; anything else is refused, with a
note saying so. Every widget that shows outside links sends its clicks here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

# What the desktop may be handed: text documents, opened by an editor or a browser. Files
# without an extension go by their content on most desktops, and a script is text.
OPENABLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst", ".html", ".htm"})
WEB_SCHEMES = ("http", "https")
NOTE_CHARS = 120


class LinkPolicy(QObject):
    """Opens what a link may open; `notice` says why a link was not opened."""

    notice = Signal(str)

    def __init__(self, is_indexed: Callable[[str], bool] = lambda _path: False) -> None:
        super().__init__()
        self.is_indexed = is_indexed  # answered from memory: never a query on the GUI thread

    def open(self, url: QUrl | str, parent: QWidget | None = None) -> bool:
        link = QUrl(url)
        scheme = link.scheme().lower()
        if scheme == "file":
            return self._open_document(link)
        if scheme in WEB_SCHEMES and link.isValid() and link.host():
            return self._open_web(link, parent)
        return self._refuse(
            link, self.tr("Smallwise opens web pages and your Support documents only.")
        )

    def _open_document(self, link: QUrl) -> bool:
        path = link.toLocalFile()
        if not path or link.host() or not self.is_indexed(path):
            return self._refuse(
                link, self.tr("Only documents in your knowledge base open from a link.")
            )
        if PurePath(path).suffix.lower() not in OPENABLE_SUFFIXES:
            why = self.tr(
                "It has no document extension, so it could be a program: open it yourself."
            )
            return self._refuse(link, why)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def _open_web(self, link: QUrl, parent: QWidget | None) -> bool:
        if not confirm_web_address(link, parent):
            return False
        return QDesktopServices.openUrl(link)

    def _refuse(self, link: QUrl, why: str) -> bool:
        self.notice.emit(self.tr("Not opened: {link}. {why}").format(link=shown(link), why=why))
        return False


def shown(link: QUrl) -> str:
    """The address as it really is: percent-encoded, an international host in its ASCII form
    (look-alike letters show), cut to a readable length."""
    text = link.toString(QUrl.ComponentFormattingOption.FullyEncoded)
    return text if len(text) <= NOTE_CHARS else text[: NOTE_CHARS - 1] + "…"


def confirm_web_address(link: QUrl, parent: QWidget | None) -> bool:
    encoded = QUrl.ComponentFormattingOption.FullyEncoded
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    translate = QCoreApplication.translate
    box.setWindowTitle(translate("LinkPolicy", "Open in your browser?"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(link.toString(encoded))
    box.setInformativeText(
        translate(
            "LinkPolicy",
            "This link came from an answer or a document; it goes to {host}. Open it only if "
            "that is where you expected to go.",
        ).format(host=link.host(encoded))
    )
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
