"""The one way services run work off the GUI thread: a typed operation with a success and a
failure callback, both called on the GUI thread (after Anki's aqt/operations QueryOp).

    self.background.run(lambda: library.import_file(...), success=self._imported)

Failures never vanish: a SmallwiseError reaches the failure callback (or the `failed` signal)
with its message for the user; anything else is a bug, logged with its traceback and reported
as one. Work is done on this object's own threads; callbacks run where the object lives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.errors import SmallwiseError

log = logging.getLogger(__name__)
T = TypeVar("T")


def user_message(exc: BaseException) -> str:
    """What to tell the user about a failure of background work."""
    if isinstance(exc, SmallwiseError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}. Check the disk and the folder's permissions."
    return f"Something went wrong ({type(exc).__name__}: {exc}). Details are in the log."


class Background(QObject):
    failed = Signal(str)  # a failure nobody else handled: plain words for the user
    _delivered = Signal(object, object)  # callback, argument

    def __init__(self, name: str, workers: int = 1, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._delivered.connect(self._deliver)
        self._closed = False

    def run(
        self,
        work: Callable[[], T],
        success: Callable[[T], Any] | None = None,
        failure: Callable[[str], Any] | None = None,
    ) -> Future:
        """Run `work` on a background thread; then `success(result)` or `failure(message)` on
        this object's thread."""

        def job() -> None:
            try:
                result = work()
            except Exception as exc:
                if not isinstance(exc, SmallwiseError):
                    log.exception("background work failed")
                self._delivered.emit(failure or self.failed.emit, user_message(exc))
            else:
                if success is not None:
                    self._delivered.emit(success, result)

        return self._pool.submit(job)

    def post(self, callback: Callable[[Any], Any], argument: Any = None) -> None:
        """From any thread: `callback(argument)` on this object's thread (e.g. progress)."""
        self._delivered.emit(callback, argument)

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], Any], argument: Any) -> None:
        if not self._closed:  # after shutdown, the services the callbacks use are gone
            callback(argument)

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
