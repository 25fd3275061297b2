"""The tutor's gate between the engine and the learner: a reply is held back sentence by
sentence and each sentence is let through only once the text so far does not give the answer
away. A reply that reveals it before anything was shown is asked again with a stricter
instruction (at most MAX_TRIES); one that reveals it later is cut before that sentence. What
is shown always ends with a question to the learner. No Qt here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from desktop_app.core.engine import protocol as p

MAX_TRIES = 2  # model replies per turn; then the deterministic hint
# A sentence ends at . ? ! followed by a space, or at a line end.
SENTENCE_END = re.compile(r"(?<=[.?!])[ \t]+|\n+")
# A sentence that announces what follows ("The answer is:") waits for the next one.
ANNOUNCES = re.compile(r"(?::|\b(?:is|are|equals|be|gives|get|=))\s*$")
LIST_MARKER = re.compile(r"\s*(?:\d+|[a-z])[.)]\s*|\s*(?:step|hint)\s*\d*\s*:?\s*", re.I)
FIRST_WORDS = 5  # the first text shown is at least this many words: no lone "1." or "Sure!"


@dataclass
class Gate:
    """Sentences in, checked sentences out. `check(text)` says why `text` reveals the answer."""

    check: Callable[[str], str | None]
    question: str = ""  # the learner's: said back as a first sentence, it waits for more
    shown: str = ""
    held: str = ""
    reason: str | None = None  # why the reply was stopped

    def feed(self, text: str) -> str:
        """Take streamed text; return what may be shown now ("" while holding back)."""
        if self.reason:
            return ""
        self.held += text
        released = ""
        while True:
            cut = self._sentence_end()
            if cut is None:
                break
            released += self._release(self.held[:cut], self.held[cut:])
            if self.reason:
                break
        return released

    def finish(self, complete: bool = True) -> str:
        """The stream ended: check and release what is still held. An answer cut short
        (max tokens, a stop) loses its unfinished sentence rather than show half of it."""
        held, self.held = self.held, ""
        if self.reason or not held.strip() or _open_math(self.shown + held):
            return ""
        if not complete and not re.search(r"[.?!]\s*$", held):
            return ""
        self.held = held
        return self._release(held, "")

    def _sentence_end(self) -> int | None:
        for match in SENTENCE_END.finditer(self.held):
            sentence = self.held[: match.end()]
            if LIST_MARKER.fullmatch(sentence) or ANNOUNCES.search(sentence.rstrip()):
                continue  # a list marker, or "The answer is:": wait for what follows
            if _open_math(self.shown + sentence):
                continue  # inside display math: never show half a formula
            if not self.shown and (
                len(sentence.split()) < FIRST_WORDS or _same_words(sentence, self.question)
            ):
                continue
            return match.end()
        return None

    def _release(self, sentence: str, rest: str) -> str:
        reason = self.check(self.shown + sentence)
        if reason:
            self.reason, self.held = reason, ""
            return ""
        self.shown += sentence
        self.held = rest
        return sentence


def _same_words(a: str, b: str) -> bool:
    return re.findall(r"\w+", a.lower()) == re.findall(r"\w+", b.lower())


def _open_math(text: str) -> bool:
    """Display math or a code block begun and not yet closed."""
    return text.count("\\[") > text.count("\\]") or text.count("$$") % 2 == 1 or (
        text.count("```") % 2 == 1
    )


@dataclass
class Outcome:
    """What the gate did to a reply, for the answer's extras."""

    tries: int = 0
    action: str = "passed"  # passed | asked again | shortened | replaced | free
    reasons: list[str] = field(default_factory=list)
    waited_s: float = 0.0  # from the request to the first text shown


class GuardedClient:
    """An engine client whose chat() yields only what the gate lets through (same events:
    Started once, Token…, then Done or Failed); cancel() goes to the real client."""

    def __init__(self, inner: Any, guard: Any, stopped: Callable[[], bool]):
        self.inner, self.guard, self.stopped = inner, guard, stopped
        self.outcome = Outcome()

    # The rest of the Engine protocol (core/engine/backend.py) is the real engine's.
    @property
    def loaded(self) -> p.Loaded | None:
        return self.inner.loaded

    def load(self, request: p.Load) -> p.Loaded:
        return self.inner.load(request)

    def alive(self) -> bool:
        return self.inner.alive()

    def shutdown(self, timeout: float = 3.0) -> None:
        self.inner.shutdown(timeout)

    def cancel(self) -> None:
        self.inner.cancel()

    def chat(self, messages: list[dict[str, str]], sampling: p.Sampling) -> Iterator[Any]:
        start = time.perf_counter()
        self.guard.find_answer(self.inner, sampling)
        if self.stopped():
            yield p.Done(0, "cancelled", 0, 0, 0.0, 0.0)
            return
        if not self.guard.gated:
            self.outcome.action = "free"
            yield from self._free(messages, sampling)
            return
        shown, done, started = "", None, False
        for attempt in range(MAX_TRIES):
            self.outcome.tries = attempt + 1
            asked = messages if attempt == 0 else self.guard.stricter(messages)
            gate = Gate(self.guard.reveals, self.guard.message)
            for event in self._attempt(asked, sampling, gate, started):
                if isinstance(event, p.Token):
                    if not shown:
                        self.outcome.waited_s = time.perf_counter() - start
                    shown += event.text
                elif isinstance(event, p.Started):
                    started = True
                elif isinstance(event, p.Done | p.Failed):
                    done = event
                    continue
                yield event
            if gate.reason:
                self.outcome.reasons.append(gate.reason)
            if isinstance(done, p.Failed) or self.stopped() or shown or not gate.reason:
                break
        yield from self._close(shown, done, start)

    def _free(self, messages: list[dict[str, str]], sampling: p.Sampling) -> Iterator[Any]:
        """A reply that may give the answer (a solution, a confirmation) streams as it comes;
        a solution that ends on a wrong answer gets the checked one after it."""
        text = ""
        for event in self.inner.chat(messages, sampling):
            if isinstance(event, p.Token):
                text += event.text
            elif isinstance(event, p.Done) and event.finish_reason != "cancelled":
                correction = "" if self.stopped() else self.guard.correction(text)
                if correction:
                    yield p.Token(event.request_id, correction)
            yield event

    def _attempt(
        self, messages: list[dict[str, str]], sampling: p.Sampling, gate: Gate, started: bool
    ) -> Iterator[Any]:
        """One model reply through the gate; stops the model as soon as the gate closes."""
        cancelled = False
        for event in self.inner.chat(messages, sampling):
            if isinstance(event, p.Token):
                text = gate.feed(event.text)
                if text:
                    yield replace(event, text=text)
                if gate.reason and not cancelled:
                    self.inner.cancel()  # ends within a token; the stream then says Done
                    cancelled = True
                continue
            if isinstance(event, p.Done | p.Failed):
                complete = isinstance(event, p.Done) and event.finish_reason == "stop"
                text = gate.finish(complete)
                if text:
                    yield p.Token(event.request_id or 0, text)
                if cancelled and isinstance(event, p.Done) and not self.stopped():
                    event = replace(event, finish_reason="stop")
            if isinstance(event, p.Started) and started:
                continue  # the learner sees one answer starting, not each try
            yield event

    def _close(self, shown: str, done: Any, start: float) -> Iterator[Any]:
        """Ends the answer: a deterministic hint when nothing passed, a question when the
        reply asks none, then Done with the wait the learner really had."""
        request_id = getattr(done, "request_id", 0)
        stopped = self.stopped() or getattr(done, "finish_reason", "") == "cancelled"
        if not isinstance(done, p.Failed) and not stopped:
            extra = self.guard.closing(shown)
            if extra:
                if not shown:
                    self.outcome.waited_s = time.perf_counter() - start
                yield p.Token(request_id, extra)
        self.outcome.action = _action(self.outcome, shown)
        if isinstance(done, p.Done):
            yield replace(done, ttft_s=self.outcome.waited_s or done.ttft_s)
        elif done is not None:
            yield done


def _action(outcome: Outcome, shown: str) -> str:
    if not outcome.reasons:
        return "passed"
    if not shown:
        return "replaced"  # no try passed: the deterministic hint
    return "shortened" if len(outcome.reasons) == outcome.tries else "asked again"
