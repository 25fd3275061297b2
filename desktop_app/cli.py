"""The `smallwise` command: the window by default; chat, doctor and self-test from a terminal."""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import multiprocessing
import os
import signal
import sys
from typing import Any

from desktop_app import APP_NAME, __version__
from desktop_app.paths import AppPaths, app_paths


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()
    os.umask(0o077)  # everything the app writes is readable by the user only
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    args = parser().parse_args(argv)
    paths = app_paths().ensure()
    _setup_logging(paths, args.verbose)
    if args.command is None:
        from desktop_app.app import run_gui

        return run_gui(paths)
    return args.func(args, paths)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="smallwise",
        description=f"{APP_NAME}: private AI assistants that run on this "
        "computer. Without a command, opens the window.",
    )
    top.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    top.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    chat = sub.add_parser(
        "chat",
        help="answer one prompt, streamed to stdout",
        description="Answer PROMPT with a local model; the exchange is saved "
        "as a new conversation. Ctrl+C stops the answer and keeps it.",
    )
    chat.add_argument("prompt", help="the prompt; '-' reads it from standard input")
    chat.add_argument(
        "--model",
        help="installed model id or path to a .gguf file "
        "(default: the default model, else the starter model)",
    )
    chat.add_argument("--chat-format", help="chat format for a .gguf without a template")
    chat.add_argument("--max-tokens", type=int, help="longest answer in tokens")
    chat.add_argument("--temperature", type=float, help="0 always picks the likeliest token")
    chat.add_argument("--seed", type=int, help="random seed, for repeatable answers")
    chat.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object at the end instead of streaming text",
    )
    chat.set_defaults(func=cmd_chat)

    doctor = sub.add_parser(
        "doctor",
        help="versions, llama.cpp build, data paths, models",
        description="Report what Smallwise sees on this computer.",
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.set_defaults(func=cmd_doctor)

    test = sub.add_parser(
        "self-test",
        help="check that this installation works",
        description="Load a model in the engine process, answer one prompt, "
        "and write and read back a conversation in a temporary database.",
    )
    test.add_argument("--model", help="a .gguf file to test with (default: the starter model)")
    test.set_defaults(func=cmd_self_test)
    return top


def _setup_logging(paths: AppPaths, verbose: bool) -> None:
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])


def fail(message: str, code: int = 1) -> int:
    print(f"smallwise: {message}", file=sys.stderr)
    return code


# -- chat ------------------------------------------------------------------------------------
def cmd_chat(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.engine import protocol as p
    from desktop_app.core.engine.client import EngineClient
    from desktop_app.core.store import Store, StoreError
    from desktop_app.core.turn import ChatTurn
    from desktop_app.settings import Settings

    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        return fail("the prompt is empty.", 2)
    try:
        store = Store(paths.database)
    except StoreError as exc:
        return fail(str(exc), 2)
    settings = Settings(paths.settings_file)
    try:
        model = _choose_model(args.model, args.chat_format, store, paths, settings)
    except (LookupError, RuntimeError, ValueError) as exc:
        return fail(str(exc), 2)
    client = EngineClient(log_path=str(paths.log_dir / "engine.log"))
    request = model.load_request(settings)
    client.use(request)
    conversation = store.create_conversation(" ".join(prompt.split()[:8]) or "Chat")
    store.add_message(conversation, "user", prompt)
    sampling = model.sampling_for(
        settings, max_tokens=args.max_tokens, temperature=args.temperature, seed=args.seed
    )
    turn = ChatTurn(store, client, conversation, model, sampling, request.n_ctx)

    def show(event: Any) -> None:
        if isinstance(event, p.Token) and not args.json:
            sys.stdout.write(event.text)
            sys.stdout.flush()

    previous = signal.signal(signal.SIGINT, lambda *_: client.cancel())
    try:
        result = turn.run(on_event=show)
    finally:
        signal.signal(signal.SIGINT, previous)
        client.shutdown()
        store.close()
    if not args.json and result.text:
        print()
    if result.failed is not None:
        return fail(result.failed.message)
    d = result.done
    if args.json:
        print(
            json.dumps(
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
                }
            )
        )
    return 0


def _choose_model(
    spec: str | None, chat_format: str | None, store: Any, paths: AppPaths, settings: Any
) -> Any:
    from desktop_app.core.catalog import load_catalog
    from desktop_app.core.model_choice import resolve_model
    from desktop_app.core.starter import STARTER_ID, install_starter, is_installed

    catalog = load_catalog(last_good=paths.last_good_catalog)
    spec = spec or settings["default_model"] or STARTER_ID
    if spec == STARTER_ID:
        if not is_installed(paths.models_dir, catalog[STARTER_ID]):
            print("Preparing the offline starter model (first run only)…", file=sys.stderr)
        install_starter(paths.models_dir, catalog[STARTER_ID], store)
    return resolve_model(spec, store, catalog, chat_format=chat_format)


# -- doctor ----------------------------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.doctor import report

    data = report(paths)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    for section, values in data.items():
        print(f"{section}:")
        if isinstance(values, dict):
            for key, value in values.items():
                print(f"  {key}: {value}")
        elif isinstance(values, list):
            for value in values or ["(none)"]:
                print(f"  {value}")
    return 0


# -- self-test -------------------------------------------------------------------------------
def cmd_self_test(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.doctor import self_test

    ok = True
    for step, passed, detail in self_test(paths, args.model):
        print(f"[{'ok' if passed else 'FAILED'}] {step}: {detail}")
        ok &= passed
    print("self-test passed" if ok else "self-test FAILED")
    return 0 if ok else 1
