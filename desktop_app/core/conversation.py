"""One chat turn, for every front end (the window through a service thread, the CLI directly,
the API server from its handler): store the user message and the title → load the model
through the ladder → ground in the documents or answer "not covered" → stream the answer,
saved as it comes → extras (sources, math checks) stored with it, so a reopened conversation
shows them. Which model answers is chosen before (core.model_choice). No Qt here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core import store as st
from desktop_app.core.assistants.knowledge import NOT_COVERED, KnowledgeBase
from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.assistants.specialist import extras, ground
from desktop_app.core.assistants.tutor import guard_for
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import EngineClient
from desktop_app.core.errors import EngineError
from desktop_app.core.ladder import load_with_fallbacks
from desktop_app.core.model_choice import ModelChoice
from desktop_app.core.turn import ChatTurn, TurnResult
from desktop_app.settings import Settings

log = logging.getLogger(__name__)
TITLE_WORDS = 8


@dataclass(frozen=True)
class Turn:
    """What a front end asks for."""

    conversation_id: int
    text: str | None  # None: answer the last message again (regenerate)
    model: ModelChoice
    assistant: Assistant | None = None
    level: str | None = None  # the learner's level, for the tutor
    sampling: dict[str, Any] = field(default_factory=dict)  # the caller's overrides


@dataclass
class Listener:
    """What a front end hears while a turn runs (all optional; called on the turn's thread)."""

    user_message: Callable[[dict[str, Any]], None] = lambda row: None
    renamed: Callable[[str], None] = lambda title: None
    removed: Callable[[int], None] = lambda message_id: None
    created: Callable[[int], None] = lambda message_id: None
    event: Callable[[Any], None] = lambda event: None  # engine events: Started, Token, Done…
    notice: Callable[[str], None] = lambda text: None  # loading, ladder steps


def title_for(text: str) -> str:
    words = text.split()
    return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")


class Conversations:
    """Runs turns on one engine: knows which model is loaded and with which settings."""

    def __init__(self, store: Any, client: EngineClient, settings: Settings):
        self.store, self.client, self.settings = store, client, settings
        self._worked: dict[str, p.Load] = {}  # model id → the load settings that worked
        self._loaded: p.Load | None = None  # what the engine holds now
        self._stop = threading.Event()  # the user stopped the turn (also while loading)

    def stop(self) -> None:
        """Stop the running turn: the answer so far is kept; a turn still loading its model
        ends without one. From any thread."""
        self._stop.set()
        self.client.cancel()

    def forget_settings(self) -> None:
        """Context or threads changed: engine settings are made again at the next load."""
        self._worked.clear()

    def request_for(self, model: ModelChoice) -> p.Load:
        """The engine settings for `model` (the ones that loaded last time, if it did)."""
        worked = self._worked.get(model.id)
        if worked is not None and worked.model_path == str(model.path):
            return worked
        return model.load_request(self.settings)

    def prepare(self, model: ModelChoice, notice: Callable[[str], None]) -> p.Loaded:
        """Load `model` unless it is loaded, walking the ladder on memory failures (each step
        told). Raises EngineError with what to do when it cannot load."""
        request = self.request_for(model)
        if self._loaded == request and self.client.loaded is not None and self.client.alive():
            return self.client.loaded
        self._loaded = None
        notice(f"Loading {model.id}…")
        request, loaded = load_with_fallbacks(self.client, request, notice)
        self._worked[model.id] = self._loaded = request
        return loaded

    def run(self, turn: Turn, listener: Listener | None = None) -> TurnResult:
        listener = listener or Listener()
        self._stop.clear()
        question = self._store_question(turn, listener)
        try:
            loaded = self.prepare(turn.model, listener.notice)
        except EngineError as exc:
            return self._answer_without_model(turn, listener, exc.failed.message, p.LOAD_FAILED)
        if self._stop.is_set():  # stopped while the model loaded: no empty answer is kept
            return TurnResult(0, st.STOPPED)
        hits, grounded = [], None
        if turn.assistant is not None and "knowledge_base" in turn.assistant.features:
            hits, grounded = self.store.run(lambda store: ground(KnowledgeBase(store), question))
            if grounded is None:
                return self._answer_without_model(turn, listener, NOT_COVERED, "not_covered")
        overrides = {**(turn.assistant.sampling if turn.assistant else {}), **turn.sampling}
        # The tutor's guard (None for other assistants): instructions for this step of the
        # lesson, and a client that passes on only text that does not give the answer away.
        guard = guard_for(
            turn.assistant, self.store, turn.conversation_id, turn.level, self._stop.is_set
        )
        result = ChatTurn(
            self.store,
            guard.client(self.client) if guard else self.client,
            turn.conversation_id,
            turn.model,
            turn.model.sampling_for(self.settings, **overrides),
            loaded.n_ctx,
            guard.assistant if guard else turn.assistant,
            turn.model.system_prompt,
            guard.level if guard else turn.level,
            guard.message_for_model() if guard else grounded,
        ).run(on_event=listener.event, on_created=listener.created)
        found = extras(turn.assistant, result.text) if result.text else {}
        if guard is not None:
            found.update(guard.extras(result.text))
        if hits and result.text:
            found["sources"] = [{"path": h.path, "heading": h.heading} for h in hits]
        stored = {k: v for k, v in found.items() if k != "reasoning"}  # that is in the text
        if stored:
            self.store.set_extras(result.message_id, stored)
        result.extras = found
        return result

    def _store_question(self, turn: Turn, listener: Listener) -> str:
        """The user's message stored (or, to regenerate, the last answer dropped); the
        conversation named after its first message. Returns the question."""
        messages = self.store.messages(turn.conversation_id)
        if turn.text is None:
            if messages and messages[-1]["role"] == "assistant":
                self.store.delete_message(messages[-1]["id"])
                listener.removed(messages[-1]["id"])
            return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        message_id = self.store.add_message(turn.conversation_id, "user", turn.text)
        listener.user_message(self.store.message(message_id))
        if not self.store.conversation(turn.conversation_id).get("named"):
            title = title_for(turn.text)
            self.store.rename_conversation(turn.conversation_id, title)
            listener.renamed(title)
        return turn.text

    def _answer_without_model(
        self, turn: Turn, listener: Listener, text: str, reason: str
    ) -> TurnResult:
        """An answer the app gives itself: "not covered", or why the model could not load."""
        failed = reason != "not_covered"
        message_id = self.store.add_message(
            turn.conversation_id,
            "assistant",
            "" if failed else text,
            status=st.ERROR if failed else st.COMPLETE,
            assistant_id=turn.assistant.id if turn.assistant else None,
            model_id=turn.model.id,
            quant=turn.model.quant,
            finish_reason=reason,
            error=text if failed else None,
        )
        listener.created(message_id)
        result = TurnResult(message_id, st.ERROR if failed else st.COMPLETE, "" if failed else text)
        if failed:
            result.failed = p.Failed(None, reason, text)
        else:
            result.extras = {"sources": []}
        return result
