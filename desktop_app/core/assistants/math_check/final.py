"""The final answer (\\boxed{…}) against what can be known: the equation's solutions (each boxed
value substituted; for a polynomial of degree ≤ 4, every real root named), or the value of
the question itself when it asks to compute a plain expression ("Compute 3/4 + 1/8."). No Qt.
"""

from __future__ import annotations

import re

import mpmath
import sympy

from desktop_app.core.assistants.math_check.arithmetic import agrees
from desktop_app.core.assistants.math_check.bounded import Budget, as_float, value_of
from desktop_app.core.assistants.math_check.chains import balanced
from desktop_app.core.assistants.math_check.checks import FINAL, Check, show
from desktop_app.core.assistants.math_check.equations import Equation, root_check
from desktop_app.core.assistants.math_check.reading import runs, sentences

COMPUTE = re.compile(
    r"^\s*(?:compute|calculate|evaluate|simplify|work out|what is|find the value of|write)\b",
    re.I,
)
SEPARATOR = re.compile(r",|;|\band\b|\bor\b")


def boxed_values(box: str, names: tuple[str, ...]) -> dict[str, list[tuple[str, sympy.Expr]]]:
    """{"x": [("5", 5), ("3", 3)]} from "5 and 3", "x = 5 or x = 3", "(7, 3)" (in the order
    of the unknowns), "{2, 3}"."""
    box = balanced(box.strip().strip("{}[]"))
    found: dict[str, list[tuple[str, sympy.Expr]]] = {n: [] for n in names}
    for i, part in enumerate(p.strip() for p in SEPARATOR.split(box)):
        named = re.fullmatch(r"([a-z])\s*=\s*(.+)", part)
        name = named.group(1) if named else names[i % len(names)] if len(names) > 1 else names[0]
        text = balanced(named.group(2) if named else part)
        value = value_of(text)
        if name not in found or value is None:
            return {}
        found[name].append((text, value))
    return found


def root_finals(box: str, equations: list[Equation], budget: Budget) -> list[Check]:
    names = tuple(sorted({n for e in equations for n in e.names}))
    values = boxed_values(box, names)
    if not values or budget.spent():
        return []
    if len(names) > 1:
        if any(len(v) != 1 for v in values.values()):
            return []
        return [root_check(equations, {n: v[0][1] for n, v in values.items()}, FINAL, "boxed")]
    found = [root_check(equations, {names[0]: v}, FINAL, "boxed") for _, v in values[names[0]]]
    if not all(c.ok for c in found) or budget.spent():
        return found
    missing = _missing_roots(equations[0], [v for _, v in values[names[0]]])
    if missing:
        roots = ", ".join(show(r).split(" (")[0] for r in missing)
        found.append(Check(f"{equations[0].text()}: all real solutions", roots, box, False, FINAL))
    return found


def _missing_roots(equation: Equation, given: list[sympy.Expr]) -> list[sympy.Expr]:
    """Real roots of a polynomial equation of degree ≤ 4 that the answer did not give. Found
    numerically: the exact radicals of a quartic can take sympy seconds."""
    symbol = sympy.Symbol(equation.names[0])
    try:
        poly = sympy.Poly(sympy.expand(equation.left - equation.right), symbol)
        if poly.degree() > 4 or not all(c.is_Rational for c in poly.all_coeffs()):
            return []
        roots = poly.nroots(n=15, maxsteps=60)
    except (sympy.PolynomialError, mpmath.libmp.NoConvergence, ValueError):
        return []
    real = [sympy.re(r) for r in roots if abs(sympy.im(r)) < 1e-9 * max(1, abs(r))]
    values = [as_float(g) for g in given]
    return [r for r in real if not any(abs(float(r) - v) < 1e-6 * max(1, abs(v)) for v in values)]


def asked_value(question: str) -> tuple[str, sympy.Expr] | None:
    """The expression a question asks to compute, when that is all it asks."""
    if not COMPUTE.search(question):
        return None
    parts = [r for s in sentences(question) for r in runs(s.text) if re.search(r"\d", r)]
    if len(parts) != 1 or not re.search(r"[-+*/^]|sqrt", parts[0][1:]):
        return None
    value = value_of(balanced(parts[0]))
    return (balanced(parts[0]), value) if value is not None else None


def value_final(box: str, asked: tuple[str, sympy.Expr]) -> list[Check]:
    text = balanced(box.strip())
    shown = value_of(text)
    if shown is None:
        return []
    expression, value = asked
    ok = agrees(value, text, shown, "=")
    return [Check(f"{expression} = {text} (boxed)", show(value), text, ok, FINAL)]
