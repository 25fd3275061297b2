"""Equations and what an answer claims about them. The original equation comes from the question
when it is given, else from the first equation in one unknown that the answer states. Stated
solutions ("x = 5 or x = 3", \\boxed{5 and 3}) are substituted into it, and so is a value that
the answer calls true ("This is true"). Formulas with letters for coefficients (ax² + bx + c = 0)
are never an original equation, and values tried and rejected are not claims. No Qt here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from desktop_app.core.assistants.math_check.bounded import Budget, as_float, same
from desktop_app.core.assistants.math_check.chains import (
    Chain,
    percent_shorthand,
    unit_coefficients,
)
from desktop_app.core.assistants.math_check.checks import CHAIN, CLAIM, ROOT, Check, show
from desktop_app.core.assistants.math_check.reading import Sentence

HYPOTHESIS = re.compile(
    r"\b(?:try|trying|test|testing|check|checking|verify|verifying|substitut\w*|plug\w*|put"
    r"|if|when|suppose|assume|let|for|whether|at)\b",
    re.I,
)
NEGATION = re.compile(
    r"\b(?:not|no|never|isn't|doesn't|don't|aren't|false|incorrect|invalid|extraneous|reject\w*"
    r"|discard\w*|wrong)\b|≠",
    re.I,
)
# "… to ensure they satisfy it": a plan to check, not a claim that it holds.
PLAN = re.compile(
    r"\b(?:to|can|will|let's|let us|we'll|should|must)\s+(?:\w+\s+){0,3}"
    r"(?:ensure|check|verify|see|confirm|make sure)\b",
    re.I,
)
TRUTH = re.compile(
    r"\b(?:true|correct|satisf(?:y|ies|ied)|holds|checks out|is (?:a|the) (?:solution|root)"
    r"|are (?:the )?(?:solutions|roots)|valid)\b|✓|✔",
    re.I,
)


@dataclass(frozen=True)
class Equation:
    lhs: str
    rhs: str
    left: sympy.Expr
    right: sympy.Expr
    names: tuple[str, ...]

    def text(self) -> str:
        return f"{self.lhs} = {self.rhs}"

    def at(self, values: dict[str, sympy.Expr]) -> tuple[sympy.Expr, sympy.Expr]:
        subs = {sympy.Symbol(n): v for n, v in values.items()}
        return self.left.subs(subs), self.right.subs(subs)


def _candidates(chains: list[Chain]) -> list[tuple[int, Equation]]:
    found = []
    for at, chain in enumerate(chains):
        for i, sign in enumerate(chain.signs):
            left, right = chain.values[i], chain.values[i + 1]
            lhs, rhs = chain.members[i], chain.members[i + 1]
            if sign != "=" or left is None or right is None or lhs is None or rhs is None:
                continue
            names = {str(s) for s in (left - right).free_symbols}
            assignment = left.is_Symbol and right.is_number or right.is_Symbol and left.is_number
            if not names or assignment or percent_shorthand(lhs, rhs):
                continue  # no unknown, an assignment "x = 5", or "x - 25% = 19.50"
            if unit_coefficients(chain, i) is not None:
                continue  # "36 g - 330 g = -172 g": grams, not an unknown g
            if sympy.expand(left - right) == 0:
                continue  # an identity (a rewriting step), true for every x
            found.append((at, Equation(lhs, rhs, left, right, tuple(sorted(names)))))
    return found


def original(question: list[Chain], answer: list[Chain]) -> list[Equation]:
    """The equation(s) to substitute solutions into: the question's own (one unknown, or a
    system of up to three), else the answer's first equation in one unknown that is not an
    evaluation at a value given before it ("Let n = 4. Then n^2 + 1 = 17")."""
    asked = [e for _, e in _candidates(question)]
    names = {n for e in asked for n in e.names}
    if asked and len(names) <= 3 and len(asked) <= 3:
        return asked if len(names) == 1 or len(asked) >= len(names) else []
    if question and asked:
        return []
    given = [(at, b[0]) for at, c in enumerate(answer) if (b := _binding(c))]
    for at, equation in _candidates(answer):
        if len(equation.names) == 1 and not any(
            n == equation.names[0] and before <= at for before, n in given
        ):
            return [equation]
    return []


def roots_hold(equations: list[Equation], values: dict[str, sympy.Expr], rounded: float) -> bool:
    """Whether the values solve every equation; a rounded value ("x ≈ 1.41") solves it when the
    equation changes sign within the rounding."""
    for equation in equations:
        left, right = equation.at(values)
        if same(left, right):
            continue
        if not rounded or len(values) != 1:
            return False
        (name, value), h = next(iter(values.items())), sympy.Rational(rounded)
        low = [as_float(s) for s in equation.at({name: value - h})]
        high = [as_float(s) for s in equation.at({name: value + h})]
        if (low[0] - low[1]) * (high[0] - high[1]) > 0:
            return False
    return True


def root_check(equations: list[Equation], values: dict[str, sympy.Expr], kind: str, note: str = "",
               rounded: float = 0.0) -> Check:  # fmt: skip
    ok = roots_hold(equations, values, rounded)
    wrong = next((e for e in equations if not roots_hold([e], values, rounded)), equations[0])
    left, right = wrong.at(values)
    at = ", ".join(f"{n} = {written(v)}" for n, v in sorted(values.items()))
    expression = f"{wrong.text()} at {at}" + (f" ({note})" if note else "")
    return Check(expression, show(left), show(right), ok, kind)


def written(value: sympy.Expr) -> str:
    """A value as an answer would write it: 5, 45/2, -1/2 + sqrt(59)/2."""
    return str(value).replace("**", "^")


def stated_value(chain: Chain, names: tuple[str, ...]) -> tuple[str, sympy.Expr, str] | None:
    """("x", 5, "5") for a chain "x = 5" or "x = 10/2 = 5" about an unknown."""
    first = chain.values[0]
    if first is None or not first.is_Symbol or str(first) not in names or chain.signs[0] == "≠":
        return None
    last = max((i for i in range(1, len(chain.values)) if chain.numeric(i)), default=None)
    if last is None or not all(chain.numeric(i) for i in range(1, len(chain.values))):
        return None
    return str(first), chain.values[last], chain.members[last] or ""


def claims(answer: list[Chain], names: tuple[str, ...]) -> list[tuple[str, sympy.Expr, str]]:
    """Values the answer states as solutions, not those it tries, tests or rejects."""
    found = []
    for chain in answer:
        stated = stated_value(chain, names)
        before = chain.sentence.text.split(chain.members[0] or "\0")[0]
        if stated and not HYPOTHESIS.search(before) and not NEGATION.search(chain.sentence.text):
            found.append(stated)
    return found


def truth_claims(
    sentences: list[Sentence], answer: list[Chain], equations: list[Equation], budget: Budget
) -> list[Check]:
    """A value the answer calls a solution ("This is true", "✓") substituted into the equation:
    the value is the last one stated for the unknown in that sentence or the three before."""
    if len(equations) != 1 or len(equations[0].names) != 1:
        return []
    name, found, seen = equations[0].names[0], [], set()
    for sentence in sentences:
        text = sentence.text
        if budget.spent() or not TRUTH.search(text) or NEGATION.search(text) or PLAN.search(text):
            continue
        recent = [c for c in answer if sentence.index - 3 <= c.sentence.index <= sentence.index]
        stated = [s for c in recent if (s := stated_value(c, (name,)))]
        if stated and stated[-1][1] not in seen:
            seen.add(stated[-1][1])
            found.append(root_check(equations, {name: stated[-1][1]}, CLAIM, "called true"))
    return found


def bindings(answer: list[Chain], equations: list[Equation]) -> list[Check]:
    """ "Let n = 4. Then n^2 + 1 = 17": within a value's sentence and the two after it, an
    expression in that unknown said to equal a number is evaluated there. Equations stated
    to be solved ("x - 3 = 0", the original) are not evaluations and are left alone."""
    found, shapes = [], [sympy.expand(e.left - e.right) for e in equations]
    for at, chain in enumerate(answer):
        stated = _binding(chain)
        if not stated:
            continue
        name, value, _ = stated
        for later in answer[at + 1 :]:
            if later.sentence.index > chain.sentence.index + 2:
                break
            found += _evaluations(later, name, value, shapes)
    return found


def _binding(chain: Chain) -> tuple[str, sympy.Expr, str] | None:
    """("n", 4, "4") for "Let n = 4", "substituting x = 5": a value given, not found."""
    first = chain.values[0]
    if first is None or not first.is_Symbol:
        return None
    stated = stated_value(chain, (str(first),))
    before = chain.sentence.text.split(chain.members[0] or "\0")[0]
    return stated if stated and HYPOTHESIS.search(before) else None


def _evaluations(chain: Chain, name: str, value: sympy.Expr, shapes: list) -> list[Check]:
    found = []
    for i, sign in enumerate(chain.signs):
        pair = [(chain.members[j], chain.values[j]) for j in (i, i + 1)]
        (lhs, left), (rhs, right) = pair
        if sign != "=" or lhs is None or rhs is None or left is None or right is None:
            continue
        if left.is_number and not right.is_number:
            (lhs, left), (rhs, right) = (rhs, right), (lhs, left)
        if not right.is_number or right == 0 or left.is_Symbol:
            continue
        if {str(s) for s in left.free_symbols} != {name}:
            continue
        if any(sympy.expand(left - right - k * shape) == 0 for shape in shapes for k in (1, -1)):
            continue
        computed = left.subs(sympy.Symbol(name), value)
        ok = same(computed, right)
        found.append(Check(f"{lhs} = {rhs} at {name} = {written(value)}",
                           show(computed), rhs, ok, ROOT))  # fmt: skip
    return found


def factorings(chain: Chain) -> list[Check]:
    """"x^2 - 5x + 6 = (x - 5)(x - 3)": a polynomial said to equal a product of factors of the
    same degree is a rewriting, not an equation to solve, and must hold for every x."""
    found = []
    for i, sign in enumerate(chain.signs):
        left, right = chain.values[i], chain.values[i + 1]
        if sign != "=" or left is None or right is None or left.is_number or right.is_number:
            continue
        if not (_product(left) or _product(right)) or len(left.free_symbols) != 1:
            continue
        if left.free_symbols != right.free_symbols or not 2 <= _degree(left) == _degree(right):
            continue
        ok = sympy.expand(left - right) == 0
        product, other = (right, left) if _product(right) else (left, right)
        expanded = re.sub(r"(\d)\*", r"\1", str(sympy.expand(product)).replace("**", "^"))
        expression = f"{chain.members[i]} = {chain.members[i + 1]}"
        found.append(Check(expression, expanded, str(other).replace("**", "^"), ok, CHAIN))
    return found


def _product(value: sympy.Expr) -> bool:
    factors = value.args if value.is_Mul else (value,)
    grouped = [f for f in factors if not f.is_number and (f.is_Add or f.is_Pow and f.base.is_Add)]
    return len(grouped) >= 2 or any(f.is_Pow and f.base.is_Add for f in grouped)


def _degree(value: sympy.Expr) -> int:
    try:
        return sympy.Poly(value, *value.free_symbols).total_degree()
    except sympy.PolynomialError:
        return -1
