"""The `smallwise` command line, declared: every command and its arguments, and the module that
runs it ("group:function" in desktop_app.cli). Only argparse here, so that `smallwise --help`
and the window's start import nothing else; a command group's module loads when it is used."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app import APP_NAME, __version__


def build() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="smallwise",
        description=f"{APP_NAME}: private AI assistants that run on this "
        "computer. Without a command, opens the window.",
    )
    top.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    top.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_chat, _serve, _models, _kb, _assistants, _plan, _calibrate, _check_math, _system):
        add(sub)
    for add in (_search, _export, _import):
        add(sub)
    _eval(sub)
    return top


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _chat(sub: argparse._SubParsersAction) -> None:
    chat = sub.add_parser(
        "chat",
        help="answer one prompt, streamed to stdout",
        description="Answer PROMPT with a local model; the exchange is saved "
        "as a new conversation. Ctrl+C stops the answer and keeps it.",
    )
    chat.add_argument("prompt", help="the prompt; '-' reads it from standard input")
    chat.add_argument(
        "--model",
        help="installed model id or path to a .gguf file (default: the default model, else the "
        "best installed model for the assistant on this computer)",
    )
    chat.add_argument("--chat-format", help="chat format for a .gguf without a template")
    chat.add_argument("--max-tokens", type=int, help="longest answer in tokens")
    chat.add_argument("--temperature", type=float, help="0 always picks the likeliest token")
    chat.add_argument("--seed", type=int, help="random seed, for repeatable answers")
    chat.add_argument(
        "--threads",
        type=int,
        help="CPU threads for this answer (default: the setting, else chosen for this computer)",
    )
    chat.add_argument(
        "--assistant",
        help="a specialist: chat, tutor, math, support (see `smallwise assistants list`)",
    )
    chat.add_argument("--level", help="the learner's level, for the tutor")
    chat.add_argument(
        "--engine",
        metavar="URL",
        help="answer with a model on an OpenAI-compatible server (llama-server, Ollama's /v1, "
        "vLLM, another Smallwise), e.g. http://192.168.1.5:8000; --model names its model",
    )
    chat.add_argument("--engine-key", help="the server's API key (or SMALLWISE_ENGINE_KEY)")
    chat.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object at the end instead of streaming text",
    )
    chat.set_defaults(handler="chat:chat")


def _serve(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        "serve",
        help="an OpenAI-compatible API for other programs",
        description="Serve the installed models and the specialists (smallwise/chat, "
        "smallwise/tutor, smallwise/math, smallwise/support) at /v1/models and "
        "/v1/chat/completions. Only this computer can connect unless an API key is set. "
        "Conversations are not kept unless --store is given.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (8765; 0: any free one)")
    serve.add_argument(
        "--api-key", help="clients must send it; required off 127.0.0.1 (or SMALLWISE_API_KEY)"
    )
    serve.add_argument(
        "--model", help="the model for the specialists (installed id or .gguf; default: chosen)"
    )
    serve.add_argument("--store", action="store_true", help="keep API conversations")
    serve.add_argument(
        "--max-waiting", type=int, default=8, help="requests that may wait (beyond: 429)"
    )
    serve.set_defaults(handler="serve:serve")


def _models(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser(
        "models",
        help="list, download, import and remove models",
        description="Manage the models on this computer.",
    )
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = msub.add_parser("list", help="the catalog and what is installed")
    _json(listing)
    listing.set_defaults(handler="models:listing")
    get = msub.add_parser(
        "download",
        help="download a catalog model or any GGUF on the hub",
        description="Download ID from the catalog, or ORG/REPO/FILE.gguf from "
        "the hub (or the mirror in HF_ENDPOINT). The size and sha256 are "
        "checked; an interrupted download resumes.",
    )
    get.add_argument("spec", metavar="ID|REPO/FILE.gguf")
    get.add_argument("--quant", help="quantization, e.g. Q5_K_M (default: the recommended one)")
    _json(get)
    get.set_defaults(handler="models:download")
    imp = msub.add_parser("import", help="add a GGUF file you already have")
    imp.add_argument("path", type=Path)
    imp.add_argument(
        "--reference", action="store_true", help="use the file where it is instead of copying it"
    )
    imp.add_argument("--chat-format", help="chat format, for a file without a chat template")
    _json(imp)
    imp.set_defaults(handler="models:import_")
    sizes = msub.add_parser(
        "check-sizes",
        help="compare the catalog's file sizes with the hub's (one HEAD request per file)",
        description="Ask the hub (or the mirror in HF_ENDPOINT) for the size of every file the "
        "catalog names, at its pinned revision, and say where a catalog figure is wrong. Plans "
        "are made from these figures.",
    )
    _json(sizes)
    sizes.set_defaults(handler="models:check_sizes")
    rm = msub.add_parser("remove", help="remove an installed model (deletes its file)")
    rm.add_argument("id")
    _json(rm)
    rm.set_defaults(handler="models:remove")


def _kb(sub: argparse._SubParsersAction) -> None:
    kb = sub.add_parser(
        "kb",
        help="the Support assistant's documents",
        description="Documents the Support assistant answers from (txt, md, "
        "html), indexed on this computer.",
    )
    ksub = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    add = ksub.add_parser("add", help="index files or folders (re-indexes changed files)")
    add.add_argument("paths", nargs="+", type=Path)
    _json(add)
    add.set_defaults(handler="kb:add")
    listing = ksub.add_parser("list", help="the indexed files")
    _json(listing)
    listing.set_defaults(handler="kb:listing")
    rm = ksub.add_parser("remove", help="forget a file or a folder")
    rm.add_argument("path", type=Path)
    _json(rm)
    rm.set_defaults(handler="kb:remove")
    search = ksub.add_parser("search", help="the passages that best match a question")
    search.add_argument("query")
    search.add_argument("--k", type=int, default=5, help="how many passages")
    _json(search)
    search.set_defaults(handler="kb:search")


def _assistants(sub: argparse._SubParsersAction) -> None:
    team = sub.add_parser("assistants", help="the specialists")
    tsub = team.add_subparsers(dest="assistants_command", metavar="ACTION", required=True)
    listing = tsub.add_parser("list", help="the specialists and what each is for")
    _json(listing)
    listing.set_defaults(handler="assistants:listing")


def _plan(sub: argparse._SubParsersAction) -> None:
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
    _json(planning)
    planning.set_defaults(handler="models:plan")


def _calibrate(sub: argparse._SubParsersAction) -> None:
    calibration = sub.add_parser(
        "calibrate",
        help="measure the fastest thread count on this machine",
        description="Time short answers on an installed model for each sensible thread count "
        "and keep the fastest; new answers use it (unless Settings fixes the thread count).",
    )
    calibration.add_argument("--model", help="installed model id (default: the default model)")
    calibration.add_argument("--tokens", type=int, default=32, help="tokens per timed answer")
    _json(calibration)
    calibration.set_defaults(handler="models:calibrate")


def _check_math(sub: argparse._SubParsersAction) -> None:
    checker = sub.add_parser(
        "check-math",
        help="re-compute the arithmetic in a text",
        description="Re-compute every explicit calculation in FILE (or standard input): "
        "arithmetic, fractions, percentages, powers, LaTeX, and stated solutions substituted "
        "back. Exits 1 when a check fails.",
    )
    checker.add_argument("file", nargs="?", default="-", help="a text file, or - for stdin")
    _json(checker)
    checker.set_defaults(handler="assistants:check_math")


def _system(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser(
        "doctor",
        help="versions, llama.cpp build, data paths, models",
        description="Report what Smallwise sees on this computer.",
    )
    _json(doctor)
    doctor.set_defaults(handler="system:doctor")
    test = sub.add_parser(
        "self-test",
        help="check that this installation works",
        description="Load a model in the engine process, answer one prompt, "
        "and write and read back a conversation in a temporary database.",
    )
    test.add_argument(
        "--model",
        help="an installed model id or a .gguf file to test with (default: the model chat uses)",
    )
    _json(test)
    test.set_defaults(handler="system:self_test")


def _search(sub: argparse._SubParsersAction) -> None:
    search = sub.add_parser(
        "search",
        help="find words in every conversation (titles and messages, every version)",
        description="Find QUERY in the titles and messages of all conversations, newest first. "
        "The words are matched as written (quotes and operators are plain text); the last "
        "word also matches longer words that start with it. Exits 1 when nothing matches.",
    )
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=30, help="most matches shown (30)")
    _json(search)
    search.set_defaults(handler="history:search")


def _export(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export",
        help="write conversations as Markdown, JSON or one HTML page",
        description="Export the conversations with the ids given (`smallwise search` shows "
        "them), or all of them. JSON is complete (every version, model, metrics, settings) "
        "and imports back; HTML is one page that needs nothing else.",
    )
    export.add_argument("ids", nargs="*", type=int, metavar="ID")
    export.add_argument("--all", action="store_true", help="every conversation")
    export.add_argument("--format", choices=("md", "json", "html"), default="md")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(handler="history:export")


def _import(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser(
        "import",
        help="add conversations from a JSON export",
        description="Add the conversations of FILE.json (made by `smallwise export --format "
        "json`) as new conversations. The file is checked whole first: nothing is kept from a "
        "file with an error.",
    )
    imp.add_argument("file", type=Path, metavar="FILE.json")
    _json(imp)
    imp.set_defaults(handler="history:import_")


def _eval(sub: argparse._SubParsersAction) -> None:
    evaluation = sub.add_parser(
        "eval",
        help="measure how well the assistants do their jobs on this computer",
        description="Run the evaluation sets (support: retrieval recall@3 and the not-covered "
        "rule on the SQLite documentation; math; tutor) and print the figures. With --model, "
        "that installed model also answers, and its answers are checked.",
    )
    evaluation.add_argument("--assistant", help="support, math or tutor (default: all)")
    evaluation.add_argument("--model", help="an installed model id or a .gguf file to answer")
    evaluation.add_argument(
        "--half",
        default="held_out",
        choices=["held_out", "tune", "all"],
        help="which half of each set (the held-out half by default)",
    )
    evaluation.add_argument(
        "--docs", type=Path, help="the SQLite documentation folder (default /usr/share/doc/sqlite3)"
    )
    evaluation.add_argument(
        "--embedding-model",
        type=Path,
        help="an embedding GGUF to use (default: the installed one, if any)",
    )
    _json(evaluation)
    evaluation.set_defaults(handler="evals:run")
