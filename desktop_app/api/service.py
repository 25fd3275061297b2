"""The API's side of a turn: a request is admitted to the engine's queue (or refused at once when
it is full), runs core.conversation on a thread of its own, and hands what it hears to the event
loop that serves the request. Conversations are not kept unless asked (`--store`): each one lives
in an in-memory database for the length of the request. No Qt here.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from desktop_app.api.models import ApiModels, Target
from desktop_app.api.schema import ChatRequest
from desktop_app.core.conversation import Conversations, Listener, Turn
from desktop_app.core.engine import protocol as p
from desktop_app.core.errors import ApiRequestError, EngineBusy, SmallwiseError
from desktop_app.core.gate import Ticket
from desktop_app.core.store import MEMORY, Store
from desktop_app.core.turn import TurnResult

log = logging.getLogger(__name__)
MAX_WAITING = 8


@dataclass(frozen=True)
class Finished:
    result: TurnResult


@dataclass(frozen=True)
class Crashed:
    message: str  # for the client: what went wrong


class Generation:
    """One request's answer, crossing from its engine thread to the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, ticket: Ticket, stream: bool):
        self.loop, self.ticket, self.stream = loop, ticket, stream
        self.events: asyncio.Queue[Any] = asyncio.Queue()  # Tokens (streaming), then the end
        self.finished: asyncio.Future[Finished | Crashed] = loop.create_future()

    def push(self, event: Any) -> None:
        """From the engine thread: a token for the stream (other events are in the result)."""
        if self.stream and isinstance(event, p.Token):
            self._call(self.events.put_nowait, event)

    def end(self, outcome: Finished | Crashed) -> None:
        self._call(self._end, outcome)

    def _end(self, outcome: Finished | Crashed) -> None:
        if not self.finished.done():
            self.finished.set_result(outcome)
        self.events.put_nowait(outcome)

    def _call(self, fn: Any, arg: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(fn, arg)
        except RuntimeError:  # the server has stopped and its loop is closed: nobody listens
            pass


class Serialized:
    """A Store shared by the request threads, one call at a time (a Store is not meant for two
    threads at once)."""

    def __init__(self, store: Any):
        self._store, self._lock = store, threading.RLock()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return method(*args, **kwargs)

        return call


class ApiService:
    def __init__(
        self,
        conversations: Conversations,
        models: ApiModels,
        keep: bool = False,
        max_waiting: int = MAX_WAITING,
    ):
        self.conversations, self.models, self.keep = conversations, models, keep
        self.max_waiting = max_waiting
        # One thread per admitted request: the one answering and those waiting, and a spare.
        self._pool = ThreadPoolExecutor(max_waiting + 2, thread_name_prefix="api")
        self._local = threading.local()  # each thread's in-memory database
        self._turn_s = 5.0  # a running mean of how long an answer takes, for Retry-After
        self._live: set[Generation] = set()  # admitted, not finished: stopped at shutdown

    def admit(self) -> Ticket:
        """A place in the engine's queue, or ApiRequestError 429 at once when it is full."""
        try:
            return self.conversations.gate.enter(self.max_waiting)
        except EngineBusy as exc:
            raise ApiRequestError(
                str(exc),
                429,
                code="rate_limit_exceeded",
                type="requests",
                headers={"Retry-After": str(self.retry_after())},
            ) from None

    def retry_after(self) -> int:
        """Seconds until a place is likely free: about one answer."""
        return max(1, math.ceil(self._turn_s))

    def start(self, request: ChatRequest, target: Target, ticket: Ticket) -> Generation:
        generation = Generation(asyncio.get_running_loop(), ticket, request.stream)
        try:
            self._pool.submit(self._work, generation, request, target)
        except RuntimeError:  # shutting down: the place in the queue is given back
            self.conversations.gate.withdraw(ticket)
            raise ApiRequestError("Smallwise is stopping.", 503, type="server_error") from None
        self._live.add(generation)
        return generation

    def stop(self, generation: Generation) -> None:
        """The client went away: its answer stops within one token (or leaves the queue)."""
        self.conversations.stop(generation.ticket)

    def shutdown(self) -> None:
        """Answers in flight stop (their text so far kept if kept at all); none start."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        for generation in list(self._live):
            self.stop(generation)

    def _work(self, generation: Generation, request: ChatRequest, target: Target) -> None:
        started = time.monotonic()
        try:
            generation.end(Finished(self._turn(generation, request, target)))
        except Exception as exc:
            self.conversations.gate.withdraw(generation.ticket)  # never hold the queue up
            if not isinstance(exc, SmallwiseError):
                log.exception("an API request failed")
            generation.end(Crashed(_words(exc)))
        finally:
            self._live.discard(generation)
            self._turn_s = 0.8 * self._turn_s + 0.2 * (time.monotonic() - started)

    def _turn(self, generation: Generation, request: ChatRequest, target: Target) -> TurnResult:
        store = self.conversations.store if self.keep else self._memory()
        cid = store.create_conversation()
        try:
            for message in request.history:
                store.add_message(cid, message["role"], message["content"])
            turn = Turn(
                cid, request.question, target.model, target.assistant, sampling=request.sampling
            )
            listener = Listener(event=generation.push)
            return self.conversations.run(turn, listener, generation.ticket, store)
        finally:
            if not self.keep:
                store.delete_conversation(cid)

    def _memory(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(MEMORY)
        return store


def _words(exc: Exception) -> str:
    if isinstance(exc, SmallwiseError):
        return str(exc)
    return f"Something went wrong in Smallwise ({type(exc).__name__}); see its log."
