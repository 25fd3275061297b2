"""The math checker as it was before v2 (commit 6996090, desktop_app/core/assistants/math_check.py),
kept verbatim for the evaluation's "before" figures. Not used by the app."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)
RUN = re.compile(r"(?:sqrt|[0-9.+\-*/^()\s])+")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Check:
    expression: str
    expected: str  # what the expression really is
    found: str  # what the answer says
    ok: bool


def _latex_to_plain(text: str) -> str:
    for _ in range(3):  # nested fractions
        text = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"((\1)/(\2))", text)
    text = re.sub(r"\\sqrt\s*\{([^{}]*)\}", r"sqrt(\1)", text)
    text = re.sub(r"\^\s*\{([^{}]*)\}", r"^(\1)", text)
    for latex, plain in (
        (r"\times", "*"),
        (r"\cdot", "*"),
        (r"\div", "/"),
        (r"\left", ""),
        (r"\right", ""),
        (r"\,", ""),
        (r"\!", ""),
        (r"\approx", "≈"),
        ("\\(", ""),
        ("\\)", ""),
        ("\\[", ""),
        ("\\]", ""),
        ("$", ""),
    ):
        text = text.replace(latex, plain)
    return text


def normalise(text: str) -> str:
    """Plain arithmetic notation; code is removed so it is never 'checked'."""
    text = re.sub(r"```.*?```", "\n", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = _latex_to_plain(text)
    for symbol, plain in (("×", "*"), ("·", "*"), ("÷", "/"), ("−", "-"), ("–", "-")):
        text = text.replace(symbol, plain)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 → 1000
    text = re.sub(r"(\d)\s+[xX]\s+(?=\(?\d)", r"\1 * ", text)  # 12 x 7
    text = re.sub(r"(\d+(?:\.\d+)?)\s*%\s*of\s+", r"(\1/100)*", text)
    return re.sub(r"(\d+(?:\.\d+)?)\s*%", r"(\1/100)", text)


def _value(expression: str) -> sympy.Expr | None:
    try:
        value = parse_expr(expression.replace("^", "**"), transformations=TRANSFORMS, evaluate=True)
    except (SyntaxError, TypeError, ValueError, ZeroDivisionError, sympy.SympifyError):
        return None
    except Exception:  # sympy raises many kinds on odd input; such text is just not checked
        return None
    return value if getattr(value, "is_number", False) and value.is_finite else None


def _balanced(run: str) -> str:
    run = run.strip()
    while run.startswith(")") or run.endswith("("):
        run = run[1:] if run.startswith(")") else run[:-1]
        run = run.strip()
    while run.count("(") > run.count(")") and run.startswith("("):
        run = run[1:].strip()
    while run.count(")") > run.count("(") and run.endswith(")"):
        run = run[:-1].strip()
    return run


def _left_operand(part: str) -> str | None:
    """The numeric expression that ends `part`, if what precedes it is not part of it."""
    match = re.search(RUN.pattern + r"$", part)
    if not match:
        return None
    before = part[: match.start()].rstrip()
    run = match.group(0)
    if before and (before[-1].isalnum() or before[-1] in ")}_") and not run[:1].isspace():
        return None  # "2x + 3 = …": a variable term we do not evaluate
    run = _balanced(run)
    if not run or run[0] in "+*/^" or (before and before[-1].isalpha() and run[0] == "-"):
        return None
    return run if re.search(r"\d", run) else None


def _right_operand(part: str) -> str | None:
    match = RUN.match(part)
    if not match:
        return None
    run, after = match.group(0), part[match.end() :]
    if after[:1].isalpha() and not run[-1:].isspace():
        return None  # "= 5x"
    run = _balanced(run.rstrip().rstrip("."))  # a full stop ends the sentence, not the number
    return run if run and re.search(r"\d", run) and run[-1] not in "+-*/^" else None


def _agrees(value: sympy.Expr, shown: str, shown_value: sympy.Expr, approx: bool) -> bool:
    if sympy.simplify(value - shown_value) == 0:
        return True
    decimals = re.fullmatch(r"-?\d+\.(\d+)", shown.strip())
    places = len(decimals.group(1)) if decimals else 0
    tolerance = 0.5 * 10**-places + 1e-12
    if abs(float(value) - float(shown_value)) <= tolerance:
        return True  # rounded to the digits shown
    return approx and abs(float(value) - float(shown_value)) <= 0.01 * max(1, abs(float(value)))


def arithmetic_checks(text: str) -> list[Check]:
    checks = []
    for line in normalise(text).splitlines():
        parts = re.split(r"(=|≈)", line)
        for i in range(0, len(parts) - 2, 2):
            left, sign, right = _left_operand(parts[i]), parts[i + 1], _right_operand(parts[i + 2])
            if left is None or right is None or not re.search(r"[+\-*/^(]|sqrt", left[1:]):
                continue
            value, shown = _value(left), _value(right)
            if value is None or shown is None:
                continue
            ok = _agrees(value, right, shown, approx=sign == "≈")
            checks.append(Check(f"{left} {sign} {right}", _show(value), right, ok))
    return checks


def _show(value: sympy.Expr) -> str:
    if value.is_Rational and value.q != 1:
        return f"{value} (≈ {float(value):.6g})"
    return str(value) if value.is_Integer else f"{float(value):.6g}"


# Numbers (with an attached variable: 2x), single-letter variables, operators.
MATH_TOKEN = (
    r"(?:\d+(?:\.\d+)?[a-z]?(?![A-Za-z])|(?<![A-Za-z])[a-z](?![A-Za-z])"
    r"|[+\-*/^()]|[ \t])"
)
SOLUTION = re.compile(
    r"(?<![\w.])([a-z])\s*=\s*(-?\d+(?:\.\d+)?(?:\s*/\s*\d+)?)(?!\w|\.\d|\s*[+\-*/^])"
)


def equation_checks(text: str) -> list[Check]:
    """'x = 5' substituted back into the equations in one variable that the text states."""
    plain = normalise(text)
    boxed = re.findall(r"\\boxed\{([^{}]*)\}", text)
    solutions = {var: val for var, val in SOLUTION.findall(plain)}
    checks = []
    for line in plain.splitlines():
        parts = line.split("=")
        for i in range(len(parts) - 1):
            lhs_run = re.search(f"(?:{MATH_TOKEN})+$", parts[i])
            rhs_run = re.match(f"(?:{MATH_TOKEN})+", parts[i + 1])
            if not lhs_run or not rhs_run:
                continue
            lhs, rhs = _balanced(lhs_run.group(0)), _balanced(rhs_run.group(0))
            if not lhs or not rhs:
                continue
            names = set(re.findall(r"(?<![A-Za-z])[a-z](?![A-Za-z])", lhs + " " + rhs))
            if len(names) != 1 or re.fullmatch(r"[a-z]", lhs):
                continue
            var = names.pop()
            if var not in solutions and not boxed:
                continue
            for value in {solutions.get(var), *boxed} - {None}:
                check = _substitute(lhs, rhs, var, value)
                if check is not None:
                    checks.append(check)
    return checks


def _substitute(lhs: str, rhs: str, var: str, value: str) -> Check | None:
    symbol = sympy.Symbol(var)
    try:
        left = parse_expr(
            lhs.replace("^", "**"), transformations=TRANSFORMS, local_dict={var: symbol}
        )
        right = parse_expr(
            rhs.replace("^", "**"), transformations=TRANSFORMS, local_dict={var: symbol}
        )
        number = parse_expr(value.replace("^", "**"), transformations=TRANSFORMS)
    except Exception:
        return None
    if left.free_symbols - {symbol} or right.free_symbols - {symbol} or not number.is_number:
        return None
    left_value = sympy.simplify(left.subs(symbol, number))
    right_value = sympy.simplify(right.subs(symbol, number))
    if not (left_value.is_number and right_value.is_number):
        return None
    ok = abs(float(left_value - right_value)) < 1e-9
    # expected: what the left side comes to; found: what the text says it equals
    return Check(f"{lhs} = {rhs} at {var} = {value}", _show(left_value), _show(right_value), ok)


def check(text: str) -> list[Check]:
    """Every check the answer allows, in reading order (arithmetic first)."""
    return arithmetic_checks(text) + equation_checks(text)


def summary(checks: list[Check]) -> str:
    wrong = [c for c in checks if not c.ok]
    if not checks:
        return ""
    if not wrong:
        return f"{len(checks)} check{'s' if len(checks) > 1 else ''} passed"
    first = wrong[0]
    return (
        f"{len(wrong)} of {len(checks)} checks failed: {first.expression} (it is {first.expected})"
    )


CRASHES: list[str] = []


def check_with_kinds(text: str, question: str | None = None) -> list:
    """v1 had no question argument and no kinds: its equation checks count as "root"."""
    from desktop_app.core.assistants.math_check import Check as CheckV2

    found = [(c, "arithmetic") for c in arithmetic_checks(text)]
    try:
        found += [(c, "root") for c in equation_checks(text)]
    except AttributeError:  # v1 raised on a boxed pair "(7, 3)" (real answer alg-06)
        CRASHES.append(text)
    return [CheckV2(c.expression, c.expected, c.found, c.ok, kind) for c, kind in found]
