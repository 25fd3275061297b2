"""The OpenAI-compatible API beside the window (Settings → Local API server, off by default). It
answers on the window's own engine: API requests and the window's answers queue at the same gate,
one model in memory. Starting and stopping run off the GUI thread; `state_changed` says where it
listens, or why it could not."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.core.catalog import Catalog
from desktop_app.paths import AppPaths
from desktop_app.services.background import Background
from desktop_app.services.chat import ChatService
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings

log = logging.getLogger(__name__)
WANTED = ("api_server", "api_host", "api_port", "api_key", "api_store")


class ApiServerService(QObject):
    state_changed = Signal(str)  # plain words: where it listens, that it stopped, or why not

    def __init__(
        self,
        chat: ChatService,
        stores: StoreThread,
        settings: Settings,
        paths: AppPaths,
        catalog: Catalog,
    ):
        super().__init__()
        self.chat, self.stores, self.settings = chat, stores, settings
        self.paths, self.catalog = paths, catalog
        self.background = Background("api-server", parent=self)
        self.background.failed.connect(self.state_changed)
        self.url = ""
        self._running: tuple[Any, Any] | None = None  # (ApiServer, ApiService)
        self._applied: tuple[Any, ...] = ()

    def apply(self) -> None:
        """Follow the settings: start, stop or restart the server when they changed."""
        wanted = tuple(self.settings[name] for name in WANTED)
        if wanted == self._applied:
            return
        self._applied = wanted
        self.background.run(self._restart, self._started)

    def _restart(self) -> str:
        """On the server's own thread: the old server stopped, the new one listening."""
        self._stop()
        if not self.settings["api_server"]:
            return ""
        # The API stack (Starlette, uvicorn, httpx) is imported only when the switch is on.
        from desktop_app.api.app import create_app
        from desktop_app.api.models import ApiModels
        from desktop_app.api.server import ApiServer, bind, check_address
        from desktop_app.api.service import ApiService
        from desktop_app.core.hardware import profile

        host, port = self.settings["api_host"].strip(), self.settings["api_port"]
        key = self.settings["api_key"].strip()
        check_address(host, key)
        sock = bind(host, port)
        conversations = self.chat.conversations
        models = ApiModels(
            self.stores.blocking,
            self.settings,
            self.catalog,
            self.paths.models_dir,
            profile(),
            lambda: conversations.client,
            default=self.settings["default_model"] or None,
        )
        service = ApiService(conversations, models, keep=self.settings["api_store"])
        server = ApiServer(create_app(service, key), sock)
        server.start()
        self._running = (server, service)
        return server.url

    def _started(self, url: str) -> None:
        if url or self.url:
            self.state_changed.emit(
                self.tr("API server: {address}").format(address=url)
                if url
                else self.tr("API server stopped.")
            )
        self.url = url

    def _stop(self) -> None:
        if self._running is not None:
            server, service = self._running
            server.stop()
            service.shutdown()
            self._running = None

    def shutdown(self) -> None:
        self.background.run(self._stop)
        self.background.shutdown()
