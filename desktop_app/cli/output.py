"""One switch between human output and `--json`, and the one way errors reach the terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

from desktop_app.core.errors import SmallwiseError


class Output:
    """Results go to stdout (text for people, or one JSON document); notes and progress go to
    stderr, so that `--json` output can always be parsed."""

    def __init__(self, as_json: bool = False):
        self.as_json = as_json

    def result(self, data: Any, human: Iterable[str] | Callable[[], None] = ()) -> None:
        if self.as_json:
            print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        elif callable(human):
            human()
        else:
            for line in human:
                print(line)

    def line(self, text: str) -> None:
        """Part of the result shown as it comes (stderr with --json, which prints at the end)."""
        print(text, file=sys.stderr if self.as_json else sys.stdout, flush=True)

    @staticmethod
    def note(text: str) -> None:
        print(text, file=sys.stderr)

    def error(self, exc: SmallwiseError) -> int:
        """Say what went wrong (a JSON error object on stdout with --json); the exit code."""
        message = " ".join(str(exc).split())
        if self.as_json:
            print(json.dumps({"error": {"type": exc.kind, "message": message}}))
        else:
            print(f"smallwise: {message}", file=sys.stderr)
        return exc.exit_code
