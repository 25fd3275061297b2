"""`smallwise chat`: one prompt answered in the terminal and saved as a conversation."""

from __future__ import annotations

import signal
import sys
from argparse import Namespace
from typing import Any

from desktop_app.cli.models import catalog_for
from desktop_app.cli.output import Output
from desktop_app.core.assistants.knowledge import NOT_COVERED, KnowledgeBase
from desktop_app.core.assistants.registry import Assistant, load_assistants
from desktop_app.core.assistants.specialist import extras, ground
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.client import EngineClient
from desktop_app.core.errors import UsageError
from desktop_app.core.hardware import profile
from desktop_app.core.model_choice import Chosen, choose_model
from desktop_app.core.store import Store
from desktop_app.core.turn import ChatTurn
from desktop_app.paths import AppPaths
from desktop_app.settings import Settings


def chat(args: Namespace, paths: AppPaths, out: Output) -> int:
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        raise UsageError("the prompt is empty.")
    settings = Settings(paths.settings_file)
    assistant = find_assistant(args.assistant)
    with Store(paths.database) as store:
        chosen = choose(args.model, args.chat_format, store, paths, settings, assistant, out)
        return _answer(args, prompt, store, paths, settings, assistant, chosen, out)


def choose(
    spec: str | None,
    chat_format: str | None,
    store: Store,
    paths: AppPaths,
    settings: Settings,
    assistant: Assistant | None,
    out: Output,
) -> Chosen:
    chosen = choose_model(
        store,
        catalog_for(paths),
        settings,
        paths.models_dir,
        profile(),
        spec=spec,
        assistant=assistant,
        chat_format=chat_format,
        on_progress=out.note,
    )
    if chosen.note:
        out.note(chosen.note)
    return chosen


def find_assistant(assistant_id: str | None) -> Assistant | None:
    if assistant_id is None:
        return None
    assistants = load_assistants()
    if assistant_id not in assistants:
        raise UsageError(
            f"No assistant is called '{assistant_id}'. There are: {', '.join(assistants)}."
        )
    return assistants[assistant_id]


def _answer(
    args: Namespace,
    prompt: str,
    store: Store,
    paths: AppPaths,
    settings: Settings,
    assistant: Assistant | None,
    chosen: Chosen,
    out: Output,
) -> int:
    model = chosen.model
    client = EngineClient(log_path=str(paths.log_dir / "engine.log"))
    request = model.load_request(settings)
    client.use(request)
    conversation = store.create_conversation(" ".join(prompt.split()[:8]) or "Chat")
    store.add_message(conversation, "user", prompt)
    overrides: dict[str, Any] = dict(assistant.sampling) if assistant else {}
    overrides.update(max_tokens=args.max_tokens, temperature=args.temperature, seed=args.seed)
    sampling = model.sampling_for(settings, **overrides)
    hits, grounded = [], None
    if assistant is not None and "knowledge_base" in assistant.features:
        hits, grounded = ground(KnowledgeBase(store), prompt)
        if grounded is None:
            client.shutdown()
            store.add_message(
                conversation,
                "assistant",
                NOT_COVERED,
                assistant_id=assistant.id,
                finish_reason="not_covered",
            )
            data = {"text": NOT_COVERED, "assistant": assistant.id, "sources": []}
            out.result({**data, "conversation_id": conversation}, [NOT_COVERED])
            return 0
    turn = ChatTurn(
        store,
        client,
        conversation,
        model,
        sampling,
        request.n_ctx,
        assistant,
        model.system_prompt,
        args.level,
        grounded,
    )

    def show(event: Any) -> None:
        if isinstance(event, p.Token) and not out.as_json:
            sys.stdout.write(event.text)
            sys.stdout.flush()

    previous = signal.signal(signal.SIGINT, lambda *_: client.cancel())
    try:
        result = turn.run(on_event=show)
    finally:
        signal.signal(signal.SIGINT, previous)
        client.shutdown()
    if not out.as_json and result.text:
        print()
    if result.failed is not None:
        out.note(f"smallwise: {result.failed.message}")
        return 1
    extra = extras(assistant, result.text)
    if hits:
        extra["sources"] = [
            {"n": i, "path": h.path, "heading": h.heading} for i, h in enumerate(hits, 1)
        ]
        if not out.as_json:
            for i, h in enumerate(hits, 1):
                out.note(f"[{i}] {h.source} ({h.path})")
    if not out.as_json and extra.get("math_check"):
        out.note(f"math check: {extra['math_check']}")
    d = result.done
    if out.as_json:
        out.result(
            {
                "text": result.text,
                "model": model.id,
                "quant": model.quant,
                "ttft_s": round(d.ttft_s, 4),
                "tokens_per_s": round(d.tokens_per_s, 2),
                "prompt_tokens": d.prompt_tokens,
                "completion_tokens": d.completion_tokens,
                "finish_reason": d.finish_reason,
                "conversation_id": conversation,
                "assistant": assistant.id if assistant else None,
                **extra,
            }
        )
    return 0
