"""Chat service: the window's side of a conversation turn. The turn itself is
core.conversation (the same for the CLI); this keeps the engine on a thread of its own and turns
what the turn reports into signals, with streamed text coalesced: at most one UI update per
FLUSH_MS, never one per token. Each turn takes the conversation's own settings (instructions,
assistant, model, sampling: core.chat_settings) over the window's choices.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.core import chat_settings
from desktop_app.core.assistants.registry import Assistant, load_assistants
from desktop_app.core.conversation import Conversations, Listener, Turn
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.backend import Engine
from desktop_app.core.engine.client import EngineClient
from desktop_app.core.errors import SmallwiseError
from desktop_app.core.gate import Ticket
from desktop_app.core.model_choice import ModelChoice
from desktop_app.core.turn import TurnResult
from desktop_app.services.background import Background
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings

log = logging.getLogger(__name__)
FLUSH_MS = 40


class ChatService(QObject):
    user_message_added = Signal(int, dict)  # conversation id, the stored row
    message_created = Signal(int, int)  # conversation id, assistant message id
    message_removed = Signal(int)  # message id: it left the branch shown (regenerate, edit)
    message_continued = Signal(int, int)  # conversation id, the answer that goes on (Continue)
    text_received = Signal(int, str)  # message id, text since the last update
    generation_started = Signal(int, list)  # message id, ids of messages the model did not see
    generation_finished = Signal(int, dict)  # message id, the stored row
    conversation_renamed = Signal(int, str)
    busy_changed = Signal(bool)
    model_changed = Signal(dict)  # id, quant, n_ctx, n_threads, chat_format, device…
    notice = Signal(str)  # plain words for the user
    engine_changed = Signal(str)  # where models run now: "" (this computer) or the server
    engine_tested = Signal(str)  # "Test connection": what the server said, in plain words
    options_changed = Signal()  # Settings were applied (the API server follows them)

    def __init__(self, stores: StoreThread, settings: Settings, log_path: str | None = None):
        super().__init__()
        self.stores, self.settings, self.log_path = stores, settings, log_path
        self._engine_address = engine_address(settings)
        client = self._make_engine(self._engine_address)
        self.conversations = Conversations(stores.blocking, client, settings)
        self.model: ModelChoice | None = None
        self.assistant: Assistant | None = None  # None: plain chat, no instructions
        self.level: str | None = None  # the learner's level, for the tutor
        # A model named by id (a conversation's own), planned for this machine; from a worker.
        self.resolve_model: Callable[[str], ModelChoice] | None = None
        self._answering: ModelChoice | None = None  # the model of the running turn
        self._note = ""  # what to tell the user when the running turn ends
        self.busy = False
        self._ticket: Ticket | None = None  # the running turn's place at the engine
        self.engine = Background("engine", parent=self)  # one model, one turn at a time
        self.engine.failed.connect(self._failed)
        self.network = Background("engine-test", parent=self)
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._streaming_id: int | None = None
        self._flush_timer = QTimer(self, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)

    # -- model -----------------------------------------------------------------------------
    def set_model(self, model: ModelChoice, preload: bool = True) -> None:
        self.model = model
        if preload:

            def loaded(done: p.Loaded | None) -> None:
                if done is not None:
                    self._show_model(model, done)

            self._queue(
                lambda ticket: self.conversations.preload(model, self._notice_from_engine, ticket),
                loaded,
                self.notice.emit,
            )

    def set_assistant(self, assistant: Assistant | None, level: str | None = None) -> None:
        """From the next answer on; the conversation's history stays as it is."""
        self.assistant, self.level = assistant, level

    @property
    def client(self) -> Engine:
        """The engine answers come from: the local worker, or a model server."""
        return self.conversations.client

    def settings_changed(self) -> None:
        """Engine settings (context, threads) are made again, and the model reloaded if they
        changed, at the next answer; a changed remote engine is used from the next answer."""
        self.conversations.forget_settings()
        address = engine_address(self.settings)
        if address != self._engine_address:
            self._engine_address = address
            self._queue(
                lambda ticket: self.conversations.use_engine(self._make_engine(address), ticket),
                lambda _: self.engine_changed.emit(self.client_location()),
                self.notice.emit,
            )
        self.options_changed.emit()

    def client_location(self) -> str:
        return getattr(self.client, "server", "")  # a RemoteEngine's; the local worker has none

    def test_engine(self, address: str, key: str = "") -> None:
        """Ask the server at `address` what it has, off the GUI thread; engine_tested says."""
        self.network.run(lambda: _remote()(address, key).check(), self.engine_tested.emit,
                         self.engine_tested.emit)

    def _make_engine(self, address: tuple[str, str] | None) -> Engine:
        if address is None:
            return EngineClient(self.log_path)
        try:
            return _remote()(*address)
        except SmallwiseError as exc:  # a malformed address: say so, answer on this computer
            self.notice.emit(str(exc))
            return EngineClient(self.log_path)

    # -- turns -----------------------------------------------------------------------------
    def send(self, conversation_id: int, text: str) -> bool:
        """Start an answer to `text`; False if one is already running or no model is set."""
        return self._start(conversation_id, text)

    def regenerate(self, conversation_id: int) -> bool:
        """A new answer to the last question; the old one stays as a version."""
        return self._start(conversation_id, None)

    def edit(self, conversation_id: int, message_id: int, text: str) -> bool:
        """`text` as a new version of the question `message_id`, answered (a new branch)."""
        return self._start(conversation_id, text, edit_of=message_id)

    def continue_answer(self, conversation_id: int, message_id: int) -> bool:
        """The answer `message_id`, cut short, goes on where it stopped."""
        return self._start(conversation_id, None, continue_of=message_id)

    def stop(self) -> None:
        if self.busy and self._ticket is not None:
            self.conversations.stop(self._ticket)  # this turn only, not an API request's

    def _start(self, conversation_id: int, text: str | None, **kind: int) -> bool:
        if self.busy or self.model is None:
            if self.model is None:
                self.notice.emit(self.tr("No model is ready yet."))
            return False
        self._set_busy(True)
        model, assistant, level = self.model, self.assistant, self.level
        if self.conversations.gate.busy:
            self.notice.emit(
                self.tr("The model is busy with another request; your answer comes next.")
            )
        self._ticket = self._queue(
            lambda ticket: self._run(
                self._turn(conversation_id, text, model, assistant, level, kind), ticket
            ),
            self._finish,
        )
        return True

    def _turn(
        self,
        conversation_id: int,
        text: str | None,
        model: ModelChoice,
        assistant: Assistant | None,
        level: str | None,
        kind: dict[str, int],
    ) -> Turn:
        """On the engine thread: the turn, with the conversation's own settings."""
        saved = chat_settings.own(self.stores.blocking.conversation_settings(conversation_id))
        if "assistant" in saved:
            assistant = load_assistants().get(saved["assistant"], assistant)
        if saved.get("model", model.id) != model.id and self.resolve_model is not None:
            try:
                model = self.resolve_model(saved["model"])
            except SmallwiseError as exc:  # told once the answer is there, not overwritten
                self.engine.post(self._keep_note, f"{exc} {model.id} answered instead.")
        sampling, prompt = chat_settings.sampling(saved), saved.get("system_prompt")
        return Turn(conversation_id, text, model, assistant, level, sampling, prompt, **kind)

    def _queue(self, work: Any, success: Any, failure: Any = None) -> Ticket:
        """Run `work(ticket)` on the engine thread. The place at the engine's gate is taken now,
        so the gate's order (API requests between) is the order of this thread's jobs: a place
        taken later on the thread would wait behind one whose job waits behind it, for ever."""
        ticket = self.conversations.gate.enter()

        def job() -> Any:
            try:
                return work(ticket)
            finally:
                self.conversations.gate.leave(ticket)  # whatever happened, the queue moves on

        self.engine.run(job, success, failure)
        return ticket

    def _run(self, turn: Turn, ticket: Ticket) -> tuple[TurnResult, dict[str, Any]]:
        """On the engine thread."""
        post, cid = self.engine.post, turn.conversation_id
        self._answering = turn.model
        listener = Listener(
            user_message=lambda row: post(lambda r: self.user_message_added.emit(cid, r), row),
            renamed=lambda title: post(lambda t: self.conversation_renamed.emit(cid, t), title),
            removed=lambda mid: post(self.message_removed.emit, mid),
            created=lambda mid: post(self._created, (cid, mid)),
            continued=lambda mid: post(self._continued, (cid, mid)),
            event=self._on_event,
            left_out=lambda ids: post(self._left_out, ids),
            notice=self._notice_from_engine,
        )
        result = self.conversations.run(turn, listener, ticket)
        return result, self.stores.blocking.message(result.message_id) if result.message_id else {}

    def _on_event(self, event: Any) -> None:
        """On the engine thread: text goes to the throttle buffer, the rest to the GUI."""
        if isinstance(event, p.Token):
            with self._lock:
                self._pending.append(event.text)
        else:
            self.engine.post(self._on_stream_event, event)

    def _notice_from_engine(self, text: str) -> None:
        self.engine.post(self.notice.emit, text)

    # -- GUI thread --------------------------------------------------------------------------
    def _created(self, ids: tuple[int, int]) -> None:
        self._streaming_id = ids[1]
        self.message_created.emit(*ids)
        self._flush_timer.start()

    def _keep_note(self, text: str) -> None:
        self._note = text

    def _continued(self, ids: tuple[int, int]) -> None:
        self._streaming_id = ids[1]
        self.message_continued.emit(*ids)
        self._flush_timer.start()

    def _on_stream_event(self, event: Any) -> None:
        if isinstance(event, p.Started) and self._streaming_id is not None:
            self.notice.emit("")
            model = self._answering or self.model
            if self.client.loaded is not None and model is not None:
                self._show_model(model, self.client.loaded)
        elif isinstance(event, p.Failed):
            self.notice.emit(event.message)

    def _left_out(self, ids: list[int]) -> None:
        if self._streaming_id is not None:
            self.generation_started.emit(self._streaming_id, ids)

    def _show_model(self, model: ModelChoice, loaded: p.Loaded) -> None:
        self.model_changed.emit(_model_info(model, loaded))
        self.notice.emit("")

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            text, self._pending = "".join(self._pending), []
        if text and self._streaming_id is not None:
            self.text_received.emit(self._streaming_id, text)

    def _finish(self, outcome: tuple[TurnResult, dict[str, Any]]) -> None:
        result, row = outcome
        self._flush()
        self._flush_timer.stop()
        self._streaming_id = None
        self._set_busy(False)
        self._ticket = None
        if result.failed is not None:  # also a Continue that could not start
            self.notice.emit(result.failed.message)
        if result.message_id:
            self.generation_finished.emit(result.message_id, row)
        else:
            self.notice.emit(self.tr("Stopped before the model had loaded."))
        if self._note:
            self.notice.emit(self._note)
            self._note = ""

    def _failed(self, message: str) -> None:
        """The turn itself failed (a bug or the store): say so and stay usable."""
        self._note = ""
        self._flush_timer.stop()
        self._streaming_id = None
        self._ticket = None
        self._set_busy(False)
        self.notice.emit(message)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def shutdown(self, timeout: float = 3.0) -> None:
        self.stop()
        self.network.shutdown(wait=False)
        self.engine.shutdown()
        self.client.shutdown(timeout)


def _remote() -> type:
    """RemoteEngine, imported when a remote engine is configured: it brings httpx (~0.2 s),
    which a window that runs its models here does not need to open."""
    from desktop_app.core.engine.remote import RemoteEngine

    return RemoteEngine


def engine_address(settings: Settings) -> tuple[str, str] | None:
    """The model server the user chose (address, key), or None: this computer."""
    url = settings["engine_url"].strip()
    return (url, settings["engine_key"].strip()) if url else None


def _model_info(model: ModelChoice, loaded: p.Loaded) -> dict[str, Any]:
    """What the status line shows about the loaded model."""
    return {
        "id": model.id,
        "name": model.title,
        "quant": model.quant,
        "n_ctx": loaded.n_ctx,
        "n_threads": loaded.n_threads,
        "chat_format": loaded.chat_format,
        "load_s": loaded.load_s,
        "device": loaded.device,
        "n_gpu_layers": loaded.n_gpu_layers,
    }
