"""Arithmetic on untrusted text, bounded: a small parser of our own (sympy's parse_expr runs
eval() and has no size limits) that builds exact sympy numbers, refuses what would be huge
(9^9^9, 50-digit literals, factorials) and stops at a deadline. It never raises on odd input:
what it cannot read safely is None, and None is never checked. No Qt here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Set as AbstractSet
from typing import Any

import sympy

MAX_CHARS = 160  # one expression; longer runs are prose or data, not a step
MAX_DIGITS = 24  # a literal; a step written by hand has no 25-digit number
MAX_RESULT_DIGITS = 60  # any intermediate integer part
MAX_EXPONENT = 64
MAX_TOKENS = 80

TOKEN = re.compile(r"\s*(sqrt|π|\d+(?:\.\d+)?|\.\d+|[a-z]|[-+*/^()])")


class Budget:
    """A deadline shared by every evaluation of one answer."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def spent(self) -> bool:
        return time.monotonic() > self.end


class _Refused(Exception):
    pass


def tokens(text: str) -> list[str] | None:
    found: list[str] = []
    pos = 0
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match:
            return None if text[pos:].strip() else found
        found.append(match.group(1))
        pos = match.end()
    return found


class _Parser:
    def __init__(self, toks: list[str], names: set[str] | None):
        self.toks, self.i, self.names = toks, 0, names

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise _Refused
        self.i += 1
        return tok

    def expression(self) -> sympy.Expr:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
            _guard(value)
        return value

    def term(self) -> sympy.Expr:
        value = self.unary()
        while True:
            tok = self.peek()
            if tok in ("*", "/"):
                self.take()
                right = self.unary()
                if tok == "/" and right == 0:
                    raise _Refused
                value = value * right if tok == "*" else value / right
            elif tok is not None and (tok in ("(", "sqrt", "π") or tok.isalpha()):
                value = value * self.power()  # implicit: 2x, 3(4 + 1), 2sqrt(2)
            else:
                return value
            _guard(value)

    def unary(self) -> sympy.Expr:
        if self.peek() in ("-", "+"):
            return -self.unary() if self.take() == "-" else self.unary()
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.primary()
        if self.peek() != "^":
            return base
        self.take()
        exponent = self.unary() if self.peek() in ("-", "+") else self.power()
        return _pow(base, exponent)

    def primary(self) -> sympy.Expr:
        tok = self.take()
        if tok == "(":
            value = self.expression()
            self.take(")")
            return value
        if tok == "sqrt":
            self.take("(")
            value = self.expression()
            self.take(")")
            if value.is_number and value < 0:
                raise _Refused
            return _guard(sympy.sqrt(value))
        if tok[0].isdigit() or tok[0] == ".":
            if len(tok) > MAX_DIGITS:
                raise _Refused
            number = sympy.Rational(tok)
            following = self.peek()
            if following is not None and following[0] in "0123456789.":
                raise _Refused  # "2 1/2": two numbers side by side are not a product
            return number
        if tok == "π":
            return sympy.pi
        if tok.isalpha() and (self.names is None or tok in self.names):
            return sympy.Symbol(tok)
        raise _Refused


def _guard(value: sympy.Expr) -> sympy.Expr:
    if value.is_Rational and max(len(str(abs(value.p))), len(str(value.q))) > MAX_RESULT_DIGITS:
        raise _Refused
    if value.has(sympy.zoo, sympy.nan, sympy.oo, sympy.I):
        raise _Refused
    if not value.is_number and any(abs(p.exp) > MAX_EXPONENT for p in value.atoms(sympy.Pow)):
        raise _Refused  # (x^64)^64: substituting a value later would be huge
    return value


def _pow(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    if not exponent.is_Rational or abs(exponent) > MAX_EXPONENT:
        raise _Refused  # 9^9^9 is refused here: the inner 9^9 is already too big an exponent
    if base.is_Rational:
        size = max(len(str(abs(base.p))), len(str(base.q)))
        if size * abs(exponent) > MAX_RESULT_DIGITS * 2:
            raise _Refused
    if base == 0 and exponent <= 0:
        raise _Refused
    if not base.is_number and not exponent.is_Integer:
        raise _Refused
    return _guard(base**exponent)


def value_of(
    text: str, names: AbstractSet[str] | None = frozenset(), budget: Budget | None = None
) -> Any:
    """The exact value of `text` (a sympy expression), or None when it is not plain arithmetic
    in the allowed variable names (None: any single letter), too big, or out of time."""
    if len(text) > MAX_CHARS or (budget is not None and budget.spent()):
        return None
    toks = tokens(text)
    if not toks or len(toks) > MAX_TOKENS:
        return None
    parser = _Parser(toks, None if names is None else set(names))
    try:
        value = parser.expression()
    except (_Refused, ZeroDivisionError, TypeError, ValueError, RecursionError, OverflowError):
        return None
    return value if parser.peek() is None else None


def same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Exact equality for numbers (sqrt(2)^2 == 2), without sympy's unbounded simplify()."""
    difference = a - b
    if difference.is_Rational:
        return difference == 0
    try:
        return abs(complex(sympy.N(difference, 30))) < 1e-20 * max(1.0, abs(float(sympy.N(a))))
    except (TypeError, ValueError):
        return False


def as_float(value: sympy.Expr) -> float:
    return float(sympy.N(value, 20))
