"""`smallwise chat`: one prompt answered in the terminal and saved as a conversation."""

from __future__ import annotations

import os
import signal
import sys
from argparse import Namespace
from typing import Any

from desktop_app.cli.models import catalog_for
from desktop_app.cli.output import Output
from desktop_app.core.assistants.registry import Assistant, load_assistants
from desktop_app.core.conversation import Conversations, Listener, Turn
from desktop_app.core.engine import protocol as p
from desktop_app.core.engine.backend import Engine
from desktop_app.core.engine.build import known
from desktop_app.core.engine.client import EngineClient
from desktop_app.core.engine.remote import RemoteEngine
from desktop_app.core.errors import UsageError
from desktop_app.core.hardware import profile
from desktop_app.core.model_choice import Chosen, choose_model, remote_model
from desktop_app.core.store import Store
from desktop_app.core.turn import TurnResult
from desktop_app.paths import AppPaths
from desktop_app.settings import Settings


def chat(args: Namespace, paths: AppPaths, out: Output) -> int:
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        raise UsageError("the prompt is empty.")
    if args.threads is not None and not 1 <= args.threads <= 256:
        raise UsageError("--threads takes a number from 1 to 256.")
    settings = Settings(paths.settings_file)
    assistant = find_assistant(args.assistant)
    with Store(paths.database) as store:
        if args.engine:  # a model server elsewhere: it has the model, nothing is planned here
            key = args.engine_key or os.environ.get("SMALLWISE_ENGINE_KEY", "")
            remote = RemoteEngine(args.engine, key)
            client: Engine = remote
            chosen = Chosen(remote_model(remote.pick(args.model)))
        else:
            chosen = choose(args.model, args.chat_format, store, paths, settings, assistant, out)
            client = EngineClient(log_path=str(paths.log_dir / "engine.log"))
        return _answer(args, prompt, store, client, settings, assistant, chosen, out)


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
        profile(known(paths.data_dir)),
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
    client: Engine,
    settings: Settings,
    assistant: Assistant | None,
    chosen: Chosen,
    out: Output,
) -> int:
    overrides = {"max_tokens": args.max_tokens, "temperature": args.temperature, "seed": args.seed}
    if args.threads is not None:  # for this answer only: the settings file is not written
        settings["n_threads"] = args.threads
    turn = Turn(
        store.create_conversation(),
        prompt,
        chosen.model,
        assistant,
        args.level,
        {k: v for k, v in overrides.items() if v is not None},
    )

    def show(event: Any) -> None:
        if isinstance(event, p.Token) and not out.as_json:
            sys.stdout.write(event.text)
            sys.stdout.flush()

    conversations = Conversations(store, client, settings)
    previous = signal.signal(signal.SIGINT, lambda *_: conversations.stop())
    try:
        result = conversations.run(turn, Listener(event=show))
        loaded = client.loaded  # what the model ran with
    finally:
        signal.signal(signal.SIGINT, previous)
        client.shutdown()
    if not out.as_json and result.text:
        print()
    if result.failed is not None:
        out.note(f"smallwise: {result.failed.message}")
        return 1
    if not result.message_id:
        out.note("smallwise: stopped before the model had loaded.")
        return 130
    _report(result, turn, out, loaded)
    return 0


def _report(result: TurnResult, turn: Turn, out: Output, loaded: p.Loaded | None) -> None:
    sources = result.extras.get("sources", [])
    if not out.as_json:
        for n, source in enumerate(sources, 1):
            heading = f" — {source['heading']}" if source["heading"] else ""
            out.note(f"[{n}] {source['path']}{heading}")
        if result.extras.get("math_check"):
            out.note(f"math check: {result.extras['math_check']}")
        return
    d = result.done
    timings = (
        {
            "ttft_s": round(d.ttft_s, 4),
            "tokens_per_s": round(d.tokens_per_s, 2),
            "prompt_tokens": d.prompt_tokens,
            "completion_tokens": d.completion_tokens,
            "finish_reason": d.finish_reason,
        }
        if d is not None
        else {"finish_reason": "not_covered"}
    )
    out.result(
        {
            "text": result.text,
            "model": turn.model.id,
            "quant": turn.model.quant,
            **timings,
            "conversation_id": turn.conversation_id,
            "message_id": result.message_id,
            "assistant": turn.assistant.id if turn.assistant else None,
            "threads": loaded.n_threads if loaded is not None else None,
            # where it ran: "CPU", or the GPU with the layers it holds
            "device": loaded.device if loaded is not None else None,
            "n_gpu_layers": loaded.n_gpu_layers if loaded is not None else None,
            **result.extras,
        }
    )
