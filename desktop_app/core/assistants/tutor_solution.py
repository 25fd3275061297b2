"""The check line under a tutor's worked solution, as the Math assistant has: every explicit
calculation re-computed by the math checker, and the solution's final answer compared with the
answer the app computed from the question. No Qt here.
"""

from __future__ import annotations

import re
from typing import Any

import sympy

from desktop_app.core.assistants import math_check
from desktop_app.core.assistants.tutor_answer import Answer, normalise, show
from desktop_app.core.assistants.tutor_reveal import same_value


def checks(text: str, answer: Answer | None) -> dict[str, Any]:
    """{"math_check": the line shown under the answer, "checks": each check as a dict}."""
    found = math_check.check(text)
    line = math_check.summary(found)
    items = [dict(vars(c)) for c in found]
    if answer is not None and answer.values and answer.kind != "model":
        final = final_values(text, len(answer.values))
        if final:
            ok = _agree(final, answer)
            stated = ", ".join(show(v) for v in final)
            items.append(
                {"expression": "final answer", "expected": answer.text, "found": stated, "ok": ok}
            )
            verdict = "final answer agrees" if ok else f"final answer {stated} is not {answer.text}"
            line = f"{line}; {verdict}" if line else verdict
    return {"math_check": line, "checks": items} if line else {}


SIGNED = re.compile(r"(-?)\s*(\d+(?:\.\d+)?)(?:\s*/\s*(\d+))?(\s*\*?\s*pi\b)?")


STATED = re.compile(r"(?<![\w.^])[a-z]\s*=\s*(-?\s*\d+(?:\.\d+)?(?:\s*/\s*\d+)?)(?![\w.])")


def agrees(text: str, answer: Answer) -> bool:
    """The solution ends on the computed answer."""
    final = final_values(text, len(answer.values))
    return bool(final) and _agree(final, answer)


def final_values(text: str, count: int = 1) -> list[Any]:
    """The values a solution ends on: its last \\boxed{}, else the last `count` values it
    gives the unknown, else the last number of its last line that has one."""
    boxed = re.findall(r"\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}", text[:20000])
    if boxed:
        return signed_values(boxed[-1].split("=")[-1])  # \boxed{1/2 × 10 × 6 = 30}: 30
    plain = normalise(text[:20000])
    stated = STATED.findall(plain)
    if stated:
        return [v for s in stated[-count:] for v in signed_values(s)]
    for line in reversed(plain.splitlines()):
        numbers = signed_values(line)
        if numbers:
            return numbers[-1:]
    return []


def signed_values(text: str) -> list[Any]:
    """Numbers with their signs: "-5 and 3", "x = 3/4", "10π" (plain text after normalise)."""
    plain = re.sub(r"[()]", " ", normalise(text))
    found = []
    for sign, number, over, pi in SIGNED.findall(plain[:2000]):
        if over and int(over) == 0:
            continue
        value = sympy.Rational(number) / (int(over) if over else 1)
        found.append((-value if sign else value) * (sympy.pi if pi else 1))
    return found


def _agree(final: list[Any], answer: Answer) -> bool:
    """Every value of the answer is among those stated, and nothing else is."""
    return all(any(same_value(f, v, True) for f in final) for v in answer.values) and all(
        any(same_value(f, v, True) for v in answer.values) for f in final
    )
