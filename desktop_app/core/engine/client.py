"""Parent side of the engine: starts the worker process, sends requests, streams events back.

Blocking calls (load, chat) are meant for a background thread; cancel() may be called from any
thread. If the worker dies, the stream ends with a WORKER_DIED failure and the next request
starts a fresh worker and reloads the last model. No Qt here.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing as mp
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from desktop_app.core.engine import protocol as p
from desktop_app.core.engine import worker
from desktop_app.core.errors import EngineError


class _WorkerDied(Exception):
    pass


class EngineClient:
    def __init__(self, log_path: str | None = None):
        self.log_path = log_path
        self.loaded: p.Loaded | None = None
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None
        self._send_lock = threading.Lock()
        self._load_request: p.Load | None = None
        self._ids = itertools.count(1)
        self._active: int | None = None

    # -- process -----------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def start(self) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        self._proc = self._ctx.Process(
            target=worker.serve, args=(child, self.log_path), name="smallwise-engine", daemon=True
        )
        self._proc.start()
        child.close()  # so that recv() sees EOF when the worker dies
        self._conn = parent

    def shutdown(self, timeout: float = 3.0) -> None:
        if self._proc is None:
            return
        try:
            self._send(p.Shutdown())
        except _WorkerDied:
            pass
        self._proc.join(timeout)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(1)
        self._conn.close()
        self._proc = self._conn = self.loaded = None

    def _send(self, msg: Any) -> None:
        with self._send_lock:
            try:
                self._conn.send(msg)
            except (OSError, ValueError, AttributeError) as exc:
                raise _WorkerDied from exc

    def _recv(self) -> Any:
        try:
            return self._conn.recv()
        except (EOFError, OSError, AttributeError) as exc:
            raise _WorkerDied from exc

    # -- requests ----------------------------------------------------------------------------
    def load(self, request: p.Load) -> p.Loaded:
        """Load a model (starting the worker if needed); raise EngineError with a user message."""
        self._load_request = request
        self.loaded = None
        if not self.alive():
            self.start()
        try:
            self._send(request)
            event = self._recv()
        except _WorkerDied:
            raise EngineError(self._death(None)) from None
        if isinstance(event, p.Failed):
            raise EngineError(event)
        self.loaded = event
        return event

    def use(self, request: p.Load) -> None:
        """Make `request` the model to run; it loads with the next answer if not loaded yet."""
        if request != self._load_request:
            self._load_request = request
            self.loaded = None

    def ensure_loaded(self) -> p.Loaded:
        if self.loaded is not None and self.alive():
            return self.loaded
        if self._load_request is None:
            raise EngineError(p.Failed(None, p.NOT_LOADED, "No model is chosen yet."))
        return self.load(self._load_request)

    def unload(self) -> None:
        self._load_request = self.loaded = None
        if self.alive():
            self._send(p.Unload())

    def chat(self, messages: list[dict[str, str]], sampling: p.Sampling) -> Iterator[Any]:
        """Stream events for one answer: Started, Token…, then Done or Failed (never raises).

        Done.ttft_s is replaced by the time measured here, which includes the IPC."""
        request_id = next(self._ids)
        try:
            self.ensure_loaded()
        except EngineError as exc:
            yield dataclasses.replace(exc.failed, request_id=request_id)
            return
        sent = time.perf_counter()
        first_token = 0.0
        self._active = request_id
        try:
            self._send(p.Chat(request_id, messages, sampling))
            while True:
                event = self._recv()
                if isinstance(event, p.Token) and not first_token:
                    first_token = time.perf_counter()
                if isinstance(event, p.Done):
                    ttft = first_token - sent if first_token else 0.0
                    event = dataclasses.replace(event, ttft_s=ttft)
                yield event
                if isinstance(event, p.Done | p.Failed):
                    return
        except _WorkerDied:
            yield self._death(request_id)
        finally:
            self._active = None

    def cancel(self) -> None:
        """Stop the answer being generated; the worker stops within one token."""
        request_id = self._active
        if request_id is not None:
            try:
                self._send(p.Cancel(request_id))
            except _WorkerDied:
                pass

    def _death(self, request_id: int | None) -> p.Failed:
        code = None
        if self._proc is not None:
            self._proc.join(2)
            code = self._proc.exitcode
        self._proc = self._conn = self.loaded = None
        return p.Failed(request_id, p.WORKER_DIED, describe_exit(code))


def describe_exit(code: int | None) -> str:
    tail = " Your conversation is saved; the next message starts the model again."
    if code is not None and code < 0:
        sig = -code
        if sig == signal.SIGKILL:
            return (
                "The model process was killed, often because the computer ran out of memory." + tail
            )
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
        return f"The model process crashed ({name})." + tail
    return f"The model process stopped unexpectedly (exit code {code})." + tail
