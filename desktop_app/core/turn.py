"""One chat turn as data: history from the store → engine stream → the assistant message saved as
it streams (at least once a second, so a hard kill loses ≤ 1 s of text) → timings stored.

The history is the branch the answer goes on (root → `parent_id`), never the conversation's
other versions. To continue an answer (`continue_of`), the model gets the history and the
answer so far as the last, unfinished message (the engine puts it after the prompt, so the
model goes on from its last word), and the new text is appended to the stored answer.

Shared by the GUI service (on a background thread) and the CLI. No Qt here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
    status: st.MessageStatus
    text: str = ""
    done: p.Done | None = None
    failed: p.Failed | None = None
    left_out: int = 0
    left_out_ids: list[int] = field(default_factory=list)  # the messages the model did not see
    events: list[Any] = field(default_factory=list, repr=False)
    extras: dict[str, Any] = field(default_factory=dict)  # sources, math checks


def seen_rows(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored messages the model is given: finished ones with text, oldest first."""
    return [m for m in messages if m["status"] in IN_HISTORY and m["content"].strip()]


def history(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The messages the model sees, as the engine takes them."""
    return [{"role": m["role"], "content": m["content"]} for m in seen_rows(messages)]


def left_out_ids(messages: list[dict[str, Any]], count: int) -> list[int]:
    """The ids of the oldest `count` messages the model was not given (the conversation
    outgrew its context): what the engine reported, as the view marks it."""
    return [m["id"] for m in seen_rows(messages)[:count]]


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
        parent_id: int | None = None,
        continue_of: int | None = None,
        instructions: str | None = None,
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
        self.parent_id, self.continue_of = parent_id, continue_of
        self.instructions = instructions  # the conversation's own, instead of the assistant's
        self._earlier_tokens = 0  # of the answer being continued
        self._given: list[dict[str, Any]] = []

    def run(
        self,
        on_event: Callable[[Any], None] = lambda e: None,
        on_created: Callable[[int], None] = lambda i: None,
        on_continued: Callable[[int], None] = lambda i: None,
        on_left_out: Callable[[list[int]], None] = lambda ids: None,
    ) -> TurnResult:
        messages = self.prompt()
        if self.continue_of is None:
            result = TurnResult(self._new_answer(), st.STREAMING)
            on_created(result.message_id)
        else:
            result = self._reopened(self.continue_of)
            on_continued(result.message_id)
        message_id = result.message_id
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
                result.left_out_ids = left_out_ids(self._given, event.left_out)
                on_left_out(result.left_out_ids)
            elif isinstance(event, p.Done):
                result.done = event
            elif isinstance(event, p.Failed):
                result.failed = event
            on_event(event)
        if pending:
            self.store.append_to_message(message_id, "".join(pending))
        self._finish(result)
        return result

    def prompt(self) -> list[dict[str, str]]:
        """The messages the model gets: the branch up to the question (and the answer so far,
        last, when continuing), grounded, with the instructions."""
        if self.continue_of is not None:
            before = self.store.branch_to(self.continue_of)
            partial = before.pop()
            messages = history(before) + [{"role": "assistant", "content": partial["content"]}]
        elif self.parent_id is not None:
            before = self.store.branch_to(self.parent_id)
            messages = history(before)
        else:
            before, messages = [], []
        self._given = before  # the stored rows the model is given, oldest first
        asked = [i for i, m in enumerate(messages) if m["role"] == "user"]
        if self.grounded and asked:
            messages[asked[-1]] = {"role": "user", "content": self.grounded}
        assistant = self._instructed()
        if assistant is not None:
            messages = prompt_messages(assistant, messages, self.accepts_system_prompt, self.level)
        return messages

    def _instructed(self) -> Assistant | None:
        """The assistant, with the conversation's own instructions if it has some."""
        if not self.instructions or not self.instructions.strip():
            return self.assistant
        if self.assistant is not None:
            return replace(self.assistant, system_prompt=self.instructions)
        return Assistant("", "", "", "", "chat", (), self.instructions, {}, ())

    def _new_answer(self) -> int:
        return self.store.add_message(
            self.conversation_id,
            "assistant",
            "",
            status=st.STREAMING,
            model_id=self.model.id,
            quant=self.model.quant,
            n_ctx=self.n_ctx,
            assistant_id=self.assistant.id if self.assistant else None,
            parent_id=self.parent_id,
        )

    def _reopened(self, message_id: int) -> TurnResult:
        """The answer to continue, streaming again; its text so far is part of the result."""
        row = self.store.message(message_id)
        self._earlier_tokens = row.get("completion_tokens") or 0
        self.store.finish_message(message_id, st.STREAMING, finish_reason=None, error=None)
        return TurnResult(message_id, st.STREAMING, row["content"])

    def _finish(self, result: TurnResult) -> None:
        meta: dict[str, Any] = {"context_left_out": result.left_out}
        if result.done is not None:
            d = result.done
            result.status = st.STOPPED if d.finish_reason == "cancelled" else st.COMPLETE
            meta.update(
                ttft_s=round(d.ttft_s, 4),
                tokens_per_s=round(d.tokens_per_s, 2),
                prompt_tokens=d.prompt_tokens,
                completion_tokens=self._earlier_tokens + d.completion_tokens,
                finish_reason=d.finish_reason,
            )
        else:
            failed = result.failed or p.Failed(None, p.GENERATION_FAILED, "The answer ended.")
            result.failed = failed
            result.status = FAILED_STATUS.get(failed.kind, st.ERROR)
            meta["error"] = failed.message
        self.store.finish_message(result.message_id, result.status, **meta)
