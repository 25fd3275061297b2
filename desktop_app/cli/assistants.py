"""`smallwise assistants list` and `check-math`: the specialists, and the math checker alone."""

from __future__ import annotations

import sys
from argparse import Namespace
from dataclasses import asdict
from pathlib import Path

from desktop_app.cli.output import Output
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.errors import UsageError
from desktop_app.paths import AppPaths


def listing(args: Namespace, paths: AppPaths, out: Output) -> int:
    assistants = load_assistants()
    out.result(
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
        [f"{a.id:9} {a.name:14} {a.purpose}" for a in assistants.values()],
    )
    return 0


def check_math(args: Namespace, paths: AppPaths, out: Output) -> int:
    from desktop_app.core.assistants.math_check import check, summary  # sympy: ~0.6 s

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from exc
    checks = check(text)
    lines = [
        f"[{'ok' if c.ok else 'WRONG'}] {c.expression}"
        + ("" if c.ok else f"  (it is {c.expected})")
        for c in checks
    ]
    out.result([asdict(c) for c in checks], [*lines, summary(checks) or "no calculation to check"])
    return 0 if all(c.ok for c in checks) else 1
