"""`smallwise doctor` and `smallwise self-test`: what this installation sees, and whether it
works end to end."""

from __future__ import annotations

from argparse import Namespace

from desktop_app.cli.output import Output
from desktop_app.core import doctor as checks
from desktop_app.paths import AppPaths


def doctor(args: Namespace, paths: AppPaths, out: Output) -> int:
    data = checks.report(paths)
    out.result(data, lambda: _print_report(data))
    return 0


def _print_report(data: dict) -> None:
    for section, values in data.items():
        print(f"{section}:")
        if isinstance(values, dict):
            for key, value in values.items():
                if key == "devices" and isinstance(value, list):
                    value = "; ".join(checks.describe_device(d) for d in value) or "(none)"
                print(f"  {key}: {value}")
        elif isinstance(values, list):
            for value in values or ["(none)"]:
                print(f"  {value}")


def self_test(args: Namespace, paths: AppPaths, out: Output) -> int:
    steps = []
    for step, passed, detail in checks.self_test(paths, args.model):
        steps.append({"step": step, "passed": passed, "detail": detail})
        out.line(f"[{'ok' if passed else 'FAILED'}] {step}: {detail}")  # loading takes a while
    ok = all(s["passed"] for s in steps)
    out.result({"passed": ok, "steps": steps}, ["self-test passed" if ok else "self-test FAILED"])
    return 0 if ok else 1
