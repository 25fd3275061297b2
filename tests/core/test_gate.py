"""core.gate: one engine shared by the window and the API, first come first served."""

from __future__ import annotations

import threading
import time

import pytest

from desktop_app.core.errors import EngineBusy
from desktop_app.core.gate import EngineGate


def test_answers_take_the_engine_in_the_order_they_asked() -> None:
    gate = EngineGate()
    first = gate.enter()
    assert gate.wait(first)  # the engine is busy with the first answer
    order: list[int] = []
    tickets = [gate.enter() for _ in range(5)]

    def take(n: int) -> None:
        with gate.hold(tickets[n]):
            order.append(n)
            time.sleep(0.01)

    # The threads start in reverse order: the queue, not the thread start, decides.
    threads = [threading.Thread(target=take, args=(n,)) for n in reversed(range(5))]
    for t in threads:
        t.start()
    time.sleep(0.1)
    assert order == [] and gate.waiting == 5
    gate.leave(first)
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]
    assert gate.waiting == 0 and not gate.busy


def test_a_full_queue_says_busy_at_once_and_has_room_again_when_one_is_served() -> None:
    gate = EngineGate()
    running = gate.enter(max_waiting=2)
    assert gate.wait(running)
    waiting = [gate.enter(max_waiting=2), gate.enter(max_waiting=2)]
    with pytest.raises(EngineBusy):
        gate.enter(max_waiting=2)
    window = gate.enter()  # without a limit (the window's own answer) there is always a place
    gate.leave(running)
    assert gate.wait(waiting[0])  # served: one place less taken
    gate.withdraw(window)
    assert gate.waiting == 1
    gate.enter(max_waiting=2)


def test_a_withdrawn_answer_leaves_the_queue_and_its_waiter_returns() -> None:
    gate = EngineGate()
    running = gate.enter()
    assert gate.wait(running)
    mine, after = gate.enter(), gate.enter()
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(gate.wait(mine)))
    waiter.start()
    time.sleep(0.05)
    assert gate.withdraw(mine) is True
    waiter.join(2)
    assert result == [False] and gate.waiting == 1
    gate.leave(running)
    assert gate.wait(after)  # next in line: the withdrawn one does not block it


def test_a_request_about_to_run_is_not_counted_as_waiting() -> None:
    """With one place in the queue, a second request came while the first had its ticket but
    its thread had not yet reached wait() (the engine free): it was refused with 429."""
    gate = EngineGate()
    first = gate.enter(max_waiting=1)  # admitted; its thread is still storing the question
    second = gate.enter(max_waiting=1)  # waits behind it: the one place
    with pytest.raises(EngineBusy):
        gate.enter(max_waiting=1)
    assert gate.wait(first)
    with pytest.raises(EngineBusy):  # the first runs, the second waits: still full
        gate.enter(max_waiting=1)
    gate.leave(first)
    assert gate.wait(second)
