"""Chat service: one turn = store the user message → engine stream → throttled UI updates →
stored answer. Engine work runs on one background thread; text reaches the GUI at most once per
FLUSH_MS through a throttle, never once per token.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.core.assistants.knowledge import NOT_COVERED, KnowledgeBase
from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.assistants.specialist import extras, ground, sources_footer
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import EngineClient, EngineError
from desktop_app.core.ladder import load_with_fallbacks
from desktop_app.core.model_choice import ModelChoice
from desktop_app.core.turn import ChatTurn, TurnResult
from desktop_app.services.storage import StoreThread
from desktop_app.settings import Settings

log = logging.getLogger(__name__)
FLUSH_MS = 40
TITLE_WORDS = 8


class ChatService(QObject):
    user_message_added = Signal(int, dict)  # conversation id, the stored row
    message_created = Signal(int, int)  # conversation id, assistant message id
    message_removed = Signal(int)  # message id (regenerate)
    text_received = Signal(int, str)  # message id, text since the last update
    generation_started = Signal(int, int)  # message id, messages left out of the prompt
    generation_finished = Signal(int, dict)  # message id, the stored row
    conversation_renamed = Signal(int, str)
    busy_changed = Signal(bool)
    model_changed = Signal(dict)  # id, quant, n_ctx, n_threads, chat_format
    notice = Signal(str)  # plain words for the user
    _from_engine = Signal(object)

    def __init__(self, stores: StoreThread, settings: Settings, log_path: str | None = None):
        super().__init__()
        self.stores, self.settings = stores, settings
        self.client = EngineClient(log_path)
        self.model: ModelChoice | None = None
        self.assistant: Assistant | None = None  # None: plain chat, no instructions
        self.level: str | None = None  # the learner's level, for the tutor
        self._request: p.Load | None = None  # engine settings for self.model, made once
        self.busy = False
        self._engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine")
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._streaming_id: int | None = None
        self._flush_timer = QTimer(self, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._from_engine.connect(self._on_engine_event)

    # -- model -----------------------------------------------------------------------------
    def set_model(self, model: ModelChoice, preload: bool = True) -> None:
        self.model, self._request = model, None
        if preload:
            self._engine.submit(self._guarded, self._load)

    def set_assistant(self, assistant: Assistant | None, level: str | None = None) -> None:
        """From the next answer on; the conversation's history stays as it is."""
        self.assistant, self.level = assistant, level

    def settings_changed(self) -> None:
        """Engine settings (context, threads) are made again, and the model reloaded if they
        changed, at the next answer."""
        self._request = None

    def _load_request(self) -> p.Load:
        """On the engine thread: choosing threads samples the CPU load for 0.1 s."""
        if self._request is None:
            self._request = self.model.load_request(self.settings)
        return self._request

    def _load(self) -> p.Loaded | None:
        """Load the model (on the engine thread), stepping down on memory failures."""
        request = self._load_request()
        self._from_engine.emit(("notice", f"Loading {self.model.id}…"))
        notify = lambda message: self._from_engine.emit(("notice", message))  # noqa: E731
        try:
            request, loaded = load_with_fallbacks(self.client, request, notify)
        except EngineError as exc:
            self._from_engine.emit(("notice", exc.failed.message))
            return None
        self._request = request  # the settings that worked
        self._from_engine.emit(("model", _model_info(request.model_id, request.quant, loaded)))
        return loaded

    # -- turns -----------------------------------------------------------------------------
    def send(self, conversation_id: int, text: str) -> bool:
        """Start an answer to `text`; False if one is already running or no model is set."""
        return self._start(conversation_id, text)

    def regenerate(self, conversation_id: int) -> bool:
        """Replace the last answer of the conversation with a new one."""
        return self._start(conversation_id, None)

    def stop(self) -> None:
        if self.busy:
            self.client.cancel()

    def _start(self, conversation_id: int, text: str | None) -> bool:
        if self.busy or self.model is None:
            if self.model is None:
                self.notice.emit("No model is ready yet.")
            return False
        self._set_busy(True)
        self._engine.submit(self._guarded, self._turn, conversation_id, text)
        return True

    def _turn(self, conversation_id: int, text: str | None) -> None:
        store = self.stores.blocking
        if text is None:
            self._drop_last_answer(store, conversation_id)
        else:
            message_id = store.add_message(conversation_id, "user", text)
            self._from_engine.emit(("user", conversation_id, store.message(message_id)))
            self._name_conversation(store, conversation_id, text)
        model, request = self.model, self._load_request()
        self.client.use(request)
        if (self.client.loaded is None or not self.client.alive()) and self._load() is None:
            request = self._load_request()  # the turn records the failure in the conversation
        else:
            request = self._request
        assistant, level = self.assistant, self.level
        hits, grounded = [], None
        if assistant is not None and "knowledge_base" in assistant.features:
            question = text or _last_user_text(store.messages(conversation_id))
            hits, grounded = self.stores.run(lambda st: ground(KnowledgeBase(st), question))
            if grounded is None:
                self._answer_without_model(store, conversation_id, assistant, NOT_COVERED)
                return
        overrides = dict(assistant.sampling) if assistant else {}
        turn = ChatTurn(
            store,
            self.client,
            conversation_id,
            model,
            model.sampling_for(self.settings, **overrides),
            request.n_ctx,
            assistant,
            model.system_prompt,
            level,
            grounded,
        )
        result = turn.run(
            on_event=self._on_turn_event,
            on_created=lambda mid: self._from_engine.emit(("created", conversation_id, mid)),
        )
        if hits and result.text:
            store.append_to_message(result.message_id, sources_footer(hits))
        row = {**store.message(result.message_id), **extras(assistant, result.text)}
        self._from_engine.emit(("finished", result, row))

    def _answer_without_model(
        self, store: Any, conversation_id: int, assistant: Any, text: str
    ) -> None:
        message_id = store.add_message(
            conversation_id,
            "assistant",
            text,
            assistant_id=assistant.id,
            finish_reason="not_covered",
        )
        self._from_engine.emit(("created", conversation_id, message_id))
        row = store.message(message_id)
        self._from_engine.emit(("finished", TurnResult(message_id, row["status"], text), row))

    def _drop_last_answer(self, store: Any, conversation_id: int) -> None:
        messages = store.messages(conversation_id)
        if messages and messages[-1]["role"] == "assistant":
            store.delete_message(messages[-1]["id"])
            self._from_engine.emit(("removed", messages[-1]["id"]))

    def _name_conversation(self, store: Any, conversation_id: int, text: str) -> None:
        conversation = store.conversation(conversation_id)
        if conversation["title"] == "New conversation":
            words = text.split()
            title = " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
            store.rename_conversation(conversation_id, title)
            self._from_engine.emit(("renamed", conversation_id, title))

    def _on_turn_event(self, event: Any) -> None:
        """On the engine thread: text goes to the throttle buffer, the rest to the GUI."""
        if isinstance(event, p.Token):
            with self._lock:
                self._pending.append(event.text)
        else:
            self._from_engine.emit(("event", event))

    def _guarded(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # a bug: log it with its traceback, tell the user, stay usable
            log.exception("engine task failed")
            self._from_engine.emit(("notice", f"Something went wrong: {exc}. See the log."))
            self._from_engine.emit(("idle",))

    # -- GUI thread --------------------------------------------------------------------------
    @Slot(object)
    def _on_engine_event(self, item: tuple) -> None:
        kind = item[0]
        if kind == "created":
            self._streaming_id = item[2]
            self.message_created.emit(item[1], item[2])
            self._flush_timer.start()
        elif kind == "user":
            self.user_message_added.emit(item[1], item[2])
        elif kind == "event":
            self._on_stream_event(item[1])
        elif kind == "finished":
            self._finish(item[1], item[2])
        elif kind == "removed":
            self.message_removed.emit(item[1])
        elif kind == "renamed":
            self.conversation_renamed.emit(item[1], item[2])
        elif kind == "model":
            self.model_changed.emit(item[1])
            self.notice.emit("")
        elif kind == "notice":
            self.notice.emit(item[1])
        elif kind == "idle":
            self._set_busy(False)

    def _on_stream_event(self, event: Any) -> None:
        if isinstance(event, p.Started) and self._streaming_id is not None:
            self.notice.emit("")
            self.generation_started.emit(self._streaming_id, event.left_out)
            if self.client.loaded is not None:  # already on the GUI thread: emit directly
                info = _model_info(self.model.id, self.model.quant, self.client.loaded)
                self.model_changed.emit(info)
        elif isinstance(event, p.Failed):
            self.notice.emit(event.message)

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            text, self._pending = "".join(self._pending), []
        if text and self._streaming_id is not None:
            self.text_received.emit(self._streaming_id, text)

    def _finish(self, result: TurnResult, row: dict) -> None:
        self._flush()
        self._flush_timer.stop()
        self._streaming_id = None
        self._set_busy(False)
        self.generation_finished.emit(result.message_id, row)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def shutdown(self, timeout: float = 3.0) -> None:
        self.stop()
        self._engine.shutdown(wait=True, cancel_futures=True)
        self.client.shutdown(timeout)


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")


def _model_info(model_id: str, quant: str, loaded: p.Loaded) -> dict[str, Any]:
    """What the status line shows about the loaded model."""
    return {
        "id": model_id,
        "quant": quant,
        "n_ctx": loaded.n_ctx,
        "n_threads": loaded.n_threads,
        "chat_format": loaded.chat_format,
        "load_s": loaded.load_s,
        "device": loaded.device,
        "n_gpu_layers": loaded.n_gpu_layers,
    }
