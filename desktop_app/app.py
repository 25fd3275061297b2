"""Composition root: builds the QApplication, the services and the main window."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from dataclasses import dataclass
from importlib import resources

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app import APP_NAME
from desktop_app.core.assistants.registry import Assistant, load_assistants
from desktop_app.core.catalog import CatalogError, for_profile
from desktop_app.core.render import warm_up
from desktop_app.core.store import Store, StoreError
from desktop_app.gil import favour_the_gui
from desktop_app.paths import AppPaths
from desktop_app.refcounts import hold_singletons
from desktop_app.services.api_server import ApiServerService
from desktop_app.services.chat import ChatService
from desktop_app.services.models import ModelService
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings
from desktop_app.ui import language, theme
from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


@dataclass
class Smallwise:
    """The running app's parts; tests build one the same way the app does."""

    paths: AppPaths
    settings: Settings
    stores: StoreThread
    chat: ChatService
    models: ModelService
    window: MainWindow
    api: ApiServerService

    def start(self) -> None:
        self.window.show()
        self.models.prepare_default(load_assistants().get(self.settings["assistant"]))
        self.api.apply()  # the API server, if the user switched it on
        if not self.settings["welcomed"]:
            self.window.show_first_run(first_time=True)
        # The formula drawer and the code highlighter take ~0.4 s to import: once the window
        # is up, off the GUI thread (Markdown is rendered ahead in another process).
        QTimer.singleShot(
            1500, lambda: threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
        )

    def close(self) -> None:
        self.window.close()
        self.shutdown()

    def shutdown(self) -> None:
        self.window.archive.shutdown()
        self.window.knowledge.shutdown()
        if self.window.view.ahead is not None:
            self.window.view.ahead.shutdown()  # its renderer process
        self.api.shutdown()
        self.models.shutdown()
        self.chat.shutdown()
        self.stores.close()
        gc.enable()  # back to Python's own schedule once no widget can be freed on a thread


def collect_garbage_on_gui_thread(parent: QObject, interval_ms: int = 5000) -> QTimer:
    """Python's cyclic garbage collector runs in whichever thread happens to allocate. When it
    frees a widget's wrapper on a worker thread, PySide hands the deletion back to the GUI
    thread and can delete a widget Qt already deleted: a crash, seen here in the tests. As Anki
    does: automatic collection off, a collection on the GUI thread every few seconds instead
    (reference counting still frees everything that is not in a cycle at once)."""
    gc.collect()
    gc.disable()
    timer = QTimer(parent, interval=interval_ms)
    timer.timeout.connect(lambda: gc.collect())
    timer.start()
    return timer


def build(paths: AppPaths) -> Smallwise:
    """Raises StoreError or CatalogError with a message for the user."""
    hold_singletons()  # PySide6 6.12 loses references to None/True/False: see refcounts.py
    favour_the_gui()  # threads beside the GUI give the GIL back within 0.5 ms: see gil.py
    settings = Settings(paths.settings_file)
    # Before any widget: each reads its texts through the translators when it is built.
    language.install(QCoreApplication.instance(), settings["language"])
    stores = StoreThread(lambda: Store(paths.database))
    catalog = for_profile(paths, settings)
    chat = ChatService(stores, settings, log_path=str(paths.log_dir / "engine.log"))
    models = ModelService(stores, paths, settings, catalog)
    window = MainWindow(chat, stores, settings, models)
    collect_garbage_on_gui_thread(window)
    window.setWindowIcon(app_icon())
    models.model_ready.connect(chat.set_model)
    chat.resolve_model = models.choose  # a conversation's own model
    api = ApiServerService(chat, stores, settings, paths, catalog)
    api.state_changed.connect(window.show_notice)
    chat.options_changed.connect(api.apply)
    # Models moved to (or back from) a server: choose the model again, and re-plan the listing.
    chat.engine_changed.connect(lambda _: models.prepare_default(_assistant(settings)))
    chat.engine_changed.connect(lambda _: models.refresh())
    models.failed.connect(window.show_notice)
    models.progress.connect(window.show_notice)
    for problem in catalog.problems:
        log.warning("catalog: %s", problem)
    if catalog.problems:
        window.show_notice(" ".join(catalog.problems[:2]))
    recovered = stores.store.recovered
    if recovered:
        window.show_notice(
            QCoreApplication.translate(
                "Smallwise",
                "%n answer(s) cut off when Smallwise last closed: the text written so far is "
                "kept and marked interrupted.",
                None,
                recovered,
            )
        )
    return Smallwise(paths, settings, stores, chat, models, window, api)


def _assistant(settings: Settings) -> Assistant | None:
    return load_assistants().get(settings["assistant"])


def app_icon() -> QIcon:
    return QIcon(str(resources.files("desktop_app.resources").joinpath("smallwise.svg")))


def style_sheet() -> str:
    """The light style sheet, for a window made before the theme is known (the main window's
    ThemeController then applies the chosen scheme)."""
    return theme.style_sheet(theme.LIGHT)


def run_gui(paths: AppPaths) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setWindowIcon(app_icon())
    app.setStyleSheet(style_sheet())
    try:
        smallwise = build(paths)
    except (StoreError, CatalogError) as exc:
        log.error("cannot start: %s", exc)
        title = QCoreApplication.translate("Smallwise", "{app} cannot start")
        QMessageBox.critical(None, title.format(app=APP_NAME), str(exc))
        return 2
    smallwise.start()
    try:
        return app.exec()
    finally:
        smallwise.shutdown()
