"""One engine, shared fairly: every answer (the window's, the API's) takes a ticket and waits
its turn, first come first served, so one model in memory serves them one at a time. Tickets are
handed out at once (a front end can say "busy" before it starts anything), and one that is
withdrawn while waiting leaves the queue. No Qt here.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from desktop_app.core.errors import EngineBusy


class Ticket:
    """One answer's place in the queue; `stopped` once its front end stopped it."""

    def __init__(self) -> None:
        self.stopped = threading.Event()


class EngineGate:
    def __init__(self) -> None:
        # Re-entrant: the CLI stops a turn from a SIGINT handler on the thread that waits.
        self._changed = threading.Condition(threading.RLock())
        self._waiting: deque[Ticket] = deque()
        self._holder: Ticket | None = None

    @property
    def waiting(self) -> int:
        with self._changed:
            return len(self._waiting)

    @property
    def busy(self) -> bool:
        with self._changed:
            return self._holder is not None

    def enter(self, max_waiting: int | None = None) -> Ticket:
        """A place at the back of the queue, at once; EngineBusy when `max_waiting` answers
        already wait (the one being generated not counted)."""
        with self._changed:
            # The first in the queue while the engine is free is about to run, not waiting (its
            # thread has not reached wait() yet): counting it refused a second request.
            queued = len(self._waiting) - (self._holder is None and bool(self._waiting))
            if max_waiting is not None and queued >= max_waiting:
                raise EngineBusy(
                    f"{queued} answers are already waiting for the model; try again in a moment."
                )
            ticket = Ticket()
            self._waiting.append(ticket)
            return ticket

    def wait(self, ticket: Ticket) -> bool:
        """Block until it is `ticket`'s turn and the engine is free: True, and the caller holds
        the engine until leave(); False when the ticket was withdrawn meanwhile."""
        with self._changed:
            while not ticket.stopped.is_set() and not (
                self._holder is None and self._waiting and self._waiting[0] is ticket
            ):
                self._changed.wait()
            if ticket.stopped.is_set():
                self._forget(ticket)
                return False
            try:  # one call: a stop from a signal handler cannot land halfway through it
                self._waiting.remove(ticket)
            except ValueError:  # withdrawn just now
                self._changed.notify_all()
                return False
            self._holder = ticket
            return True

    def leave(self, ticket: Ticket) -> None:
        with self._changed:
            if self._holder is ticket:
                self._holder = None
            self._forget(ticket)

    def withdraw(self, ticket: Ticket) -> bool:
        """Stop `ticket`: out of the queue if it waits. True if it was waiting (False: it holds
        the engine now, or is done)."""
        with self._changed:
            ticket.stopped.set()
            was_waiting = ticket in self._waiting
            self._forget(ticket)
            return was_waiting

    def _forget(self, ticket: Ticket) -> None:
        if ticket in self._waiting:
            self._waiting.remove(ticket)
        self._changed.notify_all()

    @contextmanager
    def hold(self, ticket: Ticket | None = None) -> Iterator[bool]:
        """`with gate.hold() as mine:` the engine is this block's while `mine` is True."""
        ticket = ticket or self.enter()
        mine = self.wait(ticket)
        try:
            yield mine
        finally:
            self.leave(ticket)
