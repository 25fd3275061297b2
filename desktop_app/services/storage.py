"""All database work runs on one thread of its own, so the GUI thread never waits on disk.

GUI code calls `call(lambda store: …, on_done=…)` and gets the result in a callback on the GUI
thread; background threads (a chat turn) use `blocking`, a proxy whose calls run on the store
thread and wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar, cast

from PySide6.QtCore import QObject, Signal

from desktop_app.core.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


class StoreThread(QObject):
    _delivered = Signal(object, object)  # callback, result
    failed = Signal(str)  # a store call failed: message for the user

    def __init__(self, store_factory: Callable[[], Store]):
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._closed = False
        # Opening runs migrations; a StoreError propagates to the caller (the app start).
        self.store: Store = self._pool.submit(store_factory).result()
        self._delivered.connect(self._deliver)
        # Store's own methods, each run on the store thread and waited for.
        self.blocking: Store = cast(Store, _BlockingProxy(self))

    def call(
        self, work: Callable[[Store], T], on_done: Callable[[T], None] | None = None
    ) -> Future:
        """From the GUI thread: work(store) on the store thread; on_done(result) back on the GUI
        thread (a failure is logged and reported through `failed`)."""
        if self._closed:  # a late call while the window closes: nothing left to read or show
            future: Future = Future()
            future.cancel()
            return future
        future = self._pool.submit(work, self.store)
        future.add_done_callback(lambda f: self._delivered.emit(on_done, f))
        return future

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """From a background thread: fn(store, *args) on the store thread, and wait for it."""
        return self._pool.submit(fn, self.store, *args).result()

    def _deliver(self, on_done: Callable[[Any], None] | None, future: Future) -> None:
        exc = future.exception()
        if exc is not None:
            log.error("store call failed", exc_info=exc)
            self.failed.emit(
                self.tr("Saving or reading conversations failed: {error}").format(error=exc)
            )
        elif on_done is not None:
            on_done(future.result())

    def close(self) -> None:
        self._closed = True
        self._pool.submit(self.store.close).result()
        self._pool.shutdown(wait=True)


class _BlockingProxy:
    def __init__(self, owner: StoreThread):
        self._owner = owner

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._owner.store, name)

        def run(*args: Any, **kwargs: Any) -> Any:
            return self._owner._pool.submit(method, *args, **kwargs).result()

        return run
