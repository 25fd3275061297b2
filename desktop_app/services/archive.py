"""Export and import for the window, off the GUI thread: the store is read (or written) on its
own thread, the page is rendered and the file written or read on this service's thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.core import export, importing
from desktop_app.services.background import Background
from desktop_app.services.storage import StoreThread


class ArchiveService(QObject):
    exported = Signal(str)  # what to tell the user
    imported = Signal(list)  # the new conversations' ids
    failed = Signal(str)  # what went wrong, in plain words

    def __init__(self, stores: StoreThread, parent: QObject | None = None):
        super().__init__(parent)
        self.stores = stores
        self.background = Background("archive", parent=self)

    def export(self, conversation_ids: list[int] | None, fmt: str, path: Path) -> None:
        """The conversations named (all for None) to `path` as md, json or html."""

        def work() -> str:
            doc = self.stores.run(export.document, conversation_ids)
            export.write_file(path, export.render(doc, fmt))
            count = len(doc["conversations"])
            text = self.tr("Exported %n conversation(s) to {path}.", "", count)
            return text.format(path=path)

        self.background.run(work, self.exported.emit, self.failed.emit)

    def import_file(self, path: Path) -> None:
        def work() -> list[int]:
            doc = importing.read(path)  # checked whole before anything is written
            return self.stores.run(importing.store_document, doc)

        self.background.run(work, self.imported.emit, self.failed.emit)

    def shutdown(self) -> None:
        self.background.shutdown()
