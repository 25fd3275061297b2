"""Gets a model ready to chat with, off the GUI thread: on first run that means assembling the
offline starter model into the models folder and registering it."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from desktop_app.core.catalog import CatalogModel
from desktop_app.core.model_choice import ModelNotFound, resolve_model
from desktop_app.core.starter import STARTER_ID, StarterMissing, install_starter, is_installed
from desktop_app.paths import AppPaths
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings

log = logging.getLogger(__name__)


class ModelService(QObject):
    model_ready = Signal(object)  # ModelChoice
    failed = Signal(str)
    progress = Signal(str)

    def __init__(
        self,
        stores: StoreThread,
        paths: AppPaths,
        settings: Settings,
        catalog: dict[str, CatalogModel],
    ):
        super().__init__()
        self.stores, self.paths, self.settings, self.catalog = stores, paths, settings, catalog

    def prepare_default(self) -> None:
        threading.Thread(target=self._prepare, name="prepare-model", daemon=True).start()

    def _prepare(self) -> None:
        store = self.stores.blocking
        model_id = self.settings["default_model"] or STARTER_ID
        try:
            if model_id == STARTER_ID:
                starter = self.catalog[STARTER_ID]
                if not is_installed(self.paths.models_dir, starter):
                    self.progress.emit("Preparing the offline starter model (first run only)…")
                install_starter(self.paths.models_dir, starter, store)
            self.model_ready.emit(resolve_model(model_id, store, self.catalog))
        except (StarterMissing, ModelNotFound, OSError, ValueError) as exc:
            log.warning("no default model: %s", exc)
            self.failed.emit(str(exc))
