"""The model library for the window, off the GUI thread: which model answers (the user's choice,
else the best installed one for the assistant, else the starter), the catalog listing with a
plan for this machine, downloads with progress and cancel, import and remove."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from desktop_app.core import hardware
from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.catalog import Catalog
from desktop_app.core.engine.build import known
from desktop_app.core.errors import Cancelled, SmallwiseError
from desktop_app.core.model_choice import (
    Chosen,
    ModelChoice,
    adopt_first_model,
    choose_model,
    remote_model,
)
from desktop_app.core.planning import plans_by_quant
from desktop_app.paths import AppPaths
from desktop_app.services.background import Background
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings

if TYPE_CHECKING:
    from desktop_app.core.downloads import Download, Progress

log = logging.getLogger(__name__)


def _server_name(address: str) -> str:
    from desktop_app.core.engine.remote import base_url, server_name  # httpx: when configured

    try:
        return server_name(base_url(address))
    except SmallwiseError:
        return address


def _library() -> Any:
    """The model library, imported on first use: it brings huggingface_hub (~0.3 s), which the
    window does not need to open."""
    from desktop_app.core import library

    return library


class ModelService(QObject):
    model_ready = Signal(object)  # ModelChoice
    failed = Signal(str)  # no model could be made ready: what to do, in plain words
    progress = Signal(str)  # plain words for the status line
    listing_changed = Signal(object)  # rows of core.library.listing, with "plan" and "plans"
    host_changed = Signal(object)  # HostProfile
    download_progressed = Signal(str, int, int, float)  # model id, done, total, bytes/s
    download_finished = Signal(str, str)  # model id, "" or what went wrong
    import_finished = Signal(str, str)  # the new model's id or "", what to tell the user
    survey_ready = Signal(object)  # core.first_run.Survey: this computer, for the first run

    def __init__(
        self,
        stores: StoreThread,
        paths: AppPaths,
        settings: Settings,
        catalog: Catalog,
        host: hardware.HostProfile | None = None,
    ):
        super().__init__()
        self.stores, self.paths, self.settings, self.catalog = stores, paths, settings, catalog
        self.fixed_host = host  # a described machine (tests, planning for another computer)
        self.background = Background("models", workers=2, parent=self)
        self.background.failed.connect(self.failed)
        self._downloads: dict[str, Download] = {}
        self._lock = threading.Lock()
        self.in_use: str | None = None  # the id of the model new answers use
        self.downloading: dict[str, float] = {}  # id → share done (GUI thread only)
        self.model_ready.connect(self._remember_in_use)
        self.download_progressed.connect(self._remember_progress)
        self.download_finished.connect(lambda spec, _error: self.downloading.pop(spec, None))

    def _remember_in_use(self, model: Any) -> None:
        self.in_use = model.id

    def _remember_progress(self, spec: str, done: int, total: int, _rate: float) -> None:
        self.downloading[spec] = done / total if total else 0.0

    def host(self) -> hardware.HostProfile:
        """On a background thread: this machine, with what its llama.cpp build can do (asked
        once per installed build, remembered in the data folder)."""
        return self.fixed_host or hardware.profile(known(self.paths.data_dir))

    # -- the model to chat with ------------------------------------------------------------
    def prepare_default(self, assistant: Assistant | None = None) -> None:
        self.background.run(lambda: self._choose(assistant=assistant), self._ready)

    def use(self, model_id: str) -> None:
        """The user's explicit choice: new answers use this model, whatever the assistant."""
        self.settings["default_model"] = model_id
        self.settings.save()
        self.background.run(lambda: self._choose(spec=model_id), self._ready)

    def prefer_for(self, assistant: Assistant, current: str | None) -> None:
        """Switch to the best installed model for the assistant, unless the user picked a
        model themselves ("Use for new answers"): their choice wins."""
        if self.settings["default_model"]:
            return

        def switch(chosen: Chosen) -> None:
            if chosen.model.id != current:
                text = self.tr("{assistant} works best with {model}.")
                self.progress.emit(text.format(assistant=assistant.name, model=chosen.model.id))
                self.model_ready.emit(chosen.model)

        self.background.run(lambda: self._choose(assistant=assistant), switch)

    def choose(self, spec: str) -> ModelChoice:
        """The installed model `spec`, planned for this machine (from a worker thread: a
        conversation's own model). ModelNotFound if it is not installed."""
        return self._choose(spec=spec).model

    def _choose(self, spec: str | None = None, assistant: Assistant | None = None) -> Chosen:
        if self.settings["engine_url"].strip():
            return self._remote_choice()
        return choose_model(
            self.stores.blocking,
            self.catalog,
            self.settings,
            self.paths.models_dir,
            self.host(),
            spec=spec,
            assistant=assistant,
            on_progress=lambda text: self.background.post(self.progress.emit, text),
        )

    def _remote_choice(self) -> Chosen:
        """With a remote engine the server has the models: its model named in Settings, or its
        first (the server is asked, on this thread)."""
        from desktop_app.core.engine.remote import RemoteEngine  # httpx: only when configured

        engine = RemoteEngine(self.settings["engine_url"], self.settings["engine_key"].strip())
        try:
            name = engine.pick(self.settings["engine_model"].strip() or None)
        finally:
            engine.shutdown()
        return Chosen(remote_model(name), f"Answers come from {name} on {engine.server}.")

    def _ready(self, chosen: Chosen) -> None:
        if chosen.note:
            self.progress.emit(chosen.note)
        self.model_ready.emit(chosen.model)

    def survey(self, assistants: dict[str, Assistant]) -> None:
        """What this computer runs and a model per assistant (survey_ready), planned here."""
        from desktop_app.core import first_run

        def work() -> first_run.Survey:
            installed = self.stores.blocking.installed_models()
            default = self.settings["default_model"]
            return first_run.survey(self.catalog, self.host(), assistants, installed, default)

        self.background.run(work, self.survey_ready.emit)

    # -- library -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.background.run(self._listing, self._show_listing)

    def _listing(self) -> tuple[hardware.HostProfile, list[dict[str, Any]]]:
        rows, host = _library().listing(self.catalog, self.stores.blocking), self.host()
        server = self.settings["engine_url"].strip()
        for row in rows:
            if server:  # the models run there: this computer's memory does not decide
                row["runs_on"] = _server_name(server)
                continue
            installed = (
                row["installed"] if row["installed"] and row["installed"]["present"] else None
            )
            row["plan"], row["plans"] = plans_by_quant(row["id"], self.catalog, host, installed)
        return host, rows

    def _show_listing(self, found: tuple[hardware.HostProfile, list[dict[str, Any]]]) -> None:
        self.host_changed.emit(found[0])
        self.listing_changed.emit(found[1])

    def download(self, spec: str, quant: str | None = None) -> None:
        def done(note: str) -> None:
            self.download_finished.emit(spec, "")
            self._library_changed(note)

        def failed(message: str) -> None:
            self.download_finished.emit(spec, message)
            self.refresh()

        if spec in self.downloading:
            return  # one download of a model at a time, whichever page asked for it
        self.downloading[spec] = 0.0
        self.background.run(lambda: self._download(spec, quant), done, failed)

    def cancel_download(self, spec: str) -> None:
        with self._lock:
            download = self._downloads.get(spec)
        if download is not None:
            download.cancel()

    def _download(self, spec: str, quant: str | None) -> str:
        """On a background thread: download, verify, register; what to tell the user."""
        token = os.environ.get("HF_TOKEN")

        def progressed(p: Progress) -> None:
            self.background.post(
                lambda _: self.download_progressed.emit(spec, p.done, p.total, p.bytes_per_s)
            )

        def started(download: Download) -> None:
            with self._lock:
                self._downloads[spec] = download

        library = _library()
        try:
            wanted = library.plan_download(spec, self.catalog, quant, token=token)
            row = library.install(
                wanted,
                self.paths.models_dir,
                self.stores.blocking,
                token=token,
                on_progress=progressed,
                on_start=started,
            )
        except Cancelled as exc:
            raise Cancelled("Download cancelled; nothing was kept.") from exc
        finally:
            with self._lock:
                self._downloads.pop(spec, None)
        return self._adopt(row["id"])

    def import_file(self, path: Path, copy: bool = True, chat_format: str | None = None) -> None:
        def work() -> tuple[str, str]:
            models, store = self.paths.models_dir, self.stores.blocking
            row = _library().import_file(path, models, store, copy, chat_format)
            note = self._adopt(row["id"])
            done = self.tr("Imported {model}.").format(model=row["id"])
            return row["id"], f"{done} {note}".strip()

        def done(result: tuple[str, str]) -> None:
            self.import_finished.emit(*result)
            self._library_changed("")

        def failed(message: str) -> None:
            self.import_finished.emit("", message)

        self.background.run(work, done, failed)

    def remove(self, model_id: str) -> None:
        models, store = self.paths.models_dir, self.stores.blocking

        def failed(message: str) -> None:
            self.failed.emit(message)
            self.refresh()

        self.background.run(
            lambda: _library().remove(model_id, models, store), lambda _row: self.refresh(), failed
        )

    def _adopt(self, model_id: str) -> str:
        """In a build without the starter, the first model becomes the default."""
        return adopt_first_model(self.settings, self.stores.blocking, self.catalog, model_id)

    def _library_changed(self, note: str) -> None:
        """After a download or import: the listing again; a new default model is loaded."""
        self.refresh()
        if note:
            self.progress.emit(note)
            self.prepare_default()

    def shutdown(self) -> None:
        with self._lock:
            for download in self._downloads.values():
                download.cancel(keep_partial=True)  # resumes on the next try
        self.background.shutdown()
