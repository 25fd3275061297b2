"""How well the checker does on material it was not written next to: recorded model answers
with every slip annotated by hand (precision and recall per kind of slip), and answers to a
public problem set with known results (does a flag mean a wrong final answer?). Each set is
split once, by a hash of the item's id, into a tuning half and a held-out half. No Qt here.

`evaluate()` is what `smallwise eval --assistant math` calls; it reads eval/math/ (see its
README) and, given a model path, first records that model's answers to the problems.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.core.assistants.math_check import KINDS, Check, check
from desktop_app.core.assistants.math_check.generation import SAMPLING, read_jsonl
from desktop_app.core.assistants.math_check.reading import boxed, plain
from desktop_app.core.errors import UsageError

Checker = Callable[[str, str | None], list[Check]]
HALVES = ("tune", "held-out")
DEFAULT_OUTPUTS = "qwen2.5-coder-0.5b-instruct-q4_k_m.jsonl"


def half(item_id: str) -> str:
    """The fixed half an item belongs to: never changes, whatever is added to the set."""
    return HALVES[hashlib.sha256(item_id.encode()).digest()[0] % 2]


def unique(records: list[dict]) -> list[dict]:
    """One record per id (the first): a re-run that recorded an answer twice counts once."""
    seen: dict[str, dict] = {}
    for record in records:
        seen.setdefault(record["id"], record)
    return list(seen.values())


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[4] / "eval" / "math"


def numbers(text: str) -> Counter:
    """The numbers a step shows, a fraction also as its value (45/2 is 22.5)."""
    text = plain(text)
    found = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    for a, b in re.findall(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", text):
        found += [float(a) / float(b)] if float(b) else []
    return Counter(str(round(n, 6)) for n in found)


def _matches(slip: dict[str, Any], flag: Check) -> bool:
    want = numbers(slip["step"])
    have = numbers(f"{flag.expression} {flag.found}")
    shared = sum((want & have).values())
    return bool(want) and shared >= min(len(list(want.elements())), 2)


def _pair(slips: list[dict[str, Any]], flags: list[Check]) -> list[tuple[int, int]]:
    """Flags matched one-to-one to annotated slips: same kind first, then any kind."""
    pairs: list[tuple[int, int]] = []
    for same_kind in (True, False):
        for f, flag in enumerate(flags):
            if any(f == used for _, used in pairs):
                continue
            for s, slip in enumerate(slips):
                if any(s == used for used, _ in pairs) or (
                    same_kind and slip["class"] != flag.kind
                ):
                    continue
                if _matches(slip, flag):
                    pairs.append((s, f))
                    break
    return pairs


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def score_annotated(
    problems: dict[str, dict], outputs: list[dict], notes: dict[str, dict], checker: Checker
) -> dict[str, Any]:
    """Precision per kind of flag, recall per class of slip, false alarms on clean answers."""
    tally: Counter = Counter()
    for record in outputs:
        note = notes.get(record["id"])
        if note is None or record["id"] not in problems:
            continue
        problem = problems[record["id"]]
        slips = [s for s in note["slips"] if s["wrong"] and s["class"] in KINDS]
        flags = [c for c in checker(record["output"], problem["question"]) if not c.ok]
        _count(tally, slips, flags, problem.get("kind", "word"))
    return _annotated_figures(tally)


def _count(tally: Counter, slips: list[dict], flags: list[Check], problem_kind: str) -> None:
    pairs = _pair(slips, flags)
    tally.update(("slips", s["class"]) for s in slips)
    tally.update(("caught", slips[s]["class"]) for s, _ in pairs)
    tally.update(("flags", f.kind) for f in flags)
    tally.update(("right", flags[f].kind) for _, f in pairs)
    tally[("problem slips", problem_kind)] += len(slips)
    tally[("problem caught", problem_kind)] += len(pairs)
    tally[("problem slipped", problem_kind)] += bool(slips)
    tally[("problem flagged", problem_kind)] += bool(slips) and bool(flags)
    tally["slipped" if slips else "clean"] += 1
    tally["slipped flagged" if slips else "clean flagged"] += bool(flags)


def _annotated_figures(tally: Counter) -> dict[str, Any]:
    def total(name: str) -> int:
        return sum(n for key, n in tally.items() if isinstance(key, tuple) and key[0] == name)

    per_kind = {
        kind: {
            "slips": tally[("slips", kind)],
            "caught": tally[("caught", kind)],
            "recall": _ratio(tally[("caught", kind)], tally[("slips", kind)]),
            "flags": tally[("flags", kind)],
            "right_flags": tally[("right", kind)],
            "precision": _ratio(tally[("right", kind)], tally[("flags", kind)]),
        }
        for kind in KINDS
    }
    problem_kinds = sorted({k[1] for k in tally if k[0] == "problem slips"})
    return {
        "answers": tally["clean"] + tally["slipped"],
        "per_kind": per_kind,
        "precision": _ratio(total("right"), total("flags")),
        "recall": _ratio(total("caught"), total("slips")),
        "answers_with_slips_flagged": f"{tally['slipped flagged']}/{tally['slipped']}",
        "by_problem_kind": {
            kind: {
                "slips caught": (
                    f"{tally[('problem caught', kind)]}/{tally[('problem slips', kind)]}"
                ),
                "answers with slips flagged": (
                    f"{tally[('problem flagged', kind)]}/{tally[('problem slipped', kind)]}"
                ),
            }
            for kind in problem_kinds
        },
        "false_alarms_on_clean_answers": f"{tally['clean flagged']}/{tally['clean']}",
    }


def final_answer(text: str) -> str | None:
    """The answer's final value as written: the last box, else the last number."""
    boxes = boxed(text)
    if boxes:
        return boxes[-1]
    found = re.findall(r"-?\d+(?:\.\d+)?", plain(text.split("####")[-1]))
    return found[-1] if found else None


def right_answer(given: str | None, known: str) -> bool:
    """Whether the final answer is the known one: the same number, or for several values
    ("2, 3", "x=7, y=3") the same numbers in any order and notation."""
    from desktop_app.core.assistants.math_check.bounded import as_float, value_of

    if given is None:
        return False
    if re.search(r"[,=]", known):
        return sorted(_values(given)) == sorted(_values(known))
    value, want = value_of(_clean(given).split("=")[-1].strip()), value_of(known)
    if value is None:  # "450 yen", "$18.00 per day": the one number in it
        numbers = re.findall(r"-?\d+(?:\.\d+)?", plain(given))
        value = value_of(numbers[0]) if len(numbers) == 1 else None
    if value is None or want is None:
        return _clean(given).replace(" ", "") == known.replace(" ", "")
    return abs(as_float(value) - as_float(want)) < 1e-6 * max(1.0, abs(as_float(want)))


def _clean(given: str) -> str:
    return re.sub(r"[^\d.\-+*/()x=,a-z ]", "", given.replace("$", "")).strip()


def _values(text: str) -> list[float]:
    from desktop_app.core.assistants.math_check.bounded import as_float, value_of

    found = []
    for part in re.split(r",|;|\band\b|\bor\b", plain(text)):
        value = value_of(part.split("=")[-1].strip().strip("{}[]()").strip())
        if value is not None:
            found.append(round(as_float(value), 9))
    return found


def score_answers(labelled: list[tuple[str, str | None, bool]], checker: Checker) -> dict:
    """Answer level: (answer, question, final answer right?) → does a flag mean it is wrong?"""
    counts: Counter[tuple[bool, bool]] = Counter()
    for text, question, right in labelled:
        flagged = any(not c.ok for c in checker(text, question))
        counts[(right, flagged)] += 1
    wrong = counts[(False, True)] + counts[(False, False)]
    flags = counts[(False, True)] + counts[(True, True)]
    rights = counts[(True, True)] + counts[(True, False)]
    return {
        "answers": len(labelled),
        "wrong_answers": wrong,
        "flagged": flags,
        "precision": _ratio(counts[(False, True)], flags),
        "recall": _ratio(counts[(False, True)], wrong),
        "false_alarms_on_right_answers": f"{counts[(True, True)]}/{rights}",
    }


def _gsm8k_answer(solution: str) -> str:
    return solution.split("####")[-1].split("A:")[-1].strip().replace(",", "")


def answer_sets(data: Path, outputs: list[dict], problems: dict[str, dict], which: str) -> dict:
    """The answer-level sets of one half, as (answer, question, right?) triples."""
    model = [
        (r["output"], problems[r["id"]]["question"],
         right_answer(final_answer(r["output"]), problems[r["id"]]["answer"]))
        for r in outputs if half(r["id"]) == which
    ]  # fmt: skip
    reference, published = [], []
    for i, row in enumerate(read_jsonl(data / "gsm8k_test.jsonl")):
        if half(f"gsm8k-test-{i:04d}") == which:
            reference.append((row["answer"].split("####")[0], row["question"], True))
    for i, row in enumerate(read_jsonl(data / "gsm8k_gpt3_solutions.jsonl")):
        if half(f"gsm8k-test-{i:04d}") == which:
            for key in ("6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification"):
                solution = row[key]["solution"].split("\nA:")[0]
                published.append((solution, row["question"], bool(row[key]["is_correct"])))
    return {
        "recorded_model_answers": model,
        "gsm8k_reference_solutions": reference,
        "gsm8k_published_gpt3_solutions": published,
    }


def evaluate(
    data_dir: Path | None = None,
    model_path: str | Path | None = None,
    which: str = "held-out",
    checker: Checker | None = None,
    progress: Callable[[str], None] = lambda line: None,
    max_tokens: int = SAMPLING.max_tokens,
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """The math checker's figures on one half of every set (JSON-ready).

    With `model_path`, that model first answers the problems it has not answered yet (through
    the app's engine; slow on a CPU: ~10-40 s per problem), recorded in `out_dir` (default: the
    data folder; the app should pass a folder inside its own data folder), and its answers are
    scored at the answer level; the hand-annotated figures are always on the recorded answers."""
    data = data_dir or default_data_dir()
    if not (data / "problems.jsonl").is_file():
        raise UsageError(f"No evaluation data in {data}: run from a Smallwise source checkout.")
    if which not in HALVES:
        raise UsageError(f"Unknown half {which!r}: use one of {', '.join(HALVES)}.")
    run: Checker = checker or (lambda text, question: check(text, question=question))
    problems = {p["id"]: p for p in read_jsonl(data / "problems.jsonl")}
    recorded = unique(read_jsonl(data / DEFAULT_OUTPUTS))
    outputs = recorded
    if model_path is not None:
        from desktop_app.core.assistants.math_check.generation import file_sha256, generate

        out = (out_dir or data) / f"{Path(model_path).stem}.jsonl"
        sampling = dataclasses.replace(SAMPLING, max_tokens=max_tokens)
        generate(model_path, problems.values(), out, progress=progress, sampling=sampling)
        sha = file_sha256(Path(model_path))
        outputs = unique([r for r in read_jsonl(out) if r["model_sha256"] == sha])
    notes = {n["id"]: n for n in read_jsonl(data / "annotations.jsonl")}
    annotated = [r for r in recorded if half(r["id"]) == which and r["id"] in notes]
    sets = answer_sets(data, outputs, problems, which)
    return {
        "half": which,
        "model": outputs[0]["model"] if outputs else None,
        "annotated": score_annotated(problems, annotated, notes, run),
        "answer_level": {name: score_answers(rows, run) for name, rows in sets.items()},
    }
