"""Reading a worked solution as a person would before anything is computed: LaTeX and symbols
to plain notation, code left out, and the text cut into sentences (a full stop before a space
ends a sentence, never a number), list markers dropped, and each sentence into runs of
mathematics that words, commas and "or"/"and" separate. No Qt here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TEXT = 40_000  # characters read from one answer; a longer one is checked in its first part

LATEX = (
    (r"\times", "*"), (r"\cdot", "*"), (r"\div", "/"), (r"\left", ""), (r"\right", ""),
    (r"\approx", "≈"), (r"\neq", "≠"), (r"\ne", "≠"), (r"\implies", ";"), (r"\Rightarrow", ";"),
    (r"\rightarrow", ";"), (r"\to", ";"), (r"\quad", " ; "), (r"\qquad", " ; "), (r"\pm", "±"),
    (r"\pi", "π"),
    (r"\%", "%"), (r"\,", " "), (r"\!", ""), (r"\;", " "), ("\\(", " "), ("\\)", " "),
    ("\\[", "\n"), ("\\]", "\n"), ("$$", "\n"), ("\\$", " "), ("$", " "), ("&", ""),
)  # fmt: skip
SYMBOLS = (
    ("×", "*"), ("·", "*"), ("⋅", "*"), ("∙", "*"), ("÷", "/"), ("−", "-"), ("–", "-"),
    ("—", " ; "), ("°", ""), ("²", "^2"), ("³", "^3"), ("√", "sqrt"), ("⇒", ";"), ("→", ";"),
    ("∴", ";"), ("\u2009", " "), ("\u00a0", " "),
)  # fmt: skip
# Where a sentence or clause ends: ". " and friends, list markers, connecting words.
SENTENCE_END = re.compile(r"[.!?;:]+(?=\s|$)|\n")
LIST_MARKER = re.compile(r"^\s*(?:[-*•+]\s+|\d{1,2}[.)]\s+|\(?[a-z]\)\s+|#+\s*)")
LONG_NUMBER = re.compile(r"\d{40,}")
NUMBER = r"(?:\d+(?:\.\d+)?|\.\d+)"  # .5 is how many write a half
# A word between a number and an operator is its unit: "120 miles + 15 miles = 135 miles".
# Never a connecting word ("x = 2 or -3"), never one letter (3 y + 2: y is a variable).
CONNECTIVES = r"(?:or|and|so|then|is|are|was|to|of|from|by|we|which|that|the|an|but|for|in|at|as"
CONNECTIVES += r"|gives|get|equals|minus|plus|times|over|divided|multiplied|per|into|with)"
UNIT_WORD = rf"[ \t]+(?!{CONNECTIVES}\b)(?>[A-Za-z]{{2,}}(?:/[A-Za-z]+)?)(?![A-Za-z/])"
UNIT = re.compile(rf"(?<![\w.])({NUMBER}){UNIT_WORD}(?=[ \t]*(?:[+*/]|-[ \t]))")
# Before "=", only inside a calculation ("+ 320 miles = 455"), not a label ("1.5 quarts = …").
UNIT_BEFORE_EQUALS = re.compile(rf"([-+*/][ \t]*{NUMBER}){UNIT_WORD}(?=[ \t]*[=≈])")
MATH_RUN = re.compile(
    rf"(?:sqrt|π|{NUMBER}|(?<![A-Za-z])[a-z](?![A-Za-z])|[-+*/^()=≈≠±]|[ \t])+"
)


@dataclass(frozen=True)
class Sentence:
    text: str  # plain notation, as read
    index: int  # its place in the answer, for "what came just before"


def boxed(text: str, last: int = 3) -> list[str]:
    """The contents of the last few \\boxed{…}, braces matched (they nest)."""
    found = []
    for match in list(re.finditer(r"\\boxed\s*\{", text[:MAX_TEXT]))[-last:]:
        depth, start = 1, match.end()
        for pos in range(start, min(len(text), start + 400)):
            depth += {"{": 1, "}": -1}.get(text[pos], 0)
            if depth == 0:
                found.append(plain(text[start:pos]))
                break
    return found


def _latex(text: str) -> str:
    text = re.sub(r"\^\s*\{?\s*\\circ\s*\}?", "", text)  # 180^\circ: degrees
    text = re.sub(r"\\(?:text|mathrm|textbf|mbox|operatorname)\s*\{([^{}]*)\}", r" \1 ", text)
    text = re.sub(r"\\boxed\s*\{", "{", text)
    for _ in range(4):  # nested fractions, inside out
        text = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"((\1)/(\2))", text)
        text = re.sub(r"\\[dt]?frac\s*(\d)\s*(\d)", r"(\1/\2)", text)  # \frac12
        text = re.sub(r"\\sqrt\s*\{([^{}]*)\}", r"sqrt(\1)", text)
        text = re.sub(r"\^\s*\{([^{}]*)\}", r"^(\1)", text)
    text = re.sub(r"\\begin\{[a-z*]*\}|\\end\{[a-z*]*\}", "\n", text)
    text = text.replace("\\\\", "\n")
    for latex, plain_text in LATEX:
        text = text.replace(latex, plain_text)
    return text.replace("{", "(").replace("}", ")")


def plain(text: str) -> str:
    """Plain arithmetic notation: code, LaTeX, symbols, thousands separators, percentages."""
    # A digit run longer than any step a person writes would make the patterns below slow
    # (each start position scans it): such a number is left out.
    text = LONG_NUMBER.sub(" ∎ ", text[:MAX_TEXT])
    text = re.sub(r"```.*?(?:```|$)", "\n", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"<<[^<>\n]*>>", "", text)  # GSM8K's calculator notes: not the writer's text
    text = _latex(text).replace("**", " ")
    text = re.sub(rf"√[ \t]*({NUMBER})", r"sqrt(\1)", text)  # √144
    for symbol, plain_text in SYMBOLS:
        text = text.replace(symbol, plain_text)
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 1,000 → 1000 (but "2, 3" stays)
    text = re.sub(r"(\d)[ \t]*[xX][ \t]*(?=\(?\d)", r"\1 * ", text)  # 12 x 7
    text = UNIT_BEFORE_EQUALS.sub(r"\1", UNIT.sub(r"\1", text))
    text = re.sub(rf"(?<![\d.])({NUMBER})[ \t]*%[ \t]*of\s+", r"(\1/100)*", text)
    return re.sub(rf"(?<![\d.])({NUMBER})[ \t]*%", r"(\1/100)", text)


def sentences(text: str) -> list[Sentence]:
    """The answer cut into sentences, in order, list markers removed."""
    found: list[Sentence] = []
    for line in plain(text).split("\n"):
        for part in SENTENCE_END.split(LIST_MARKER.sub(" ", line)):
            if part.strip():
                found.append(Sentence(part.strip(), len(found)))
    return found


def runs(sentence: str) -> list[str]:
    """The stretches of mathematics in a sentence: words, commas and "or" end a run."""
    return [m.group(0).strip() for m in MATH_RUN.finditer(sentence) if m.group(0).strip()]
