"""Chat service: the window's side of a conversation turn. The turn itself is
core.conversation (the same for the CLI); this keeps the engine on a thread of its own and turns
what the turn reports into signals, with streamed text coalesced: at most one UI update per
FLUSH_MS, never one per token.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.conversation import Conversations, Listener, Turn
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import EngineClient
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
    message_removed = Signal(int)  # message id (regenerate)
    text_received = Signal(int, str)  # message id, text since the last update
    generation_started = Signal(int, list)  # message id, ids of messages the model did not see
    generation_finished = Signal(int, dict)  # message id, the stored row
    conversation_renamed = Signal(int, str)
    busy_changed = Signal(bool)
    model_changed = Signal(dict)  # id, quant, n_ctx, n_threads, chat_format, device…
    notice = Signal(str)  # plain words for the user

    def __init__(self, stores: StoreThread, settings: Settings, log_path: str | None = None):
        super().__init__()
        self.stores, self.settings = stores, settings
        self.client = EngineClient(log_path)
        self.conversations = Conversations(stores.blocking, self.client, settings)
        self.model: ModelChoice | None = None
        self.assistant: Assistant | None = None  # None: plain chat, no instructions
        self.level: str | None = None  # the learner's level, for the tutor
        self.busy = False
        self.engine = Background("engine", parent=self)  # one model, one turn at a time
        self.engine.failed.connect(self._failed)
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._streaming_id: int | None = None
        self._flush_timer = QTimer(self, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)

    # -- model -----------------------------------------------------------------------------
    def set_model(self, model: ModelChoice, preload: bool = True) -> None:
        self.model = model
        if preload:
            self.engine.run(
                lambda: self.conversations.prepare(model, self._notice_from_engine),
                lambda loaded: self._show_model(model, loaded),
                self.notice.emit,
            )

    def set_assistant(self, assistant: Assistant | None, level: str | None = None) -> None:
        """From the next answer on; the conversation's history stays as it is."""
        self.assistant, self.level = assistant, level

    def settings_changed(self) -> None:
        """Engine settings (context, threads) are made again, and the model reloaded if they
        changed, at the next answer."""
        self.conversations.forget_settings()

    # -- turns -----------------------------------------------------------------------------
    def send(self, conversation_id: int, text: str) -> bool:
        """Start an answer to `text`; False if one is already running or no model is set."""
        return self._start(conversation_id, text)

    def regenerate(self, conversation_id: int) -> bool:
        """Replace the last answer of the conversation with a new one."""
        return self._start(conversation_id, None)

    def stop(self) -> None:
        if self.busy:
            self.conversations.stop()

    def _start(self, conversation_id: int, text: str | None) -> bool:
        if self.busy or self.model is None:
            if self.model is None:
                self.notice.emit("No model is ready yet.")
            return False
        self._set_busy(True)
        turn = Turn(conversation_id, text, self.model, self.assistant, self.level)
        self.engine.run(lambda: self._run(turn), self._finish)
        return True

    def _run(self, turn: Turn) -> tuple[TurnResult, dict[str, Any]]:
        """On the engine thread."""
        post, cid = self.engine.post, turn.conversation_id
        listener = Listener(
            user_message=lambda row: post(lambda r: self.user_message_added.emit(cid, r), row),
            renamed=lambda title: post(lambda t: self.conversation_renamed.emit(cid, t), title),
            removed=lambda mid: post(self.message_removed.emit, mid),
            created=lambda mid: post(self._created, (cid, mid)),
            event=self._on_event,
            left_out=lambda ids: post(self._left_out, ids),
            notice=self._notice_from_engine,
        )
        result = self.conversations.run(turn, listener)
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

    def _on_stream_event(self, event: Any) -> None:
        if isinstance(event, p.Started) and self._streaming_id is not None:
            self.notice.emit("")
            if self.client.loaded is not None and self.model is not None:
                self._show_model(self.model, self.client.loaded)
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
        if result.message_id:
            self.generation_finished.emit(result.message_id, row)
        else:
            self.notice.emit("Stopped before the model had loaded.")

    def _failed(self, message: str) -> None:
        """The turn itself failed (a bug or the store): say so and stay usable."""
        self._flush_timer.stop()
        self._streaming_id = None
        self._set_busy(False)
        self.notice.emit(message)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def shutdown(self, timeout: float = 3.0) -> None:
        self.stop()
        self.engine.shutdown()
        self.client.shutdown(timeout)


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
