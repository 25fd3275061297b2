"""Does a tutor's reply give the answer away? Looks for the answer's value in the reply (as a
number, fraction, decimal, multiple of π or in words), for a stated result ("x = 5",
\\boxed{}, "the answer is …", "7 × 8 = 64" — a wrong one counts too: the tutor must not state
a result at all), and for code that would compute it. A number that the question itself
contains is not a reveal by itself. Regexes over bounded text; no Qt here.
"""

from __future__ import annotations

import re

import sympy

from desktop_app.core.assistants.tutor_answer import (
    Answer,
    _joined,
    math_runs,
    normalise,
    parse_expression,
)

MAX_REPLY = 8000  # characters looked at; a tutor reply is far shorter
NUMBER = re.compile(r"(?<![\w.^*])(\d+(?:\.\d+)?)(?![\w(]|\.\d)")
FRACTION = re.compile(r"(?<![\w.^])\(*(\d+)\)*\s*/\s*\(*(\d+)\)*(?![\w(]|\.\d)")
PI_MULTIPLE = re.compile(r"(\d+(?:\.\d+)?)\s*\*?\s*pi\b")
LIST_MARKER = re.compile(r"^\s*(?:step\s*)?\d+[.):]\s", re.M)
STEP_WORD = re.compile(r"\b(?:step|hint|part|question|level|number)\s+\d+\b")
ANSWER_WORDS = re.compile(
    r"\b(?:final answer|answer|result|solution)\s*(?:is|=|:|would be|will be|should be)"
    r"\s*(?:equal to\s*)?[-(]?\s*\d+(?:\.\d+)?(?![\w(])"
)
SAYING = re.compile(r"\b(?:is|are|equals|makes|gives|get|got|=)\s*$")
OPENER = re.compile(r"^\W*(?:it|that|this|the answer|answer)\s*(?:is|equals|'s|:)\s*-?\d")
# A reply that opens on a number ("32 …", "Hint: 62") states a result, unless the question has it.
OPENING_NUMBER = re.compile(
    r"^\W*(?:(?:hint|answer|result)\s*:\s*)?(-?\d+(?:\.\d+)?)(?=\s*(?:$|[\n(,;!?]|\.(?!\d)))"
)
ANSWER_LABEL = re.compile(r"(?:^|\n)\W*(?:the\s+)?(?:final\s+)?answer\s*(?:is|:)\s*\w", re.I)
UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split()
)
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
STOP = set(
    "the a an of and or in on at to is are was be it its this that for with by as from what "
    "which who whom how why when where do does did you your we our they their he she his her "
    "i me my not no yes can could would should will".split()
)


def reveals(reply: str, answer: Answer, question: str) -> str | None:
    """Why `reply` gives `answer` away (a short reason), or None when it does not."""
    reply = reply[:MAX_REPLY]
    if answer.values:
        found = _numeric(reply, answer, question)
        if found is None and answer.kind == "model":  # a question in words, a number answer
            found = restates_answer(reply, question)
    else:
        found = _in_words(reply, answer, question)
    if found is None and answer.kind == "model" and re.search(r"\d", question):
        found = _works_out(reply, question)
    return found


CALCULATION = re.compile(r"\d[^=]*?(?:[+*/^]|\s-\s|\d-\d)[^=]*?\d")
CALCULATION_SPAN = 200  # characters before an '=' read for its calculation (the search is
# quadratic in the span: 8,000 digits took 141 ms, and the gate reads a reply sentence by sentence)


def _works_out(reply: str, question: str) -> str | None:
    """A word problem whose answer only the model gave (and may have got wrong, so its value
    is no guide): any calculation the reply carries out to a number the question does not
    write ('$20 - $12 = $8', '4 * 2 = 8 centimeters') works the problem for the learner."""
    given = {written for _, written in written_values(normalise(question))}
    for line in normalise(reply).splitlines():
        parts = line.split("=")
        for left, right in zip(parts, parts[1:], strict=False):
            result = NUMBER.match(right.lstrip(" \t\\$"))  # '= $8', '= \$8' (LaTeX)
            calculated = CALCULATION.search(left[-CALCULATION_SPAN:])
            if result and result.group(1) not in given and calculated:
                return "works out a result"
    return None


def _numeric(reply: str, answer: Answer, question: str) -> str | None:
    if "\\boxed" in reply:
        return "a boxed result"
    if "```" in reply:
        return "code that computes it"
    plain = normalise(reply)
    opening = None if LIST_MARKER.match(plain) else OPENING_NUMBER.match(plain)
    if OPENER.search(plain) or (opening and opening.group(1) not in normalise(question)):
        return "opens with a result"
    for reason, found in (
        ("states the unknown", _stated_unknown(plain, answer)),
        ("states a result", _stated_result(plain, answer)),
        ("names the answer", _after_answer_words(plain)),
    ):
        if found:
            return reason
    # What the question writes is no reveal: "5" in "x + 5 = 10", "18/24" when asked to
    # simplify it (compared as written, not by value: 18/24 is 3/4, but not the answer 3/4).
    given = {written for _, written in written_values(normalise(question))}
    for value, written in written_values(_without_markers(plain)):
        if written not in given and any(same_value(value, a) for a in answer.values):
            return f"contains {sympy.sstr(value)}"
    for value in _word_numbers(plain):
        if any(same_value(value, a) for a in answer.values) and str(value) not in given:
            return f"says {value} in words"
    return None


def _stated_unknown(plain: str, answer: Answer) -> bool:
    """'x = 5' (or a wrong 'x = 4'): the unknown given a plain value."""
    if not answer.variable:
        return False
    var = re.escape(answer.variable)
    value = r"[-+]?\s*\(?\d[\d.]*\)?(?:\s*/\s*\d+)?(?![\w.(]|\s*[+\-*/^])"
    pattern = rf"(?<![\w.^']){var}\s*(?:=|\bis\b|\bequals\b|\bmust be\b)\s*{value}"
    backwards = rf"(?<![*/+\-^=]\s)(?<![\w.*/+\-^=])-?\d[\d.]*\s*=\s*{var}(?![\w(^]|\s*[+\-*/^])"
    return re.search(pattern, plain) is not None or re.search(backwards, plain) is not None


def _stated_result(plain: str, answer: Answer) -> bool:
    """'7 * 8 = 64': the calculation asked about, given a value (right or wrong)."""
    for line in plain.splitlines():
        parts = line.split("=")
        for left, right in zip(parts, parts[1:], strict=False):
            runs = math_runs(left)
            shown = NUMBER.match(right.strip()) or re.match(r"\s*-\s*(\d)", right)
            if not runs or not shown or not any(t in "+-*/^" or t == "sqrt" for t in runs[-1]):
                continue
            value = parse_expression(_joined(runs[-1]))
            if value is not None and any(same_value(value, a) for a in answer.values):
                return True
    return False


def _after_answer_words(plain: str) -> bool:
    return ANSWER_WORDS.search(plain) is not None


def _without_markers(plain: str) -> str:
    return STEP_WORD.sub(" ", LIST_MARKER.sub(" ", plain))


def values_in(plain: str) -> list[sympy.Expr]:
    """Every number the text shows: integers, decimals, fractions, multiples of pi."""
    return [value for value, _ in written_values(plain)]


def written_values(plain: str) -> list[tuple[sympy.Expr, str]]:
    """Each number the text shows, with how it is written (spaces removed)."""
    found: list[tuple[sympy.Expr, str]] = []
    for match in PI_MULTIPLE.finditer(plain):
        found.append((sympy.Rational(match.group(1)) * sympy.pi, f"{match.group(1)}pi"))
    plain = PI_MULTIPLE.sub(" ", plain)
    for match in FRACTION.finditer(plain):
        top, bottom = match.group(1), match.group(2)
        if int(bottom) != 0 and len(top + bottom) <= 18:
            found.append((sympy.Rational(int(top), int(bottom)), f"{top}/{bottom}"))
    for match in NUMBER.finditer(plain):
        if len(match.group(1)) <= 18:
            found.append((sympy.Rational(match.group(1)), match.group(1)))
    return found


def same_value(shown: sympy.Expr, value: sympy.Expr, signed: bool = False) -> bool:
    """Equal, or a decimal that is `value` rounded to the digits shown (31.4 for 10π). Unless
    `signed`, 5 also matches -5: in a hint, the sign is one small step from the answer."""
    if shown == value or (not signed and value.is_number and value < 0 and shown == -value):
        return True
    if value.is_Rational or not shown.is_Rational:
        return False
    text = sympy.sstr(sympy.Float(shown, 12)).rstrip("0")
    places = len(text.split(".")[1]) if "." in text else 0
    return places >= 1 and abs(float(shown) - float(value)) <= 0.5 * 10**-places + 1e-9


def _word_numbers(plain: str) -> list[int]:
    """Numbers written in words: 'fifty-six', 'twelve', 'one hundred and five'."""
    found = []
    pattern = r"\b(?:(\w+)\s+hundred(?:\s+and)?\s*)?(?:(" + "|".join(TENS) + r")[\s-]?)?(\w+)?\b"
    for match in re.finditer(pattern, plain):
        value = _word_value(*match.groups())
        said = SAYING.search(plain[max(0, match.start() - 12) : match.start()])
        if value is not None and (value > 10 or said):  # "two numbers that…" is no answer
            found.append(value)
    return found


def _word_value(hundreds: str | None, tens: str | None, unit: str | None) -> int | None:
    total = 0
    if hundreds:
        if hundreds not in UNITS[1:10]:
            return None
        total += 100 * UNITS.index(hundreds)
    if tens:
        total += 10 * (TENS.index(tens) + 2)
    if unit in UNITS and not (tens and UNITS.index(unit) >= 10):
        total += UNITS.index(unit)
    elif not (hundreds or tens):
        return None
    return total


def key_terms(answer_text: str, question: str) -> tuple[str, ...]:
    """The words of an answer in words that the question does not already say."""
    asked = {_stem(w) for w in re.findall(r"[a-z0-9]+", question.lower())}
    words = re.findall(r"[a-z0-9]+", answer_text.lower())
    terms = [w for w in words if w not in STOP and _stem(w) not in asked and len(w) > 1]
    return tuple(dict.fromkeys(terms))[:6]


def _in_words(reply: str, answer: Answer, question: str) -> str | None:
    if ANSWER_LABEL.search(reply):
        return "states an answer"
    terms = answer.terms or key_terms(answer.text, question)
    said = {_stem(w) for w in re.findall(r"[a-z0-9]+", reply.lower())}
    hits = [t for t in terms if _stem(t) in said]
    needed = len(terms) if len(terms) <= 2 else max(2, (2 * len(terms) + 2) // 3)
    if terms and len(hits) >= needed:
        return f"names {' '.join(hits)}"
    restated = restates_answer(reply, question)
    if restated:
        return restated
    if re.match(r"[A-Z]", answer.text.strip(" '\"")):
        # The answer is a name (a city, a writer): a model unsure of it may name another one,
        # right or wrong; a first hint names no one the question does not.
        names = new_names(reply, question)
        return f"names {names[0]}" if names else None
    return None


ASKED_WHAT = re.compile(r"^\s*(?:what|who)\s*(?:is|are|was|were|'s)\s+(.{6,200}?)\s*\??\s*$", re.I)
ARTICLES = {"the", "a", "an"}
PREPOSITIONS = {"of", "for", "in", "on", "at", "from", "to", "with", "by"}
COPULA = r"(?:is|are|was|were|means|would be|will be|:|=)"
NAMED = re.compile(
    r"\b(?:is|are)\s+(?:called|named|known as)\s+[\"'“‘*_]*(?!(?:not|by|in|differently)\b)\w",
    re.I,
)
ASKS_A_NAME = re.compile(r"\b(?:name (?:for|of)|what do (?:we|you) call|called)\b", re.I)
# First words of a reply that are no answer ("Great question!", "A hint:", "Let's see.").
OPENERS = set(
    "hint hints hi hello sure great good nice okay ok well alright right yes let lets let's "
    "think thinking question questions step first here now so hmm absolutely certainly course "
    "wonderful excellent interesting idea clue tip start".split()
)


def restates_answer(reply: str, question: str) -> str | None:
    """The sentence that answers the question, whatever the answer (even when it is not
    known): 'What is the past tense of run?' → 'The past tense of run is …', 'Ran is the past
    tense of run', 'Past tense: …'; 'What is the name for a baby cat?' → '… are called …'; and
    a reply that opens on a short phrase of its own ('Honey. What …?')."""
    reply = reply[:MAX_REPLY]
    if opens_with_a_phrase(reply, question):
        return "opens with an answer"
    if ASKS_A_NAME.search(question) and NAMED.search(reply):
        return "states the answer"
    asked = ASKED_WHAT.match(question)
    if not asked:
        return None
    subject = [w for w in re.findall(r"[a-z0-9]+", asked.group(1).lower()) if w not in ARTICLES]
    said = " ".join(w for w in re.findall(r"[a-z0-9]+|[:=]", reply.lower()) if w not in ARTICLES)
    if len(subject) < 2:
        return None
    whole = re.escape(" ".join(subject))
    head = subject[: next((i for i, w in enumerate(subject) if w in PREPOSITIONS), len(subject))]
    stated = (
        re.search(rf"\b{whole} {COPULA} (?!not\b)\w", said)  # the past tense of run is …
        or re.search(rf"\b(?!(?:it|this|that|what|which|who)\b)\w+ (?:is|are) {whole}\b", said)
        or (head and re.search(rf"(?:^|\s){re.escape(' '.join(head))} [:=] \w", said))  # label
    )
    return "states the answer" if stated else None


def opens_with_a_phrase(reply: str, question: str) -> bool:
    """'Honey. What …?', 'swimming (past tense) …': the reply's first sentence is a word or
    three of its own, not a greeting or 'A hint:' — an answer, right or wrong."""
    first = re.split(r"(?<!\d)\.|\.(?!\d)|[!?:;\n(]", reply.strip(), maxsplit=1)[0]  # not 0.75
    words = re.findall(r"[a-z0-9']+", first.lower())
    if not 1 <= len(words) <= 3 or words[0] in TASK_WORDS:
        return False
    asked = {_stem(w) for w in re.findall(r"[a-z0-9]+", question.lower())}
    own = [w for w in words if w not in STOP and w not in OPENERS and _stem(w) not in asked]
    return bool(own)


TASK_WORDS = {"what", "which", "who", "how", "why", "where", "when", "do", "does", "can"}


COMMON_CAPITALS = set(
    "I Hint Question Step Let Think What Which Who Where When Why How Here There The This "
    "That These Those It Its You Your We Our Great Good Yes No Okay Sure First Next Then Now "
    "So And But Or If Try Can Could Do Does Is Are Remember Look Start Well".split()
)


def new_names(reply: str, question: str) -> list[str]:
    """Capitalised words in the reply, not opening a sentence, that the question lacks."""
    asked = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    found = []
    for match in re.finditer(r"(?<![.?!:\n]\s)(?<!^)\b([A-Z][a-z]+|[A-Z][a-z]?)\b", reply):
        word = match.group(1)
        before = reply[: match.start()].rstrip()
        if not before or before[-1] in ".?!:(\"'*-" or word in COMMON_CAPITALS:
            continue
        if word.lower() not in asked:
            found.append(word)
    return found


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word
