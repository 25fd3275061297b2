"""Arithmetic checked link by link: every "=" or "≈" between two members that are plain numbers
is a claim, and a claim with a calculation on either side is re-computed. A decimal shown may be
the exact value rounded to the digits shown; an integer must be exact. No Qt here.
"""

from __future__ import annotations

import re

import sympy

from desktop_app.core.assistants.math_check.bounded import as_float, same
from desktop_app.core.assistants.math_check.chains import (
    Chain,
    is_plain_number,
    percent_shorthand,
    unit_coefficients,
)
from desktop_app.core.assistants.math_check.checks import ARITHMETIC, CHAIN, CLAIM, Check, show

PERCENT = re.compile(r"\((\d+(?:\.\d+)?|\.\d+)/100\)")  # how reading writes "N%"


def agrees(value: sympy.Expr, shown: str, shown_value: sympy.Expr, sign: str) -> bool:
    if same(value, shown_value):
        return True
    percent = PERCENT.fullmatch(shown.replace(" ", ""))
    if percent and same(value, sympy.Rational(percent.group(1))):
        return True  # "18 / 450 × 100 = 4%": the × 100 already made it a percentage
    difference = abs(as_float(value) - as_float(shown_value))
    if difference <= 1e-9 * max(1.0, abs(as_float(value))):
        return True  # a calculator's float artefact: 80 / 26.666666666666668 = 3
    if value.has(sympy.pi) and difference <= 0.001 * abs(as_float(value)) + 0.5 * _step(shown):
        return True  # π taken as 3.14 or 22/7, as questions often ask
    if sign == "≈":
        return difference <= max(0.01 * abs(as_float(value)), 0.5 * _step(shown)) + 1e-12
    places = _places(shown)
    # Rounding: a non-terminating or longer decimal shown to fewer places ("1/3 = 0.33").
    rounded = places > 0 and not (value.is_Rational and _places_of(value) <= places)
    return rounded and difference <= 0.5 * 10.0**-places + 1e-12


def _places(shown: str) -> int:
    match = re.fullmatch(r"-?\d*\.(\d+)", shown.replace(" ", ""))
    return len(match.group(1)) if match else 0


def _step(shown: str) -> float:
    return 10.0 ** -_places(shown)


def _places_of(value: sympy.Rational) -> int:
    """Decimal places of a terminating fraction; a large number when it does not terminate."""
    q, places = int(value.q), 0
    while q % 10 == 0 or q % 2 == 0 or q % 5 == 0:
        q = q // 10 if q % 10 == 0 else q // 2 if q % 2 == 0 else q // 5
        places += 1
    return places if q == 1 else 99


def _unit_check(chain: Chain, i: int) -> Check | None:
    units = unit_coefficients(chain, i)
    if units is None or chain.signs[i] != "=":
        return None
    value, shown, letter = units
    right = re.sub(rf"\s*{letter}\b", "", chain.members[i + 1] or "").strip()
    ok = agrees(value, right, shown, "=")
    return Check(f"{chain.members[i]} = {chain.members[i + 1]}", f"{show(value)} {letter}",
                 chain.members[i + 1] or "", ok, ARITHMETIC)  # fmt: skip


def link_checks(chain: Chain) -> list[Check]:
    found = []
    for i, sign in enumerate(chain.signs):
        left, right = chain.members[i], chain.members[i + 1]
        if left is None or right is None or percent_shorthand(left, right):
            continue
        if not (chain.numeric(i) and chain.numeric(i + 1)):
            unit = _unit_check(chain, i)
            found += [unit] if unit else []
            continue
        if is_plain_number(left) and is_plain_number(right):
            continue  # "4 = 7" alone is a label or a list, not a calculation
        value, shown = chain.values[i], chain.values[i + 1]
        if sign == "≠":
            ok = not same(value, shown)
            found.append(Check(f"{left} ≠ {right}", show(value), right, ok, CLAIM))
            continue
        if is_plain_number(left) and not is_plain_number(right):
            value, shown, left, right = shown, value, right, left  # "84 = 12 × 7"
        ok = agrees(value, right, shown, sign)
        derived = i > 0 and chain.numeric(i - 1) and chain.members[i - 1] is not None
        kind = CHAIN if derived else ARITHMETIC
        found.append(Check(f"{left} {sign} {right}", show(value), right, ok, kind))
    return found
