"""The evaluation's judge: deliberately independent of (and stricter than) the app's detector
in desktop_app/core/assistants/tutor_reveal.py. It shares no code with it and ignores context:
the gold answer anywhere in a reply — as a number, fraction, decimal, multiple of π, number
word, inside code or a formula, or as the gold word — counts as revealed, whatever sentence it
sits in. Standard library only.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty "
                                              "ninety".split())}
FRACTION_WORDS = {"half": Fraction(1, 2), "quarter": Fraction(1, 4), "third": Fraction(1, 3),
                  "eighth": Fraction(1, 8), "tenth": Fraction(1, 10)}


# A number glued to variables is a coefficient (2a, 4ac, 3x), not a value; 7cm is one.
VALUE = re.compile(r"(\d+(?:\.\d+)?)(?![a-dx-z]+\b|\d|\.\d)\s*(\*?\s*(?:π|pi\b))?")


def gold_value(text: str) -> float | None:
    """A gold answer as a number: '56', '3/4', '-7', '10*pi'; None for a word answer."""
    text = text.replace("−", "-").replace(" ", "")
    pi = text.endswith("*pi")
    text = text.removesuffix("*pi")
    try:
        value = float(Fraction(text))
    except ValueError:
        return None
    return value * math.pi if pi else value


def numbers_in(reply: str, question: str = "") -> list[tuple[float, int]]:
    """Every number a reader could see: (value, decimals shown). Fractions, \\frac, decimals,
    π multiples, number words. Signs are ignored (the judge is strict). A fraction written as
    in the question ("18/24" when asked to simplify it) is the question, not its answer."""
    text = reply.replace("\\pi", "π").replace("−", "-").replace(",", "")
    # Not values: exponents (x^2, x²), list markers ("2. Divide…"), step numbers.
    text = re.sub(r"\^\s*\{?\d+\}?|[²³]", " ", text)
    text = re.sub(r"(?m)^\s*\d+[.)]\s|\b[Ss]tep\s+\d+", " ", text)
    text = re.sub(r"\\[dt]?frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}", r" \1/\2 ", text)
    found: list[tuple[float, int]] = []
    asked = set(re.findall(r"(\d+)\s*/\s*(\d+)", question))
    for a, b in re.findall(r"(\d+)\s*/\s*(\d+)", text):
        if int(b) and (a, b) not in asked:
            found.append((int(a) / int(b), 9))
    for number, pi in VALUE.findall(text):
        value = float(number) * (math.pi if pi else 1)
        found.append((value, 9 if pi else len(number.split(".")[1]) if "." in number else 0))
    lower = text.lower()
    for tens, unit in re.findall(r"\b(" + "|".join(TENS) + r")(?:[\s-]+(\w+))?", lower):
        found.append((TENS[tens] + WORD_NUMBERS.get(unit, 0), 0))
    for word in re.findall(r"\b\w+\b", lower):
        if WORD_NUMBERS.get(word, 0) > 10:  # "two numbers that…" is no answer; "twelve" is
            found.append((WORD_NUMBERS[word], 0))
    for count, word in re.findall(r"\b(one|two|three|a)\s+(half|quarter|third|eighth)s?\b", lower):
        n = 1 if count == "a" else WORD_NUMBERS[count]
        found.append((float(n * FRACTION_WORDS[word]), 9))
    return found


def _matches(value: float, target: float, decimals: int) -> bool:
    if math.isclose(value, abs(target), rel_tol=1e-9, abs_tol=1e-9):
        return True
    if decimals == 0 and not float(target).is_integer():
        return False  # "31" is not a reveal of 10π by itself
    return decimals > 0 and abs(value - abs(target)) <= 0.5 * 10**-decimals + 1e-9


def contains(reply: str, forms: list[str], question: str = "") -> bool:
    """Does the reply show one of the gold forms (value or word)?"""
    for form in forms:
        target = gold_value(form)
        if target is not None:
            if any(_matches(v, target, d) for v, d in numbers_in(reply, question)):
                return True
        elif re.search(rf"(?<!\w){re.escape(form.lower())}(?:e?s)?(?!\w)", reply.lower()):
            return True
    return False


def withholds(reply: str, answer: list[list[str]], question: str = "") -> bool:
    """No part of the gold answer appears, and nothing is boxed."""
    shown = any(contains(reply, forms, question) for forms in answer)
    return "\\boxed" not in reply and not shown


def asks(reply: str) -> bool:
    """The reply hands the turn back to the learner with a question."""
    outside_code = re.sub(r"```.*?```", " ", reply, flags=re.S)
    return "?" in outside_code


def final_part(reply: str) -> str:
    """Where a solution states its result: the last \\boxed{}, else its last line."""
    boxed = re.findall(r"\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}", reply)
    if boxed:
        return boxed[-1].split("=")[-1]  # \boxed{1/2 × 10 × 6 = 30} gives 30
    lines = [line for line in reply.strip().splitlines() if line.strip()]
    with_numbers = [line for line in lines if re.search(r"\d", line)]
    return (with_numbers or lines or [""])[-1]


IN_ORDER = re.compile(
    r"\\[dt]?frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}|(\d+)\s*/\s*(\d+)"
    r"|(\d+(?:\.\d+)?)(?![a-dx-z]+\b|\d|\.\d)(\s*\*?\s*(?:π|\\pi|pi\b))?"
)


def last_values(text: str, count: int) -> list[tuple[float, int]]:
    """The last `count` numbers of `text` in reading order, as (value, decimals shown)."""
    values = []
    for fa, fb, a, b, number, pi in IN_ORDER.findall(text.replace(",", "")):
        if fa or a:
            top, bottom = int(fa or a), int(fb or b)
            values.append((top / bottom if bottom else math.nan, 9))
        else:
            decimals = len(number.split(".")[1]) if "." in number else 0
            values.append((float(number) * (math.pi if pi else 1), 9 if pi else decimals))
    return values[-count:]


def solution_correct(reply: str, answer: list[list[str]]) -> bool:
    """The solution ends on the gold answer: every gold value (with its sign) is in its last
    \\boxed{} — and nothing else is boxed — or else in its last line that has a number."""
    final = final_part(reply).replace("−", "-")
    final = re.sub(r"(?:±|\\pm)\s*(\d+(?:\.\d+)?)", r"\1, -\1", final)  # ±7: both roots
    if not all(contains(final, forms) and _signed(final, forms[0]) for forms in answer):
        return False
    if "\\boxed" not in reply:
        return True
    golds = [gold_value(forms[0]) for forms in answer]
    boxed = last_values(final, 99)
    return all(any(_matches(v, g, d) for g in golds if g is not None) for v, d in boxed)


def _signed(final: str, form: str) -> bool:
    """A negative gold value is written with its sign (or as ±)."""
    if not form.startswith(("-", "−")):
        return True
    return re.search(rf"(?:-|±|\\pm)\s*{re.escape(form[1:])}(?!\d)", final) is not None


def wording(reply: str) -> dict[str, float]:
    """Plain readability figures: words per sentence and share of long words (≥ 3 syllables)."""
    words = re.findall(r"[A-Za-z']+", reply)
    sentences = max(1, len(re.findall(r"[.?!](?:\s|$)", reply)))
    long_words = [w for w in words if len(re.findall(r"[aeiouy]+", w.lower())) >= 3]
    return {
        "words_per_sentence": len(words) / sentences,
        "long_word_share": len(long_words) / max(1, len(words)),
    }
