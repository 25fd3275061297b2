"""Running the API: the address checked (loopback unless there is a key), the socket bound before
anything else so that a busy port is a clear message, uvicorn serving it — in the foreground for
`smallwise serve`, or on a thread of its own beside the window. No Qt here."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading

import uvicorn
from starlette.types import ASGIApp

from desktop_app.core.errors import ServeError

log = logging.getLogger(__name__)
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765
MAX_CONNECTIONS = 64  # beyond: 503 at once, before any work (the queue itself is smaller)


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_address(host: str, api_key: str) -> None:
    """Only this computer may reach a server without a key."""
    if not is_loopback(host) and not api_key:
        raise ServeError(
            f"Smallwise serves other computers ({host}) only with an API key, so that nobody "
            "else on the network can use your models. Set one with --api-key KEY (or the "
            "SMALLWISE_API_KEY environment variable), or serve on 127.0.0.1."
        )


def bind(host: str, port: int) -> socket.socket:
    """The listening socket; ServeError when the address cannot be had."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ServeError(f"Cannot serve on {host}: {exc.strerror or exc}.") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ServeError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}). Another program (or "
            "another Smallwise) may use that port: choose another with --port, or stop it."
        ) from None
    sock.setblocking(False)
    return sock


class ApiServer:
    """uvicorn on a bound socket: run() in the foreground, or start()/stop() on a thread."""

    def __init__(self, app: ASGIApp, sock: socket.socket):
        self.sock = sock
        config = uvicorn.Config(
            app,
            log_config=None,  # the app's own logging (a file), not uvicorn's console set-up
            access_log=False,  # requests are private: no log of who asked what
            limit_concurrency=MAX_CONNECTIONS,
            timeout_graceful_shutdown=2,
            server_header=False,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/v1"

    def run(self) -> None:
        self.server.run(sockets=[self.sock])

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="api-server", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self.sock.close()
