"""The model library for the window, off the GUI thread: the starter model on first run,
catalog listing, downloads with progress and cancel, import, remove, and which model to use."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from desktop_app.core import hardware
from desktop_app.core.catalog import Catalog
from desktop_app.core.model_choice import ModelChoice, ModelNotFound, resolve_model
from desktop_app.core.planner import VERDICTS, plan
from desktop_app.core.starter import STARTER_ID, StarterMissing, install_starter, is_installed
from desktop_app.paths import AppPaths
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings

if TYPE_CHECKING:
    from desktop_app.core.downloads import Download, Progress

log = logging.getLogger(__name__)


def _library() -> Any:
    """The model library, imported on first use: it brings huggingface_hub (~0.3 s), which the
    window does not need to open."""
    from desktop_app.core import library

    return library


class ModelService(QObject):
    model_ready = Signal(object)  # ModelChoice
    failed = Signal(str)
    progress = Signal(str)  # plain words for the status line
    listing_changed = Signal(list)  # rows of core.library.listing, with each one's plan
    host_changed = Signal(object)  # HostProfile
    download_progressed = Signal(str, int, int, float)  # model id, done, total, bytes/s
    download_finished = Signal(str, str)  # model id, "" or what went wrong

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
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="models")
        self._downloads: dict[str, Download] = {}  # noqa: F821 (typing only)
        self._lock = threading.Lock()

    # -- the model to chat with ------------------------------------------------------------
    def prepare_default(self) -> None:
        self._pool.submit(self._prepare, self.settings["default_model"] or STARTER_ID)

    def use(self, model_id: str) -> None:
        self.settings["default_model"] = model_id
        self.settings.save()
        self._pool.submit(self._prepare, model_id)

    def prefer_for(self, assistant: Any, current: str | None) -> None:
        """Switch to the assistant's preferred model when one is installed and it is not the
        model in use; the user's default stays as it is."""

        def pick() -> None:
            installed = {row["id"] for row in self.stores.blocking.installed_models()}
            wanted = self.best_for(assistant, installed)
            if wanted and wanted != current and current not in assistant.preferred_models:
                self.progress.emit(f"{assistant.name} works best with {wanted}; switching…")
                self._prepare(wanted)

        self._pool.submit(self._guard_quiet, pick)

    def best_for(self, assistant: Any, installed: set[str]) -> str | None:
        """Among the assistant's installed preferred models, the one the planner runs best on
        this machine (Full GPU before Partial before CPU; never one that won't fit); the
        assistant's own order breaks ties."""
        host, ranked, unknown = self.host(), [], []
        for order, model_id in enumerate(assistant.preferred_models):
            if model_id not in installed:
                continue
            if model_id not in self.catalog:
                unknown.append(model_id)  # no figures to plan with
                continue
            verdict = plan(self.catalog[model_id], host).verdict
            if verdict != "Won't fit":
                ranked.append((VERDICTS.index(verdict), order, model_id))
        return min(ranked)[2] if ranked else (unknown[0] if unknown else None)

    def _guard_quiet(self, fn: Any) -> None:
        try:
            fn()
        except Exception:  # a preference, never worth interrupting the user for
            log.exception("could not switch to the assistant's model")

    def _prepare(self, model_id: str) -> None:
        store = self.stores.blocking
        try:
            if model_id == STARTER_ID:
                starter = self.catalog[STARTER_ID]
                if not is_installed(self.paths.models_dir, starter):
                    self.progress.emit("Preparing the offline starter model (first run only)…")
                install_starter(self.paths.models_dir, starter, store)
            self.model_ready.emit(self._planned(resolve_model(model_id, store, self.catalog)))
        except (StarterMissing, ModelNotFound, OSError, ValueError) as exc:
            log.warning("model %s not ready: %s", model_id, exc)
            self.failed.emit(str(exc))

    # -- library -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._pool.submit(self._guard, None)

    def host(self) -> hardware.HostProfile:
        return self.fixed_host or hardware.profile()

    def _planned(self, choice: ModelChoice) -> ModelChoice:
        """GPU layers and context size for this machine, from the planner (catalog models)."""
        entry, host = self.catalog.get(choice.id), self.host()
        if entry is None:
            return choice
        fixed_ctx = self.settings["n_ctx"] or None
        result = plan(entry, host, quant=choice.quant or None, n_ctx=fixed_ctx)
        if result.verdict == "Won't fit":
            return choice  # the load-failure ladder and its messages take it from here
        return dataclasses.replace(choice, gpu_layers=result.n_gpu_layers, planned_ctx=result.n_ctx)

    def _refresh(self) -> None:
        rows, host = _library().listing(self.catalog, self.stores.blocking), self.host()
        for row in rows:
            if row["id"] in self.catalog:
                row["plan"] = plan(self.catalog[row["id"]], host).as_dict()
        self.host_changed.emit(host)
        self.listing_changed.emit(rows)

    def download(self, spec: str, quant: str | None = None) -> None:
        self._pool.submit(self._download, spec, quant)

    def cancel_download(self, spec: str) -> None:
        with self._lock:
            download = self._downloads.get(spec)
        if download is not None:
            download.cancel()

    def _download(self, spec: str, quant: str | None) -> None:
        token = os.environ.get("HF_TOKEN")

        def progressed(p: Progress) -> None:
            self.download_progressed.emit(spec, p.done, p.total, p.bytes_per_s)

        def started(download: Download) -> None:
            with self._lock:
                self._downloads[spec] = download

        from desktop_app.core.downloads import Cancelled, DownloadError

        error = ""
        try:
            wanted = _library().plan_download(spec, self.catalog, quant, token=token)
            _library().install(
                wanted,
                self.paths.models_dir,
                self.stores.blocking,
                token=token,
                on_progress=progressed,
                on_start=started,
            )
        except Cancelled:
            error = "Download cancelled; nothing was kept."
        except (DownloadError, _library().LibraryError, OSError) as exc:
            error = str(exc)
        finally:
            with self._lock:
                self._downloads.pop(spec, None)
        self.download_finished.emit(spec, error)
        self._refresh()

    def import_file(self, path: Path, copy: bool = True, chat_format: str | None = None) -> None:
        models, store = self.paths.models_dir, self.stores.blocking
        self._pool.submit(
            self._guard, lambda: _library().import_file(path, models, store, copy, chat_format)
        )

    def remove(self, model_id: str) -> None:
        models, store = self.paths.models_dir, self.stores.blocking
        self._pool.submit(self._guard, lambda: _library().remove(model_id, models, store))

    def _guard(self, fn: Any, *args: Any) -> None:
        """Run a library call (if any); tell the user what failed; refresh the listing."""
        try:
            if fn is not None:
                fn(*args)
        except (_library().LibraryError, OSError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("model library task failed")
            self.failed.emit(f"Something went wrong: {exc}. See the log.")
        self._refresh()

    def shutdown(self) -> None:
        with self._lock:
            for download in self._downloads.values():
                download.cancel(keep_partial=True)  # resumes on the next try
        self._pool.shutdown(wait=True, cancel_futures=True)
