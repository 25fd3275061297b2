"""Re-checks a worked solution: every calculation link by link ("12 × 7 = 84", each "=" of a
chain), the solutions it states substituted into the original equation (from the question when
given), what it calls true, and the boxed final answer where the question allows.

No false alarms matters as much as catching slips: only what reads unambiguously as arithmetic
is checked, formulas with letters for numbers never are, and all of it is bounded (sizes, and a
time budget per answer: untrusted text must not hang the app). No Qt here.
"""

from __future__ import annotations

from desktop_app.core.assistants.math_check import equations as eq
from desktop_app.core.assistants.math_check import final
from desktop_app.core.assistants.math_check.arithmetic import link_checks
from desktop_app.core.assistants.math_check.bounded import Budget
from desktop_app.core.assistants.math_check.chains import Chain, chains
from desktop_app.core.assistants.math_check.checks import KINDS, ROOT, Check
from desktop_app.core.assistants.math_check.reading import Sentence, boxed, sentences

__all__ = ["KINDS", "Check", "check", "summary"]

TIME_BUDGET_S = 1.0  # per answer; what is not checked by then is left unchecked
MAX_CHAINS = 400
MAX_CHECKS = 300


def _read(text: str, budget: Budget) -> tuple[list[Sentence], list[Chain]]:
    read = sentences(text)
    found: list[Chain] = []
    for sentence in read:
        if budget.spent() or len(found) >= MAX_CHAINS:
            break
        found += chains(sentence, budget)
    return read, found


def _root_checks(answer: list[Chain], equations: list[eq.Equation]) -> list[Check]:
    names = tuple(sorted({n for e in equations for n in e.names}))
    stated = eq.claims(answer, names)
    if len(names) > 1:
        last = {name: value for name, value, _ in stated}
        return [eq.root_check(equations, last, ROOT)] if len(last) == len(names) else []
    found, seen = [], set()
    for name, value, shown in stated:
        if value not in seen:
            seen.add(value)
            found.append(eq.root_check(equations, {name: value}, ROOT, rounded=_rounding(shown)))
    return found


def _rounding(shown: str) -> float:
    decimals = shown.split(".")[1] if "." in shown else ""
    return 0.5 * 10.0 ** -len(decimals) if decimals.isdigit() else 0.0


def check(text: str, question: str | None = None, budget_s: float = TIME_BUDGET_S) -> list[Check]:
    """Every check the answer allows, in reading order: calculations, then solutions, then
    the final answer. `question`, when given, supplies the original equation or expression."""
    budget = Budget(budget_s)
    read, answer = _read(text, budget)
    asked = _read(question, budget)[1] if question else []
    found: list[Check] = []
    for chain in answer:
        if len(found) >= MAX_CHECKS or budget.spent():
            break
        found += link_checks(chain) + eq.factorings(chain)
    equations = eq.original(asked, answer)
    if equations:
        found += _root_checks(answer, equations)
        found += eq.truth_claims(read, answer, equations, budget)
    found += eq.bindings(answer, equations)
    found += _final_checks(text, question, equations, budget)
    return found[:MAX_CHECKS]


def _final_checks(
    text: str, question: str | None, equations: list[eq.Equation], budget: Budget
) -> list[Check]:
    boxes = boxed(text)[-1:]  # the last box is the answer
    if not boxes:
        return []
    if equations:
        return final.root_finals(boxes[0], equations, budget)
    asked = final.asked_value(question) if question else None
    return final.value_final(boxes[0], asked) if asked else []


def summary(checks: list[Check]) -> str:
    wrong = [c for c in checks if not c.ok]
    if not checks:
        return ""
    if not wrong:
        return f"{len(checks)} check{'s' if len(checks) > 1 else ''} passed"
    named = "; ".join(f"{c.expression} (it is {c.expected})" for c in wrong[:NAMED])
    more = "; …" if len(wrong) > NAMED else ""  # every check is in the CLI's `check --json`
    return f"{len(wrong)} of {len(checks)} checks failed: {named}{more}"


NAMED = 3  # failed checks named in a summary
