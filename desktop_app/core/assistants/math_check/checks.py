"""What one check found, as the window, the CLI and the evaluation see it. No Qt here."""

from __future__ import annotations

from dataclasses import dataclass

import sympy

# The kinds of slip a check looks for (the evaluation counts precision and recall per kind):
ARITHMETIC = "arithmetic"  # a calculation with a wrong result: 12 × 7 = 82
CHAIN = "chain"  # a later link of a chain: 3/4 + 1/8 = 6/8 + 1/8 = 8/8
ROOT = "root"  # a stated solution that does not solve the equation: x = 5 for x² − 5x + 6 = 0
CLAIM = "claim"  # "this is true" (or ≠) said of something false
FINAL = "final"  # the final answer is not the question's answer (when that can be computed)
KINDS = (ARITHMETIC, CHAIN, ROOT, CLAIM, FINAL)


@dataclass(frozen=True)
class Check:
    expression: str
    expected: str  # what the expression really is
    found: str  # what the answer says
    ok: bool
    kind: str = ARITHMETIC


def show(value: sympy.Expr) -> str:
    """A value as a person writes it: 84, 7/8 (≈ 0.875), 1.41421."""
    if value.is_Integer:
        return str(value)
    if value.is_Rational:
        return f"{value} (≈ {float(value):.6g})"
    try:
        return f"{float(sympy.N(value, 15)):.6g}"
    except (TypeError, ValueError):
        return str(value)
