"""One chat turn as data: history from the store → engine stream → the assistant message saved as
it streams (at least once a second, so a hard kill loses ≤ 1 s of text) → timings stored.

Shared by the GUI service (on a background thread) and the CLI. No Qt here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core import store as st
from desktop_app.core.assistants.registry import Assistant, prompt_messages
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.backend import Engine
from desktop_app.core.model_choice import ModelChoice

SAVE_EVERY_S = 1.0
# How an answer that ended in a failure is kept: the user stopped it (the worker was ended
# because it did not stop in time), the worker died (the text so far is kept), or an error.
FAILED_STATUS = {
    p.STOPPED: st.STOPPED,
    p.WORKER_DIED: st.INTERRUPTED,
    p.CONNECTION_LOST: st.INTERRUPTED,  # a model server that went away mid-answer
}
IN_HISTORY = (st.COMPLETE, st.STOPPED, st.INTERRUPTED)


@dataclass
class TurnResult:
    message_id: int
    status: str
    text: str = ""
    done: p.Done | None = None
    failed: p.Failed | None = None
    left_out: int = 0
    events: list[Any] = field(default_factory=list, repr=False)
    extras: dict[str, Any] = field(default_factory=dict)  # sources, math checks


def history(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The messages the model sees: finished ones with text, oldest first."""
    return [
        {"role": m["role"], "content": m["content"]}
        for m in messages
        if m["status"] in IN_HISTORY and m["content"].strip()
    ]


class ChatTurn:
    def __init__(
        self,
        store: Any,
        client: Engine,
        conversation_id: int,
        model: ModelChoice,
        sampling: p.Sampling,
        n_ctx: int,
        assistant: Assistant | None = None,
        accepts_system_prompt: bool = True,
        level: str | None = None,
        grounded: str | None = None,
    ):
        self.store, self.client = store, client
        self.conversation_id, self.model = conversation_id, model
        self.sampling, self.n_ctx = sampling, n_ctx
        self.assistant, self.accepts_system_prompt, self.level = (
            assistant,
            accepts_system_prompt,
            level,
        )
        self.grounded = grounded  # the last question with its sources (Support)

    def run(
        self,
        on_event: Callable[[Any], None] = lambda e: None,
        on_created: Callable[[int], None] = lambda i: None,
    ) -> TurnResult:
        messages = history(self.store.messages(self.conversation_id))
        if self.grounded and messages and messages[-1]["role"] == "user":
            messages[-1] = {"role": "user", "content": self.grounded}
        if self.assistant is not None:
            messages = prompt_messages(
                self.assistant, messages, self.accepts_system_prompt, self.level
            )
        message_id = self.store.add_message(
            self.conversation_id,
            "assistant",
            "",
            status=st.STREAMING,
            model_id=self.model.id,
            quant=self.model.quant,
            n_ctx=self.n_ctx,
            assistant_id=self.assistant.id if self.assistant else None,
        )
        on_created(message_id)
        result = TurnResult(message_id, st.STREAMING)
        pending: list[str] = []
        last_save = time.monotonic()
        for event in self.client.chat(messages, self.sampling):
            if isinstance(event, p.Token):
                pending.append(event.text)
                result.text += event.text
                if time.monotonic() - last_save >= SAVE_EVERY_S:
                    self.store.append_to_message(message_id, "".join(pending))
                    pending.clear()
                    last_save = time.monotonic()
            elif isinstance(event, p.Started):
                result.left_out = event.left_out
            elif isinstance(event, p.Done):
                result.done = event
            elif isinstance(event, p.Failed):
                result.failed = event
            on_event(event)
        if pending:
            self.store.append_to_message(message_id, "".join(pending))
        self._finish(result)
        return result

    def _finish(self, result: TurnResult) -> None:
        meta: dict[str, Any] = {"context_left_out": result.left_out}
        if result.done is not None:
            d = result.done
            result.status = st.STOPPED if d.finish_reason == "cancelled" else st.COMPLETE
            meta.update(
                ttft_s=round(d.ttft_s, 4),
                tokens_per_s=round(d.tokens_per_s, 2),
                prompt_tokens=d.prompt_tokens,
                completion_tokens=d.completion_tokens,
                finish_reason=d.finish_reason,
            )
        else:
            failed = result.failed or p.Failed(None, p.GENERATION_FAILED, "The answer ended.")
            result.failed = failed
            result.status = FAILED_STATUS.get(failed.kind, st.ERROR)
            meta["error"] = failed.message
        self.store.finish_message(result.message_id, result.status, **meta)
