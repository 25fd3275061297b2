"""The answer a tutor must not give away, computed from the learner's question where it is
arithmetic, an equation in one unknown, or a plain geometry formula.

The question is untrusted text: it is never eval'ed. A math run is cut out of it, read with
Python's `ast` and rebuilt as sympy by hand from a few node kinds, with sizes bounded (length,
digits, exponents, polynomial degree), so no input can make sympy work for long. A wrong
answer is worse than none (the tutor would steer towards it): when in doubt, return None and
let the caller ask the model. No Qt here.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from desktop_app.core.assistants import tutor_geometry

MAX_RUN = 120  # characters of one expression
MAX_DIGITS = 15
MAX_EXPONENT = 12
MAX_NODES = 60
MAX_DEGREE = 2  # closed-form roots stay small and fast
# Words around a calculation that do not change what is asked.
FRAMING = set(
    "what is are the of value calculate compute evaluate simplify fraction find work out solve "
    "for please how much does do you get answer result expression can me help i tell give "
    "equal equals to this number exact exactly a an and if then makes true which whats what's "
    "show that determine let figure in its lowest terms form give me".split()
)


@dataclass(frozen=True)
class Answer:
    """What the learner should find. values: numbers (sympy); text: how it reads; kind:
    arithmetic | fraction | percent | equation | geometry | model (the model's own answer,
    asked in a hidden pass)."""

    values: tuple[sympy.Expr, ...]
    text: str
    kind: str
    variable: str = ""
    terms: tuple[str, ...] = field(default=())  # key words of an answer in words

    def to_json(self) -> dict[str, Any]:
        return {
            "values": [sympy.sstr(v) for v in self.values],
            "text": self.text,
            "kind": self.kind,
            "variable": self.variable,
            "terms": list(self.terms),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer | None:
        values = [parse_expression(str(v)) for v in data.get("values", [])[:8]]  # sympy's sstr
        if any(v is None for v in values):
            return None
        return cls(
            tuple(values),
            str(data.get("text", ""))[:200],
            str(data.get("kind", "model")),
            str(data.get("variable", ""))[:1],
            tuple(str(t)[:40] for t in data.get("terms", [])[:8]),
        )


# -- reading math out of text ------------------------------------------------------------------
WORD_OPS = (
    (r"\bmultiplied by\b|\btimes\b", " * "),
    (r"\bdivided by\b", " / "),
    (r"\bplus\b|\badded to\b", " + "),
    (r"\bminus\b", " - "),
    (r"\bto the power of\b|\braised to(?: the power of)?\b", " ^ "),
    (r"\bsquared\b", " ^ 2 "),
    (r"\bcubed\b", " ^ 3 "),
)
SYMBOLS = (
    ("×", "*"), ("·", "*"), ("∗", "*"), ("÷", "/"), ("−", "-"), ("–", "-"), ("²", "^2"),
    ("³", "^3"), ("√", "sqrt"), ("π", " pi "), ("\\times", "*"), ("\\cdot", "*"),
    ("\\div", "/"), ("\\pi", " pi "), ("\\left", ""), ("\\right", ""), ("$", " "),
    ("\\(", " "), ("\\)", " "), ("\\[", " "), ("\\]", " "),
)  # fmt: skip


def normalise(text: str) -> str:
    """Lower case, plain operators, word operators as symbols, thousands separators gone."""
    text = text[:2000]
    for symbol, plain in SYMBOLS:
        text = text.replace(symbol, plain)
    for _ in range(2):
        text = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"((\1)/(\2))", text)
    text = re.sub(r"\\sqrt\s*\{([^{}]*)\}", r"sqrt(\1)", text)
    text = text.lower()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    for pattern, symbol in WORD_OPS:
        text = re.sub(pattern, symbol, text)
    text = re.sub(r"\bthe square root of\s+(\d+(?:\.\d+)?)", r"sqrt(\1)", text)
    text = re.sub(r"\bsquare root of\s+(\d+(?:\.\d+)?)", r"sqrt(\1)", text)
    # From a number's first digit only: tried from each digit, a long run of them is quadratic
    # (2,000 digits took 130 ms, and the Tutor's gate reads a reply sentence by sentence).
    text = re.sub(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent)\s*of\s+", r"(\1/100)*", text)
    text = re.sub(r"(\d)\s+x\s+(?=\d)", r"\1 * ", text)  # 12 x 7
    return text


TOKEN = re.compile(r"\d+(?:\.\d+)?|sqrt|pi|[a-z]+|[+\-*/^()=]|\S")


def _mathy(token: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?|[a-z]|sqrt|pi|[+\-*/^()=]", token))


def math_runs(text: str) -> list[list[str]]:
    """Maximal runs of math tokens (numbers, operators, single letters) in normalised text."""
    runs, current = [], []
    for token in TOKEN.findall(text):
        if _mathy(token):
            current.append(token)
        else:
            runs.append(current)
            current = []
    runs.append(current)
    return [_trim(run) for run in runs if run]


def _trim(run: list[str]) -> list[str]:
    while run and run[-1] in "+-*/^=(":
        run = run[:-1]
    while run and run[0] in "+*/^=)":
        run = run[1:]
    while run and run.count("(") > run.count(")") and run[0] == "(":
        run = run[1:]
    while run and run.count(")") > run.count("(") and run[-1] == ")":
        run = run[:-1]
    return run


def _joined(run: list[str]) -> str:
    """Tokens as Python source, with the implicit products written out (3x, 2(x+1), x(x-1))."""
    out: list[str] = []
    for token in run:
        if out:
            prev = out[-1]
            left = re.fullmatch(r"[\d.]+|[a-z]|pi|\)", prev)
            right = re.fullmatch(r"[\d.]+|[a-z]|pi|sqrt|\(", token)
            if left and right:
                out.append("*")
        out.append(token)
    return " ".join(out).replace("^", "**")


# -- bounded sympy from a parsed expression --------------------------------------------------------
class _TooBig(Exception):
    pass


def parse_expression(source: str, variable: str = "") -> sympy.Expr | None:
    """`source` (Python syntax, `^` allowed) as sympy, or None if it is not small plain math."""
    if len(source) > MAX_RUN or not re.fullmatch(r"[0-9a-z+\-*/^().\s]*", source):
        return None
    try:
        tree = ast.parse(source.replace("^", "**"), mode="eval")
        return _build(tree.body, variable, [0])
    except (SyntaxError, ValueError, ZeroDivisionError, RecursionError, MemoryError, _TooBig):
        return None


def _build(node: ast.AST, variable: str, count: list[int]) -> sympy.Expr:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _TooBig
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        digits = re.sub(r"\D", "", repr(node.value))
        if len(digits) > MAX_DIGITS or isinstance(node.value, bool):
            raise _TooBig
        return sympy.Rational(str(node.value))
    if isinstance(node, ast.Name):
        if node.id == "pi":
            return sympy.pi
        if len(node.id) == 1 and node.id == (variable or node.id):
            return sympy.Symbol(node.id)
        raise _TooBig
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _build(node.operand, variable, count)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sqrt":
        if len(node.args) != 1 or node.keywords:
            raise _TooBig
        return sympy.sqrt(_build(node.args[0], variable, count))
    if isinstance(node, ast.BinOp):
        return _binary(node, variable, count)
    raise _TooBig


def _binary(node: ast.BinOp, variable: str, count: list[int]) -> sympy.Expr:
    left, right = _build(node.left, variable, count), _build(node.right, variable, count)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if isinstance(node.op, ast.Div):
        if right == 0:
            raise ZeroDivisionError
        return left / right
    if isinstance(node.op, ast.Pow):
        if not (right.is_Rational and abs(right) <= MAX_EXPONENT):
            raise _TooBig
        if left.is_number and left == 0 and right < 0:
            raise ZeroDivisionError
        return left**right
    raise _TooBig


# -- the answer to a question ---------------------------------------------------------------------
def answer_for(question: str) -> Answer | None:
    """The answer the learner should reach, when the question is plain math; else None."""
    text = normalise(question)
    runs = [run for run in math_runs(text) if any(t in "+-*/^=" or t == "sqrt" for t in run)]
    equations = [run for run in runs if run.count("=") == 1]
    if equations:
        return _solve(max(equations, key=len))
    if len(runs) == 1 and _only_framing(text, runs[0]):
        return _evaluate(runs[0], text)
    found = tutor_geometry.value_for(text)
    return Answer((found[0],), show(found[0]), found[1]) if found else None


def _only_framing(text: str, run: list[str]) -> bool:
    """The question is the calculation: at most one word besides the framing words."""
    words = re.findall(r"[a-z]{2,}", text)
    used = {t for t in run if t.isalpha()}
    return len([w for w in words if w not in FRAMING and w not in used]) <= 1


def _evaluate(run: list[str], text: str) -> Answer | None:
    value = parse_expression(_joined(run))
    if value is None or not value.is_number or not value.is_finite or value.is_real is False:
        return None
    value = sympy.nsimplify(value) if value.is_Float else value
    kind = "percent" if "/100)*" in "".join(run) else "arithmetic"
    if "/" in run and value.is_Rational and not value.is_Integer:
        kind = "fraction"
    return Answer((value,), show(value), kind)


def _solve(run: list[str]) -> Answer | None:
    at = run.index("=")
    names = {t for t in run if re.fullmatch(r"[a-z]", t)}
    if len(names) != 1:
        return None
    var = names.pop()
    lhs = parse_expression(_joined(run[:at]), var)
    rhs = parse_expression(_joined(run[at + 1 :]), var)
    if lhs is None or rhs is None:
        return None
    symbol = sympy.Symbol(var)
    numerator = sympy.numer(sympy.together(lhs - rhs))
    try:
        poly = sympy.Poly(sympy.expand(numerator), symbol)
    except sympy.PolynomialError:
        return None
    if not 1 <= poly.degree() <= MAX_DEGREE or not all(c.is_Rational for c in poly.coeffs()):
        return None
    roots = [r for r in sympy.roots(poly) if r.is_real]
    denominator = sympy.denom(sympy.together(lhs - rhs))
    roots = [r for r in roots if sympy.simplify(denominator.subs(symbol, r)) != 0]
    if not roots:
        return None
    roots = sorted(roots, key=lambda r: float(r))
    shown = " or ".join(f"{var} = {show(r)}" for r in roots)
    return Answer(tuple(roots), shown, "equation", var)


def show(value: sympy.Expr) -> str:
    """How a value is written for people: 56, 3/4, 10π (about 31.42)."""
    if value.is_Integer or value.is_Rational:
        return str(value)
    plain = sympy.sstr(value).replace("*pi", "π").replace("pi", "π").replace("sqrt", "√")
    return f"{plain} (about {float(value):.4g})"
