"""Runs of mathematics read as chains: "3/4 + 1/8 = 6/8 + 1/8 = 7/8" is three members joined by
two links, each link a claim of its own. A member cut off by a word ("3 apples + 4 = 7" leaves
"+ 4") is incomplete and takes part in no link. No Qt here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from desktop_app.core.assistants.math_check.bounded import Budget, value_of
from desktop_app.core.assistants.math_check.reading import MATH_RUN, Sentence

SIGNS = re.compile(r"(=|≈|≠)")
# "25 classmates + his 1 teacher + 1 = 27": a sum that words interrupted; its start is lost.
INTERRUPTED = re.compile(r"[-+*/]\s*(?:[A-Za-z'’]+\s*){1,3}$")
PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)")


@dataclass(frozen=True)
class Chain:
    members: tuple[str | None, ...]  # None: incomplete or unreadable
    values: tuple[sympy.Expr | None, ...]
    signs: tuple[str, ...]  # signs[i] joins members[i] and members[i + 1]
    sentence: Sentence

    def numeric(self, i: int) -> bool:
        value = self.values[i]
        return value is not None and bool(value.is_number)

    def symbols(self) -> set[str]:
        return {str(s) for v in self.values if v is not None for s in v.free_symbols}


def balanced(member: str) -> str:
    """A member without the brackets that belong to the prose around it: "(so 3 + 4" → "3 + 4"."""
    member = member.strip()
    while member.startswith(")") or member.endswith("("):
        member = (member[1:] if member.startswith(")") else member[:-1]).strip()
    while member.count("(") > member.count(")") and member.startswith("("):
        member = member[1:].strip()
    while member.count(")") > member.count("(") and member.endswith(")"):
        member = member[:-1].strip()
    return member


def _first_member(member: str, before: str) -> str | None:
    """The first member, unless the run starts inside a term ("bx + c", "3 apples + 4")."""
    glued = before[-1:].isalnum() and not member[:1].isspace()  # "H2O", "step1": a word's
    member = balanced(member)
    if not member or member[0] in "+*/^":
        return None
    after_term = before.rstrip()[-1:].isalnum() or before.rstrip()[-1:] == ")"
    if glued or (member[0] == "-" and after_term) or INTERRUPTED.search(before):
        return None
    return member


def _last_member(member: str) -> str | None:
    member = balanced(member)
    return None if not member or member[-1] in "+-*/^" else member


def _read(text: str, budget: Budget | None) -> tuple[str | None, sympy.Expr | None]:
    if not text:
        return None, None
    return text, value_of(text, names=None, budget=budget)


def chains(sentence: Sentence, budget: Budget | None = None) -> list[Chain]:
    """The chains of one sentence with two or more members, in reading order."""
    found = []
    for match in MATH_RUN.finditer(sentence.text):
        parts = SIGNS.split(match.group(0))
        if len(parts) < 3:
            continue
        raw = parts[0::2]
        members: list[str | None] = [balanced(m) or None for m in raw]
        members[0] = _first_member(raw[0], sentence.text[: match.start()])
        members[-1] = _last_member(raw[-1])
        read = [_read(m, budget) if m else (None, None) for m in members]
        found.append(
            Chain(
                tuple(m for m, _ in read), tuple(v for _, v in read), tuple(parts[1::2]), sentence
            )
        )
    return found


# Letters that follow numbers as units ("36 g - 330 g = -294 g"); never taken as unknowns then.
UNIT_LETTERS = frozenset("gmshl")
PERCENT = r"\(\d*\.?\d+/100\)"  # how reading writes "N%"
PERCENT_SUM = re.compile(rf"{PERCENT}(?:\s*[-+]\s*{PERCENT})+")
# "x - 25% = 19.50": the writer's shorthand for 25% of x, not 0.25.
PERCENT_OF_UNKNOWN = re.compile(rf"[a-z)]\s*[-+]\s*{PERCENT}|{PERCENT}\s*[-+]\s*[a-z]")


def unit_coefficients(chain: Chain, i: int) -> tuple[sympy.Expr, sympy.Expr, str] | None:
    """(-294, -172, "g") for the link "36 g - 330 g = -172 g": both sides a number of one unit."""
    left, right = chain.values[i], chain.values[i + 1]
    if left is None or right is None or left.is_number or right.is_number:
        return None
    symbols = left.free_symbols | right.free_symbols
    letter = str(next(iter(symbols))) if len(symbols) == 1 else ""
    if letter not in UNIT_LETTERS or not re.search(rf"\d\s*{letter}\b", chain.sentence.text):
        return None
    unit = sympy.Symbol(letter)
    a, b = sympy.expand(left / unit), sympy.expand(right / unit)
    return (a, b, letter) if a.is_number and b.is_number else None


def percent_shorthand(left: str, right: str) -> bool:
    """"48 = 100% + 20%" or "x - 25% = 19.50": percentages used as words, not as numbers."""
    pair = (left, right)
    if any(PERCENT_OF_UNKNOWN.search(m) for m in pair):
        return True
    return any(PERCENT_SUM.fullmatch(m.replace(" ", "")) for m in pair) and not all(
        "/100)" in m for m in pair
    )


def is_plain_number(member: str | None) -> bool:
    return member is not None and PLAIN_NUMBER.fullmatch(member.replace(" ", "")) is not None
