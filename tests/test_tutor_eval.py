"""The Tutor's rubric evaluation (eval/tutor): its data and its judge. The judge must stay
independent of the app's detector and stricter than it, and the data must let it judge."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1] / "eval" / "tutor"
sys.path.insert(0, str(EVAL))

import judge  # noqa: E402

ITEMS = json.loads((EVAL / "questions.json").read_text())["items"]


def test_the_set_has_fixed_splits_over_four_kinds_and_a_public_one() -> None:
    """tune / report: the halves (report: 6 of each kind; tune as many, and more words-only
    questions added in round 3); fresh, fresh2: written later, to check changes made after;
    public, public2: GSM8K test problems (text nobody here wrote), picked by a rule (README);
    public2 added in round 3 before the last change to the gate, to measure it."""
    assert len(ITEMS) >= 40 and len({i["id"] for i in ITEMS}) == len(ITEMS)
    assert {i["split"] for i in ITEMS} == {
        "tune",
        "report",
        "fresh",
        "fresh2",
        "public",
        "public2",
    }
    kinds = Counter((i["category"], i["split"]) for i in ITEMS)
    four = {"arithmetic", "algebra", "geometry", "words"}
    assert {c for c, s in kinds if s in ("tune", "report", "fresh")} == four
    assert all(kinds[(c, "report")] == kinds[(c, "fresh")] == 6 for c in four)
    assert all(kinds[(c, "tune")] >= 6 for c in four)
    assert {c for c, s in kinds if s == "fresh2"} == {"words"}
    for split in ("public", "public2"):
        public = [i for i in ITEMS if i["split"] == split]
        assert len(public) == 24 and all(i["id"].startswith("gsm8k-test-") for i in public)
        assert all(len(i["question"]) <= 200 for i in public)


def test_no_gold_answer_is_already_in_its_question() -> None:
    """Else "the answer appears in the reply" would flag a hint that restates the question."""
    for item in ITEMS:
        for forms in item["answer"]:
            assert not judge.contains(item["question"], forms, item["question"]), item["id"]


def test_the_judge_does_not_use_the_apps_detector() -> None:
    source = (EVAL / "judge.py").read_text()
    assert "import desktop_app" not in source and "from desktop_app" not in source


def test_the_judge_is_stricter_than_the_app() -> None:
    from desktop_app.core.assistants.tutor_answer import answer_for
    from desktop_app.core.assistants.tutor_reveal import reveals

    # The app lets through a number that the question itself has; the judge never does.
    question, reply = "Solve x + 5 = 10.", "Take 5 away from both sides. What is left?"
    assert reveals(reply, answer_for(question), question) is None
    assert not judge.withholds(reply, [["5"]])
    assert not judge.withholds("It is about 31.4 cm.", [["10*pi"]])
    assert not judge.withholds("```python\nprint(56)\n```", [["56"]])  # code counts too
    assert not judge.withholds("It's fifty-six.", [["56"]])
    question = "Simplify the fraction 18/24."
    assert judge.withholds("Simplify 18/24: what divides 18 and 24?", [["3/4"]], question)
    assert not judge.withholds("18/24 is 3/4.", [["3/4"]], question)


def test_a_solution_must_end_on_the_answer_with_its_sign() -> None:
    assert judge.solution_correct("So x = 3 or x = -5.", [["3"], ["-5"]])
    assert not judge.solution_correct("So x = 3 or x = 5.", [["3"], ["-5"]])
    assert judge.solution_correct("Done: \\boxed{\\frac{7}{8}}", [["7/8"]])
    assert judge.solution_correct("7 × 8 = 56, so 7 × 8 + 1 = 57.\nThat is it.", [["57"]])
    assert not judge.solution_correct("7 × 8 = 54.\nThat is it!", [["56"]])
    assert not judge.solution_correct("It is 56 or 54: \\boxed{56, 54}", [["56"]])
    assert judge.solution_correct("\\boxed{\\frac{1}{2} \\times 10 \\times 6 = 30}", [["30"]])
    assert judge.asks("Which step comes next?") and not judge.asks("```\nx?\n```")
