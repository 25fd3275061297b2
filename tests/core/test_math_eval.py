"""The math checker's evaluation on material it was not written next to (eval/math/): recorded
answers of a real model with every slip annotated by hand, GSM8K's reference solutions and
published GPT-3 solutions. The held-out figures must stay above floors set a little below what
was measured (eval/math/README.md), so a change that loses recall or adds false alarms fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop_app.core.assistants.math_check.evaluation import (
    default_data_dir,
    evaluate,
    half,
    read_jsonl,
)

DATA = default_data_dir()
# Measured on the held-out half (README); floors a little below.
FLOORS = {
    "annotated_precision": 0.90,  # measured 1.00 (v1: 0.76)
    "annotated_recall": 0.60,  # 0.67 (v1: 0.33)
    "arithmetic_recall": 0.60,  # 0.75 (v1: 0.75)
    "model_answer_precision": 0.90,  # 1.00 (v1: 0.93)
    "published_precision": 0.80,  # 0.86 (v1: 0.91, with 11 flags against v2's 37)
}
# Flags on answers whose final answer is right: on review all are real slips in them (README).
MAX_FLAGGED_RIGHT = {"gsm8k_reference_solutions": 4, "gsm8k_published_gpt3_solutions": 6}


@pytest.fixture(scope="module")
def held_out() -> dict:
    return evaluate(which="held-out")


def _count(fraction: str) -> int:
    return int(fraction.split("/")[0])


def test_hand_annotated_slips_are_caught_without_false_alarms(held_out: dict) -> None:
    notes = held_out["annotated"]
    assert notes["answers"] >= 25
    assert notes["precision"] >= FLOORS["annotated_precision"], notes
    assert notes["recall"] >= FLOORS["annotated_recall"], notes
    assert notes["per_kind"]["arithmetic"]["recall"] >= FLOORS["arithmetic_recall"], notes
    assert _count(notes["false_alarms_on_clean_answers"]) <= 1, notes


def test_a_flag_means_a_wrong_answer_on_public_problems(held_out: dict) -> None:
    sets = held_out["answer_level"]
    assert sets["recorded_model_answers"]["precision"] >= FLOORS["model_answer_precision"], sets
    assert sets["gsm8k_published_gpt3_solutions"]["precision"] >= FLOORS["published_precision"]
    for name, most in MAX_FLAGGED_RIGHT.items():
        assert _count(sets[name]["false_alarms_on_right_answers"]) <= most, sets[name]


def test_every_recorded_answer_is_annotated_and_reproducible() -> None:
    outputs = read_jsonl(DATA / "qwen2.5-coder-0.5b-instruct-q4_k_m.jsonl")
    notes = {n["id"] for n in read_jsonl(DATA / "annotations.jsonl")}
    real = {p["id"] for p in read_jsonl(DATA / "problems.jsonl") if p["set"] == "real"}
    assert real <= notes <= {o["id"] for o in outputs}
    for record in outputs:
        assert record["sampling"]["temperature"] == 0.0 and record["sampling"]["seed"] == 0
        assert len(record["model_sha256"]) == 64 and record["system_prompt"]


def test_the_halves_are_fixed_and_balanced() -> None:
    ids = [p["id"] for p in read_jsonl(DATA / "problems.jsonl")]
    held = [i for i in ids if half(i) == "held-out"]
    assert 0.35 < len(held) / len(ids) < 0.65
    assert half("gsm8k-test-0000") == "held-out" and half("gsm8k-test-0001") == "tune"


def test_a_model_given_by_path_answers_first_then_is_scored(tmp_path: Path, tiny_model) -> None:
    data = tmp_path / "math"
    data.mkdir()
    for name in ("annotations.jsonl", "qwen2.5-coder-0.5b-instruct-q4_k_m.jsonl"):
        shutil.copy(DATA / name, data / name)
    problems = [p for p in read_jsonl(DATA / "problems.jsonl") if p["id"] == "gsm8k-test-0000"]
    problems += [{**problems[0], "id": "alg-00", "question": "Solve x^2 - 5x + 6 = 0."}]
    (data / "problems.jsonl").write_text("".join(json.dumps(p) + "\n" for p in problems))
    for name in ("gsm8k_test.jsonl", "gsm8k_gpt3_solutions.jsonl"):
        (data / name).write_text("")
    result = evaluate(data_dir=data, model_path=tiny_model, which="held-out", max_tokens=8)
    recorded = read_jsonl(data / f"{tiny_model.stem}.jsonl")
    assert [r["id"] for r in recorded] == ["gsm8k-test-0000", "alg-00"]
    assert recorded[0]["sampling"]["temperature"] == 0.0 and recorded[0]["output"]
    assert result["model"] == tiny_model.name
    assert result["answer_level"]["recorded_model_answers"]["answers"] == 2  # both held out
    evaluate(data_dir=data, model_path=tiny_model, max_tokens=8)  # answered: not recorded again
    assert len(read_jsonl(data / f"{tiny_model.stem}.jsonl")) == 2
    elsewhere = tmp_path / "profile"
    elsewhere.mkdir()
    evaluate(data_dir=data, model_path=tiny_model, max_tokens=8, out_dir=elsewhere)
    assert len(read_jsonl(elsewhere / f"{tiny_model.stem}.jsonl")) == 2


def _recorded(item_id: str) -> str:
    rows = read_jsonl(DATA / "qwen2.5-coder-0.5b-instruct-q4_k_m.jsonl")
    return next(r["output"] for r in rows if r["id"] == item_id)


def test_the_real_answer_from_issue_13_is_caught_where_it_is_wrong() -> None:
    """Qwen2.5-Coder-0.5B's own answer to "Solve x² − 5x + 6 = 0" (recorded, greedy)."""
    from desktop_app.core.assistants.math_check import check, summary

    checks = check(_recorded("alg-00"), question="Solve x² − 5x + 6 = 0.")
    wrong = {(c.kind, c.expression) for c in checks if not c.ok}
    assert wrong == {
        ("chain", "x^2 - 5x + 6 = (x - 5)(x - 3)"),
        ("root", "x^2 - 5x + 6 = 0 at x = 5"),
        ("claim", "x^2 - 5x + 6 = 0 at x = 5 (called true)"),
        ("final", "x^2 - 5x + 6 = 0 at x = 5 (boxed)"),
    }
    assert not any("c = " in c.expression or "x - 3 = 0 at" in c.expression for c in checks)
    said = summary(checks)  # the first three failures named, the fourth left to "…"
    assert said.startswith("4 of 10 checks failed: x^2 - 5x + 6 = (x - 5)(x - 3) (it is x^2 - 8x")
    assert said.endswith("; …") and said.count("(it is") == 3
    # Without the question, the answer's own first statement of the equation is used.
    assert {c.kind for c in check(_recorded("alg-00")) if not c.ok} == {
        "chain", "root", "claim", "final"
    }
