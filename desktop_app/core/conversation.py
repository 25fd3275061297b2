"""One chat turn, for every front end (the window through a service thread, the CLI directly,
the API server from its handler): store the user message and the title → load the model
through the ladder → ground in the documents or answer "not covered" → stream the answer,
saved as it comes → extras (sources, math checks) stored with it, so a reopened conversation
shows them. Which model answers is chosen before (core.model_choice).

The conversation is a tree (core.store): a regenerated answer or an edited question is a new
version beside the old one, and the model sees only the branch it answers on
(core.turn_start says where each kind of turn goes). A conversation's own settings (its
instructions, sampling) come in the Turn and go over the assistant's.

Every front end shares one engine through one Conversations: turns take a ticket at the gate
(core.gate) and run one at a time, first come first served; a stop reaches only its own turn.
No Qt here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from desktop_app.core import store as st
from desktop_app.core.assistants.knowledge import GLOBAL, KnowledgeBase, conversation_collection
from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.assistants.specialist import Grounding, extras, ground
from desktop_app.core.assistants.tutor import guard_for
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.backend import Engine
from desktop_app.core.engine.embeddings import shared_embedder
from desktop_app.core.errors import EngineError
from desktop_app.core.gate import EngineGate, Ticket
from desktop_app.core.ladder import load_with_fallbacks
from desktop_app.core.model_choice import ModelChoice
from desktop_app.core.turn import ChatTurn, TurnResult
from desktop_app.core.turn_start import Start, start, title_for
from desktop_app.settings import Settings

log = logging.getLogger(__name__)
__all__ = ["Conversations", "Listener", "Turn", "title_for"]


@dataclass(frozen=True)
class Turn:
    """What a front end asks for."""

    conversation_id: int
    text: str | None  # None: answer the last question again (the old answer stays a version)
    model: ModelChoice
    assistant: Assistant | None = None
    level: str | None = None  # the learner's level, for the tutor
    sampling: dict[str, Any] = field(default_factory=dict)  # the caller's / conversation's
    system_prompt: str | None = None  # the conversation's instructions, instead of the assistant's
    edit_of: int | None = None  # a question sent before: `text` becomes its new version
    continue_of: int | None = None  # an answer cut short: the model goes on with it, in place


@dataclass
class Listener:
    """What a front end hears while a turn runs (all optional; called on the turn's thread)."""

    user_message: Callable[[dict[str, Any]], None] = lambda row: None
    renamed: Callable[[str], None] = lambda title: None
    removed: Callable[[int], None] = lambda message_id: None
    created: Callable[[int], None] = lambda message_id: None
    continued: Callable[[int], None] = lambda message_id: None  # an answer extended in place
    event: Callable[[Any], None] = lambda event: None  # engine events: Started, Token, Done…
    left_out: Callable[[list[int]], None] = lambda ids: None  # messages the model did not see
    notice: Callable[[str], None] = lambda text: None  # loading, ladder steps


class Conversations:
    """Runs turns on one engine: knows which model is loaded and with which settings.

    `store` holds the conversations and the documents; a turn may keep its messages in another
    store (the API's conversations, kept in memory unless asked). `embedder`: None uses the
    installed embedding model's, if any."""

    def __init__(self, store: Any, client: Engine, settings: Settings, embedder: Any = None):
        self.store, self.client, self.settings = store, client, settings
        self.embedder = embedder
        self.gate = EngineGate()
        self._worked: dict[str, p.Load] = {}  # model id → the load settings that worked
        self._loaded: p.Load | None = None  # what the engine holds now
        # _running, and stopping it; re-entrant: the CLI stops from a SIGINT handler.
        self._state = threading.RLock()
        self._running: Ticket | None = None  # the turn that holds the engine

    def stop(self, ticket: Ticket | None = None) -> None:
        """Stop a turn: the answer so far is kept; a turn still loading its model, or still
        waiting for the engine, ends without one. Without a ticket: the turn running now. From
        any thread."""
        with self._state:
            ticket = ticket or self._running
            if ticket is None:
                return
            self.gate.withdraw(ticket)
            if ticket is self._running:
                self.client.cancel()

    def use_engine(self, client: Engine, ticket: Ticket | None = None) -> None:
        """Answer with `client` from the next turn on (a remote server, or the local worker
        again); the one in use is shut down once its turn, if any, is over."""
        with self.gate.hold(ticket):
            old, self.client = self.client, client
            self._worked.clear()
            self._loaded = None
        if old is not client:
            old.shutdown()

    def preload(
        self, model: ModelChoice, notice: Callable[[str], None], ticket: Ticket | None = None
    ) -> p.Loaded | None:
        """prepare() in turn with the answers: the model is ready before the first message.
        None when `ticket` was withdrawn before its turn came."""
        with self.gate.hold(ticket) as mine:
            return self.prepare(model, notice) if mine else None

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

    def run(
        self,
        turn: Turn,
        listener: Listener | None = None,
        ticket: Ticket | None = None,
        store: Any = None,
    ) -> TurnResult:
        """One turn: the question stored at once, then the answer when the engine is free.
        `ticket`: a place taken before (gate.enter); `store`: where this turn's messages go."""
        listener, store = listener or Listener(), store if store is not None else self.store
        ticket = ticket or self.gate.enter()
        try:
            begun = start(store, turn, listener)
        except BaseException:
            self.gate.leave(ticket)
            raise
        if not self.gate.wait(ticket):  # stopped while waiting for the engine
            return TurnResult(0, st.STOPPED)
        try:
            with self._state:
                self._running = ticket
            return self._answer(turn, listener, store, begun, ticket)
        finally:
            with self._state:
                self._running = None
            self.gate.leave(ticket)

    def _answer(
        self, turn: Turn, listener: Listener, store: Any, begun: Start, ticket: Ticket
    ) -> TurnResult:
        try:
            loaded = self.prepare(turn.model, listener.notice)
        except EngineError as exc:
            return self._answer_without_model(turn, listener, store, begun, exc.failed.message)
        if ticket.stopped.is_set():  # stopped while the model loaded: no empty answer is kept
            return TurnResult(0, st.STOPPED)
        hits, grounded, question = [], None, begun.question
        dropped = (
            store is self.store
            and bool(store.conversation_settings(turn.conversation_id).get("ask_dropped"))
        )
        grounding = self.store.run(self._ground, turn, question, dropped)
        if grounding is not None and grounding.prompt is None and begun.continue_of is None:
            reason = "weak_evidence" if grounding.verdict == "weak" else "not_covered"
            cited = [hit.cited() for hit in grounding.hits]
            return self._answer_without_model(
                turn, listener, store, begun, grounding.reply, reason, cited
            )
        if grounding is not None and grounding.prompt is not None:
            hits, grounded = grounding.hits, grounding.prompt
        overrides = {**(turn.assistant.sampling if turn.assistant else {}), **turn.sampling}
        # The tutor's guard (None for other assistants): instructions for this step of the
        # lesson, and a client that passes on only text that does not give the answer away.
        guard = guard_for(
            turn.assistant, store, turn.conversation_id, turn.level, ticket.stopped.is_set
        )
        result = ChatTurn(
            store,
            cast(Engine, guard.client(self.client)) if guard else self.client,
            turn.conversation_id,
            turn.model,
            turn.model.sampling_for(self.settings, **overrides),
            loaded.n_ctx,
            guard.assistant if guard else turn.assistant,
            turn.model.system_prompt,
            guard.level if guard else turn.level,
            guard.message_for_model() if guard and begun.continue_of is None else grounded,
            parent_id=begun.parent_id,
            continue_of=begun.continue_of,
            instructions=turn.system_prompt,
        ).run(listener.event, listener.created, listener.continued, listener.left_out)
        found = extras(turn.assistant, result.text, question) if result.text else {}
        if guard is not None:
            found.update(guard.extras(result.text))
        if hits and result.text:
            found["sources"] = [hit.cited() for hit in hits]
        stored = {k: v for k, v in found.items() if k != "reasoning"}  # that is in the text
        if stored:
            store.set_extras(result.message_id, stored)
        result.extras = found
        return result

    def _ground(
        self, store: Any, turn: Turn, question: str, dropped: bool
    ) -> Grounding | None:
        """The documents' say on the question, on the store's thread: the Support assistant
        searches the global documents and the conversation's own; any assistant searches the
        files just dropped onto the conversation, for the one question that follows."""
        own = conversation_collection(turn.conversation_id)
        if turn.assistant is not None and "knowledge_base" in turn.assistant.features:
            collections = [GLOBAL, own]
        elif dropped:
            collections = [own]
        else:
            return None
        if dropped:
            store.update_conversation_settings(turn.conversation_id, ask_dropped=None)
        embedder = self.embedder if self.embedder is not None else shared_embedder(store)
        return ground(KnowledgeBase(store, embedder=embedder), question, 4, collections)

    def _answer_without_model(
        self,
        turn: Turn,
        listener: Listener,
        store: Any,
        begun: Start,
        text: str,
        reason: str = p.LOAD_FAILED,
        sources: list[dict[str, str]] | None = None,
    ) -> TurnResult:
        """An answer the app gives itself: "not covered", what the documents say instead of an
        answer (with those passages as its sources), or why the model could not load (an answer
        being continued stays as it is)."""
        failed = reason not in ("not_covered", "weak_evidence")
        if begun.continue_of is not None:
            result = TurnResult(begun.continue_of, st.ERROR)
            result.failed = p.Failed(None, p.LOAD_FAILED, text)
            return result
        message_id = store.add_message(
            turn.conversation_id,
            "assistant",
            "" if failed else text,
            status=st.ERROR if failed else st.COMPLETE,
            assistant_id=turn.assistant.id if turn.assistant else None,
            model_id=turn.model.id,
            quant=turn.model.quant,
            finish_reason=reason,
            error=text if failed else None,
            parent_id=begun.parent_id,
        )
        if sources:
            store.set_extras(message_id, {"sources": sources})
        listener.created(message_id)
        result = TurnResult(message_id, st.ERROR if failed else st.COMPLETE, "" if failed else text)
        if failed:
            result.failed = p.Failed(None, p.FailureKind(reason), text)
        else:
            result.extras = {"sources": sources or []}
        return result
