"""Parent side of the engine: starts the worker process, sends requests, streams events back.

Blocking calls (load, chat) are meant for a background thread; cancel() may be called from any
thread, and from a signal handler. If the worker dies, the stream ends with a WORKER_DIED
failure and the next request starts a fresh worker and reloads the last model. A worker that
does not answer a stop within `cancel_deadline_s`, or whose chat template has not built the
prompt within `render_timeout_s`, is killed the same way. No Qt here.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from desktop_app.core.engine import protocol as p
from desktop_app.core.engine import worker
from desktop_app.core.errors import EngineError

SAVED = " Your conversation is saved; the next message starts the model again."


class _WorkerDied(Exception):
    pass


class EngineClient:
    render_timeout_s = 30.0  # a chat template that takes longer to build a prompt is stopped
    cancel_deadline_s = 3.0  # from cancel() to the end of the stream, or the worker is killed
    pdeathsig = sys.platform.startswith("linux")  # the kernel kills the worker with the app

    def __init__(self, log_path: str | None = None):
        self.log_path = log_path
        self.loaded: p.Loaded | None = None
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None
        self._lifeline: Any = None  # the app's end of a pipe the worker watches for EOF
        self._spawner: ThreadPoolExecutor | None = None
        self._send_lock = threading.Lock()
        self._state = threading.Lock()  # _active, _stopped_for and killing the process
        self._load_request: p.Load | None = None
        self._ids = itertools.count(1)
        self._active: int | None = None  # the request chat() serves, from its first step
        self._cancelled: int | None = None  # the last request cancel() was called for
        self._stopped_for = ""  # why we killed the worker: "template" or "cancel"
        self._timers: dict[str, threading.Timer] = {}
        self._oom_kills: int | None = None  # the system's count when the request began

    # -- process -----------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def start(self) -> None:
        if self._proc is not None:  # a worker that died between requests: close its pipes
            self._forget_process()
        parent, child = self._ctx.Pipe(duplex=True)
        watched, held = self._ctx.Pipe(duplex=False)
        self._proc = self._ctx.Process(
            target=worker.serve,
            args=(child, self.log_path, watched, os.getpid(), self.pdeathsig),
            name="smallwise-engine",
            daemon=True,
        )
        self._stopped_for = ""
        try:
            if self.pdeathsig:
                # Linux sends the parent-death signal when the *thread* that started the
                # process ends: start it from a thread that lives as long as this client.
                self._spawner = self._spawner or ThreadPoolExecutor(1, "engine-spawner")
                self._spawner.submit(self._proc.start).result()
            else:
                self._proc.start()
        except BaseException:  # nothing started: nothing to join or kill later
            for end in (parent, child, watched, held):
                end.close()
            self._proc = None
            raise
        child.close()  # so that recv() sees EOF when the worker dies
        watched.close()
        self._conn, self._lifeline = parent, held

    def shutdown(self, timeout: float = 3.0) -> None:
        if self._proc is not None:
            try:
                self._send(p.Shutdown())
            except _WorkerDied:
                pass
            self._proc.join(timeout)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(1)
        self._forget_process()
        if self._spawner is not None:
            self._spawner.shutdown()
            self._spawner = None

    def _forget_process(self) -> None:
        for end in (self._conn, self._lifeline):
            if end is not None:
                end.close()
        self._proc = self._conn = self._lifeline = self.loaded = None

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
        self._oom_kills = oom_kill_count()
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
        self._active = request_id  # a cancel() from here on counts, while loading too
        try:
            yield from self._stream(request_id, messages, sampling)
        finally:
            with self._state:
                self._active = None
            self._disarm("template", "cancel")

    def _stream(self, request_id: int, messages: list[dict[str, str]], sampling: p.Sampling):
        try:
            self.ensure_loaded()
        except EngineError as exc:
            yield dataclasses.replace(exc.failed, request_id=request_id)
            return
        if self._cancelled == request_id:  # stopped while the model was loading
            yield p.Done(request_id, "cancelled", 0, 0, 0.0, 0.0)
            return
        sent = time.perf_counter()
        first_token = 0.0
        self._oom_kills = oom_kill_count()
        self._arm("template", self.render_timeout_s, request_id)
        try:
            self._send(p.Chat(request_id, messages, sampling))
            while True:
                event = self._recv()
                if isinstance(event, p.Started | p.Failed):
                    self._disarm("template")  # the template has built the prompt
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

    def cancel(self) -> None:
        """Stop the answer being generated: the worker stops within one token. If the stream
        has not ended within cancel_deadline_s (a template that never ends, a hung native
        call), the worker is killed and the stream ends with a STOPPED failure. Never blocks."""
        request_id = self._active
        if request_id is None:
            return
        self._cancelled = request_id
        threading.Thread(target=self._send_cancel, args=(request_id,), daemon=True).start()
        if "cancel" not in self._timers:
            self._arm("cancel", self.cancel_deadline_s, request_id)

    def _send_cancel(self, request_id: int) -> None:
        try:
            self._send(p.Cancel(request_id))
        except _WorkerDied:
            pass

    # -- deadlines ---------------------------------------------------------------------------
    def _arm(self, reason: str, seconds: float, request_id: int) -> None:
        timer = threading.Timer(seconds, self._kill, args=(reason, request_id))
        timer.daemon = True
        self._timers[reason] = timer
        timer.start()

    def _disarm(self, *reasons: str) -> None:
        for reason in reasons:
            timer = self._timers.pop(reason, None)
            if timer is not None:
                timer.cancel()

    def _kill(self, reason: str, request_id: int) -> None:
        """A deadline passed: kill the worker if it still serves that request; the stream then
        sees EOF and ends with the failure _death() words for `reason`."""
        with self._state:
            if self._active != request_id or self._proc is None or self._stopped_for:
                return
            self._stopped_for = reason
            self._proc.kill()

    def _death(self, request_id: int | None) -> p.Failed:
        code = None
        if self._proc is not None:
            self._proc.join(2)
            code = self._proc.exitcode
        reason, self._stopped_for = self._stopped_for, ""
        self._forget_process()
        if reason == "template":
            return p.Failed(request_id, p.TEMPLATE_FAILED, self._template_timeout_message())
        if reason == "cancel":
            message = (
                f"The model did not stop within {self.cancel_deadline_s:g} s when asked, so "
                "Smallwise ended its process." + SAVED
            )
            return p.Failed(request_id, p.STOPPED, message)
        before, after = self._oom_kills, oom_kill_count()
        out_of_memory = None if before is None or after is None else after > before
        return p.Failed(
            request_id,
            p.WORKER_DIED,
            describe_exit(code, out_of_memory),
            exit_detail(code, out_of_memory),
        )

    def _template_timeout_message(self) -> str:
        request = self._load_request
        name = (request.model_id or os.path.basename(request.model_path)) if request else "it"
        return (
            f"The chat template inside {name} did not finish putting the conversation into the "
            f"form the model expects within {self.render_timeout_s:g} s, so Smallwise stopped "
            "the model. The template is broken (it may loop without end): use another model."
            + SAVED
        )


def oom_kill_count() -> int | None:
    """How many processes the Linux kernel has killed for want of memory since boot (any
    cgroup), or None where that is not known. Read before a request and after a death: a
    SIGKILL is blamed on memory only if the count went up."""
    try:
        with open("/proc/vmstat", "rb") as fh:
            for line in fh:
                if line.startswith(b"oom_kill "):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


# How Windows reports a crash: the process's exit code is the NTSTATUS of the exception.
WINDOWS_CRASHES = {
    0xC0000005: "access violation",
    0xC00000FD: "stack overflow",
    0xC0000409: "fatal error check",
    0xC0000017: "out of memory",
}


def _signal_name(sig: int) -> str:
    return signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)


def exit_detail(code: int | None, out_of_memory: bool | None = None) -> str:
    """How the worker ended, in brief, for the log and the load ladder: "crashed (SIGSEGV)",
    "killed (SIGKILL, out of memory)", "exit code 1"."""
    if code is not None and code < 0:
        sig, name = -code, _signal_name(-code)
        if sig == signal.SIGKILL:
            return f"killed ({name}{', out of memory' if out_of_memory else ''})"
        return f"crashed ({name})"
    if code in WINDOWS_CRASHES:
        return f"crashed ({WINDOWS_CRASHES[code]})"
    return f"exit code {code}"


def describe_exit(code: int | None, out_of_memory: bool | None = None) -> str:
    """What is known about how the worker ended, without guessing: the signal or exit code;
    memory only when the system says it killed a process for memory meanwhile."""
    if code is not None and code < 0:
        sig, name = -code, _signal_name(-code)
        if sig == signal.SIGKILL and out_of_memory:
            return (
                "The model process was killed because the computer ran out of memory. Try a "
                "smaller model or quantization, or a smaller context in Settings." + SAVED
            )
        if sig == signal.SIGKILL:
            return f"The model process was killed ({name})." + SAVED
        return f"The model process crashed ({name})." + SAVED
    if code in WINDOWS_CRASHES:
        return f"The model process crashed ({WINDOWS_CRASHES[code]}, exit code {code:#x})." + SAVED
    return f"The model process stopped unexpectedly (exit code {code})." + SAVED
