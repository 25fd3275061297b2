"""The `smallwise` command: the window by default; chat, models, documents, doctor and self-test
from a terminal. Each command group lives in a module of its own, loaded when it is used; errors
become messages and exit codes here, once."""

from __future__ import annotations

import importlib
import logging
import logging.handlers
import multiprocessing
import os
import sys

from desktop_app.cli import parser
from desktop_app.cli.output import Output
from desktop_app.core.errors import SmallwiseError
from desktop_app.paths import AppPaths, app_paths

log = logging.getLogger(__name__)
INTERRUPTED = 130
BROKEN_PIPE = 141  # what a shell reports for a program ended by SIGPIPE
BUG = 70  # EX_SOFTWARE


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()
    os.umask(0o077)  # everything the app writes is readable by the user only
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    args = parser.build().parse_args(argv)
    out = Output(getattr(args, "json", False))
    try:
        paths = app_paths().ensure()
        _setup_logging(paths, args.verbose)
        if args.command is None:
            from desktop_app.app import run_gui

            return run_gui(paths)
        group, function = args.handler.split(":")
        command = getattr(importlib.import_module(f"desktop_app.cli.{group}"), function)
        return command(args, paths, out) or 0
    except SmallwiseError as exc:
        return out.error(exc)
    except KeyboardInterrupt:
        Output.note("smallwise: interrupted.")
        return INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`smallwise models list --json | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except Exception as exc:  # a bug: the traceback goes to the log, a sentence to the user
        log.exception("smallwise %s failed", args.command)
        Output.note(
            f"smallwise: something went wrong ({type(exc).__name__}: {exc}). This is a bug; "
            f"the details are in {app_paths().log_file}."
        )
        return BUG


def _setup_logging(paths: AppPaths, verbose: bool) -> None:
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
