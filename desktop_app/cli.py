"""The `smallwise` command: the window by default; chat, models, doctor and self-test from a
terminal."""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import multiprocessing
import os
import signal
import sys
from pathlib import Path
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
        "--assistant",
        help="a specialist: chat, tutor, math, support (see `smallwise assistants list`)",
    )
    chat.add_argument("--level", help="the learner's level, for the tutor")
    chat.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object at the end instead of streaming text",
    )
    chat.set_defaults(func=cmd_chat)

    _add_models_parser(sub)

    kb = sub.add_parser(
        "kb",
        help="the Support assistant's documents",
        description="Documents the Support assistant answers from (txt, md, "
        "html), indexed on this computer.",
    )
    ksub = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    kb_add = ksub.add_parser("add", help="index files or folders (re-indexes changed files)")
    kb_add.add_argument("paths", nargs="+", type=Path)
    kb_add.set_defaults(func=cmd_kb_add)
    ksub.add_parser("list", help="the indexed files").set_defaults(func=cmd_kb_list)
    kb_rm = ksub.add_parser("remove", help="forget a file or a folder")
    kb_rm.add_argument("path", type=Path)
    kb_rm.set_defaults(func=cmd_kb_remove)
    kb_search = ksub.add_parser("search", help="the passages that best match a question")
    kb_search.add_argument("query")
    kb_search.add_argument("--k", type=int, default=5, help="how many passages")
    kb_search.add_argument("--json", action="store_true", help="machine-readable output")
    kb_search.set_defaults(func=cmd_kb_search)

    team = sub.add_parser("assistants", help="the specialists")
    tsub = team.add_subparsers(dest="assistants_command", metavar="ACTION", required=True)
    team_list = tsub.add_parser("list", help="the specialists and what each is for")
    team_list.add_argument("--json", action="store_true", help="machine-readable output")
    team_list.set_defaults(func=cmd_assistants_list)

    planning = sub.add_parser(
        "plan",
        help="how a model would run here: quant, context, GPU layers, memory, verdict",
        description="Plan MODEL_ID for this computer (or for the one described by --host) "
        "before anything is downloaded.",
    )
    planning.add_argument("model", metavar="MODEL_ID")
    planning.add_argument("--quant", help="fix the quantization instead of choosing one")
    planning.add_argument("--ctx", type=int, help="fix the context size instead of choosing one")
    planning.add_argument("--host", type=Path, help="a host profile JSON (as in doctor --json)")
    planning.add_argument("--json", action="store_true", help="machine-readable output")
    planning.set_defaults(func=cmd_plan)

    calibration = sub.add_parser(
        "calibrate",
        help="measure the fastest thread count on this machine",
        description="Time short answers on an installed model for each sensible thread count "
        "and keep the fastest; new answers use it (unless Settings fixes the thread count).",
    )
    calibration.add_argument("--model", help="installed model id (default: the default model)")
    calibration.add_argument("--tokens", type=int, default=32, help="tokens per timed answer")
    calibration.set_defaults(func=cmd_calibrate)

    checker = sub.add_parser(
        "check-math",
        help="re-compute the arithmetic in a text",
        description="Re-compute every explicit calculation in FILE (or standard input): "
        "arithmetic, fractions, percentages, powers, LaTeX, and stated solutions substituted "
        "back. Exits 1 when a check fails.",
    )
    checker.add_argument("file", nargs="?", default="-", help="a text file, or - for stdin")
    checker.add_argument("--json", action="store_true", help="machine-readable output")
    checker.set_defaults(func=cmd_check_math)

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
    from desktop_app.core.assistants.knowledge import KnowledgeBase
    from desktop_app.core.assistants.specialist import extras, ground
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
        assistant = _assistant(args.assistant)
        model, catalog = _choose_model(
            args.model, args.chat_format, store, paths, settings, assistant
        )
    except (LookupError, RuntimeError, ValueError) as exc:
        store.close()
        return fail(str(exc), 2)
    client = EngineClient(log_path=str(paths.log_dir / "engine.log"))
    request = model.load_request(settings)
    client.use(request)
    conversation = store.create_conversation(" ".join(prompt.split()[:8]) or "Chat")
    store.add_message(conversation, "user", prompt)
    overrides = dict(assistant.sampling) if assistant else {}
    overrides.update(max_tokens=args.max_tokens, temperature=args.temperature, seed=args.seed)
    sampling = model.sampling_for(settings, **overrides)
    entry = catalog.get(model.id)
    hits, grounded = [], None
    if assistant is not None and "knowledge_base" in assistant.features:
        hits, grounded = ground(KnowledgeBase(store), prompt)
        if grounded is None:
            return _not_covered(store, client, conversation, assistant, args.json)
    turn = ChatTurn(
        store,
        client,
        conversation,
        model,
        sampling,
        request.n_ctx,
        assistant,
        accepts_system_prompt=entry.raw["system_prompt"] if entry else True,
        level=args.level,
        grounded=grounded,
    )

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
    extra = extras(assistant, result.text)
    if hits:
        extra["sources"] = [
            {"n": i, "path": h.path, "heading": h.heading} for i, h in enumerate(hits, 1)
        ]
        if not args.json:
            for i, h in enumerate(hits, 1):
                print(f"[{i}] {h.source} ({h.path})", file=sys.stderr)
    if not args.json and extra.get("math_check"):
        print(f"math check: {extra['math_check']}", file=sys.stderr)
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
                    "assistant": assistant.id if assistant else None,
                    **extra,
                }
            )
        )
    return 0


def _not_covered(store: Any, client: Any, conversation: int, assistant: Any, as_json: bool) -> int:
    from desktop_app.core.assistants.knowledge import NOT_COVERED

    store.add_message(
        conversation,
        "assistant",
        NOT_COVERED,
        assistant_id=assistant.id,
        finish_reason="not_covered",
    )
    store.close()
    client.shutdown()
    print(
        json.dumps(
            {
                "text": NOT_COVERED,
                "assistant": assistant.id,
                "sources": [],
                "conversation_id": conversation,
            }
        )
        if as_json
        else NOT_COVERED
    )
    return 0


def _assistant(assistant_id: str | None) -> Any:
    from desktop_app.core.assistants.registry import load_assistants

    if assistant_id is None:
        return None
    assistants = load_assistants()
    if assistant_id not in assistants:
        raise LookupError(
            f"No assistant is called '{assistant_id}'. There are: {', '.join(assistants)}."
        )
    return assistants[assistant_id]


def cmd_assistants_list(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.assistants.registry import load_assistants

    assistants = load_assistants()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": a.id,
                        "name": a.name,
                        "purpose": a.purpose,
                        "role": a.role,
                        "preferred_models": list(a.preferred_models),
                        "features": list(a.features),
                    }
                    for a in assistants.values()
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    for a in assistants.values():
        print(f"{a.id:9} {a.name:14} {a.purpose}")
    return 0


def _choose_model(
    spec: str | None,
    chat_format: str | None,
    store: Any,
    paths: AppPaths,
    settings: Any,
    assistant: Any = None,
) -> Any:
    from desktop_app.core.catalog import load_catalog
    from desktop_app.core.model_choice import resolve_model
    from desktop_app.core.starter import STARTER_ID, install_starter, is_installed

    catalog = load_catalog(
        extra=settings["extra_catalog"] or None, last_good=paths.last_good_catalog
    )
    if spec is None and assistant is not None:
        installed = {row["id"] for row in store.installed_models()}
        spec = assistant.model_for(catalog, installed)
    spec = spec or settings["default_model"] or STARTER_ID
    if spec == STARTER_ID:
        if not is_installed(paths.models_dir, catalog[STARTER_ID]):
            print("Preparing the offline starter model (first run only)…", file=sys.stderr)
        install_starter(paths.models_dir, catalog[STARTER_ID], store)
    return resolve_model(spec, store, catalog, chat_format=chat_format), catalog


def _add_models_parser(sub: Any) -> None:
    models = sub.add_parser(
        "models",
        help="list, download, import and remove models",
        description="Manage the models on this computer.",
    )
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = msub.add_parser("list", help="the catalog and what is installed")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=cmd_models_list)
    get = msub.add_parser(
        "download",
        help="download a catalog model or any GGUF on the hub",
        description="Download ID from the catalog, or ORG/REPO/FILE.gguf from "
        "the hub (or the mirror in HF_ENDPOINT). The size and sha256 are "
        "checked; an interrupted download resumes.",
    )
    get.add_argument("spec", metavar="ID|REPO/FILE.gguf")
    get.add_argument("--quant", help="quantization, e.g. Q5_K_M (default: the recommended one)")
    get.set_defaults(func=cmd_models_download)
    imp = msub.add_parser("import", help="add a GGUF file you already have")
    imp.add_argument("path")
    imp.add_argument(
        "--reference", action="store_true", help="use the file where it is instead of copying it"
    )
    imp.add_argument("--chat-format", help="chat format, for a file without a chat template")
    imp.set_defaults(func=cmd_models_import)
    rm = msub.add_parser("remove", help="remove an installed model (deletes its file)")
    rm.add_argument("id")
    rm.set_defaults(func=cmd_models_remove)


# -- models ----------------------------------------------------------------------------------
def _catalog(paths: AppPaths) -> Any:
    from desktop_app.core.catalog import load_catalog
    from desktop_app.settings import Settings

    extra = Settings(paths.settings_file)["extra_catalog"] or None
    return load_catalog(extra=extra, last_good=paths.last_good_catalog)


def _library(paths: AppPaths) -> tuple[Any, Any]:
    from desktop_app.core.store import Store

    return _catalog(paths), Store(paths.database)


def cmd_models_list(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.library import listing

    catalog, store = _library(paths)
    rows = listing(catalog, store)
    store.close()
    for problem in catalog.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        have = row["installed"]
        state = f"installed {have['quant']}" if have else f"{row.get('size_bytes', 0) / 1e9:.2f} GB"
        roles = ",".join(row["roles"]) or "imported"
        print(f"{row['id']:34} {roles:22} {state}")
    return 0


def cmd_models_download(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.downloads import DownloadError
    from desktop_app.core.library import LibraryError, install, plan_download

    catalog, store = _library(paths)
    token = os.environ.get("HF_TOKEN")
    try:
        wanted = plan_download(args.spec, catalog, args.quant, token=token)
        print(
            f"Downloading {wanted.remote.filename} ({wanted.remote.size / 1e9:.2f} GB) from "
            f"{wanted.remote.repo}",
            file=sys.stderr,
        )
        row = install(wanted, paths.models_dir, store, token=token, on_progress=_progress_bar())
    except (DownloadError, LibraryError) as exc:
        return fail(" ".join(str(exc).split()))
    except KeyboardInterrupt:
        return fail("download interrupted; run the same command again to resume.", 130)
    finally:
        store.close()
    print(f"\ninstalled {row['id']} ({row['quant']}) at {row['path']}", file=sys.stderr)
    return 0


def _progress_bar() -> Any:
    terminal = sys.stderr.isatty()

    def show(p: Any) -> None:
        if not terminal:
            return
        share = p.done / p.total if p.total else 0
        eta = f"{p.eta_s:.0f}s" if p.eta_s is not None else "?"
        sys.stderr.write(
            f"\r[{'#' * int(share * 30):30}] {share:6.1%} "
            f"{p.done / 1e6:8.1f}/{p.total / 1e6:.1f} MB "
            f"{p.bytes_per_s / 1e6:6.1f} MB/s ETA {eta:>5} "
        )
        sys.stderr.flush()

    return show


def cmd_models_import(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.library import LibraryError, import_file

    _, store = _library(paths)
    try:
        row = import_file(
            Path(args.path),
            paths.models_dir,
            store,
            copy=not args.reference,
            chat_format=args.chat_format,
        )
    except (LibraryError, OSError) as exc:
        return fail(str(exc))
    finally:
        store.close()
    print(f"imported {row['id']} ({row['quant'] or 'unknown quant'}) at {row['path']}")
    return 0


def cmd_models_remove(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.library import LibraryError, remove

    _, store = _library(paths)
    try:
        row = remove(args.id, paths.models_dir, store)
    except LibraryError as exc:
        return fail(str(exc))
    finally:
        store.close()
    print(f"removed {row['id']}")
    return 0


# -- plan ------------------------------------------------------------------------------------
def cmd_plan(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.hardware import HostProfile, profile
    from desktop_app.core.planner import plan

    catalog = _catalog(paths)
    model = catalog.get(args.model)
    if model is None:
        return fail(f"'{args.model}' is not in the catalog (see `smallwise models list`).", 2)
    try:
        host = HostProfile.load(args.host) if args.host else profile()
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return fail(f"cannot read the host profile {args.host}: {exc}", 2)
    if args.quant and args.quant.upper() not in {q.type.upper() for q in model.quants}:
        return fail(f"{model.id} has no {args.quant} variant; it has {model.quant_names()}.", 2)
    result = plan(model, host, quant=args.quant, n_ctx=args.ctx)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    print(f"{model.name}: {result.verdict}")
    print(
        f"  quant {result.quant}, context {result.n_ctx:,}, GPU layers {result.n_gpu_layers}, "
        f"threads {result.n_threads}"
    )
    for part, size in result.estimate.parts().items():
        print(f"  {part:9} {size / 1e9:6.2f} GB")
    print(
        f"  memory {result.estimate.ram / 1e9:.2f} GB"
        + (f", GPU {result.estimate.vram / 1e9:.2f} GB" if result.n_gpu_layers else "")
    )
    print(f"  why: {result.why}")
    return 0


# -- calibrate -------------------------------------------------------------------------------
def cmd_calibrate(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.calibrate import calibrate, thread_counts
    from desktop_app.core.store import Store, StoreError
    from desktop_app.settings import Settings

    settings = Settings(paths.settings_file)
    try:
        store = Store(paths.database)
    except StoreError as exc:
        return fail(str(exc), 2)
    try:
        model, _ = _choose_model(args.model, None, store, paths, settings)
    except (LookupError, RuntimeError, ValueError) as exc:
        return fail(str(exc), 2)
    finally:
        store.close()
    print(f"Timing {model.id} ({args.tokens}-token answers)…")
    rates = calibrate(
        model.path,
        model.chat_format,
        thread_counts(),
        tokens=args.tokens,
        log_path=str(paths.log_dir / "engine.log"),
        on_result=lambda n, r: print(f"  {n:3} thread{'s' if n > 1 else ' '} {r:7.1f} tokens/s"),
    )
    best = max(rates, key=rates.get)
    settings["calibrated_threads"] = best
    settings.save()
    print(f"fastest: {best} thread{'s' if best > 1 else ''}; saved for new answers")
    return 0


# -- kb --------------------------------------------------------------------------------------
def _kb(paths: AppPaths) -> tuple[Any, Any]:
    from desktop_app.core.assistants.knowledge import KnowledgeBase
    from desktop_app.core.store import Store

    store = Store(paths.database)
    return store, KnowledgeBase(store)


def cmd_kb_add(args: argparse.Namespace, paths: AppPaths) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        return fail(f"not found: {', '.join(missing)}", 2)
    store, kb = _kb(paths)
    terminal = sys.stderr.isatty()

    def progress(done: int, total: int, name: str) -> None:
        if terminal:
            sys.stderr.write(f"\rindexing {done}/{total} {name[:40]:40}")

    counts = kb.add(args.paths, on_progress=progress)
    store.close()
    if terminal:
        sys.stderr.write("\n")
    print(
        f"indexed {counts['indexed']} file(s) ({counts['chunks']} passages), "
        f"{counts['unchanged']} unchanged"
    )
    return 0


def cmd_kb_list(args: argparse.Namespace, paths: AppPaths) -> int:
    store, kb = _kb(paths)
    for f in kb.files():
        print(f"{f['chunks']:5} passages  {f['path']}")
    store.close()
    return 0


def cmd_kb_remove(args: argparse.Namespace, paths: AppPaths) -> int:
    store, kb = _kb(paths)
    removed = kb.remove(args.path)
    store.close()
    if not removed:
        return fail(f"{args.path} is not in the knowledge base.")
    print(f"forgot {removed} file(s)")
    return 0


def cmd_kb_search(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.assistants.knowledge import covered

    store, kb = _kb(paths)
    hits = kb.search(args.query, k=args.k)
    store.close()
    if args.json:
        print(
            json.dumps(
                [
                    {"path": h.path, "heading": h.heading, "score": h.score, "text": h.text}
                    for h in hits
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not covered(hits):
        print("Your documents don't cover this.")
    for h in hits:
        print(f"{h.score:7.2f}  {h.source}\n         {h.text[:160]}…")
    return 0


# -- check-math ------------------------------------------------------------------------------
def cmd_check_math(args: argparse.Namespace, paths: AppPaths) -> int:
    from dataclasses import asdict

    from desktop_app.core.assistants.math_check import check, summary

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror}", 2)
    checks = check(text)
    if args.json:
        print(json.dumps([asdict(c) for c in checks], indent=2, ensure_ascii=False))
    else:
        for c in checks:
            print(
                f"[{'ok' if c.ok else 'WRONG'}] {c.expression}"
                + ("" if c.ok else f"  (it is {c.expected})")
            )
        print(summary(checks) or "no calculation to check")
    return 0 if all(c.ok for c in checks) else 1


# -- doctor ----------------------------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop_app.core.doctor import describe_device, report

    data = report(paths)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    for section, values in data.items():
        print(f"{section}:")
        if isinstance(values, dict):
            for key, value in values.items():
                if key == "devices" and isinstance(value, list):
                    value = "; ".join(describe_device(d) for d in value) or "(none)"
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
