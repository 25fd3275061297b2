"""The window's store thread (services/storage.py)."""

from __future__ import annotations

from desktop_app.core.store import Store
from desktop_app.services.storage import StoreThread


def test_a_call_after_closing_is_dropped_not_raised(qtbot, tmp_path) -> None:
    """A conversation opened by a signal still queued while the window closed raised
    'cannot schedule new futures after shutdown' in the Qt event loop."""
    stores = StoreThread(lambda: Store(tmp_path / "smallwise.db"))
    done: list[object] = []
    stores.call(lambda store: store.conversations(), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    stores.close()
    late = stores.call(lambda store: store.conversations(), on_done=done.append)
    assert late.cancelled()
    qtbot.wait(50)
    assert len(done) == 1
