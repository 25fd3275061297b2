"""The arithmetic checker on worked solutions: correct ones must raise no alarm, injected slips
must be caught. Precision and recall over the set are printed (pytest -s) and asserted."""

from __future__ import annotations

import pytest

from desktop_app.core.assistants.math_check import check, summary

CORRECT = [
    "12 × 7 = 84, so the box holds 84 eggs.",
    "First add: 3/4 + 1/8 = 6/8 + 1/8 = 7/8.",
    r"$\frac{2}{3} \times \frac{9}{4} = \frac{18}{12} = \frac{3}{2}$",
    "20% of 50 = 10, so the discount is 10 dollars.",
    "The area is 2.5 * 4 = 10 square metres.",
    "2^10 = 1024 and 10^3 = 1000, so 2^10 is larger.",
    "Speed = 150 / 4 = 37.5 km/h",
    "Divide: 22 / 7 ≈ 3.14",
    "1/3 = 0.33 to two decimal places.",
    r"$\sqrt{144} = 12$ so each side is 12 cm.",
    "Solve 2x + 3 = 13. Subtract 3: 2x = 10. Divide by 2: x = 5.",
    r"From 3y - 4 = 11 we get 3y = 15, so \boxed{5}.",
    "Total: 1,250 + 750 = 2,000 people.",
    "The change is 5 - 7 = -2 degrees.",
    "Compute 2(3 + 4) = 14 first, then 14 / 2 = 7.",
    "In Python: `x = 5 * 3` then print(x) shows 15.\n```\ny = 10 / 4 = 2\n```",
    "Let n = 4. Then n^2 + 1 = 17.",
    "0.1 + 0.2 = 0.3",
    "1/3 = 0.3 to one decimal place.",  # honest rounding is no slip
    r"$1.5 \cdot 4 = 6$ and $6 \div 3 = 2$",
    "50% = 0.5 = 1/2",
]

SLIPS = [
    "12 × 7 = 82, so the box holds 82 eggs.",
    "First add: 3/4 + 1/8 = 4/12.",
    r"$\frac{2}{3} \times \frac{9}{4} = \frac{18}{7}$",
    "20% of 50 = 15, so the discount is 15 dollars.",
    "The area is 2.5 * 4 = 12 square metres.",
    "2^10 = 1000, a thousand.",
    "Speed = 150 / 4 = 35.5 km/h",
    "1/3 = 0.4 to one decimal place.",
    "1/3 = 0.35 roughly.",
    r"$\sqrt{144} = 14$ so each side is 14 cm.",
    "Solve 2x + 3 = 13. Subtract 3: 2x = 10. Divide by 2: x = 6.",
    r"From 3y - 4 = 11 we get \boxed{6}.",
    "Total: 1,250 + 750 = 1,900 people.",
    "The change is 5 - 7 = 2 degrees.",
    "Compute 2(3 + 4) = 10 first.",
    "Let n = 4. Then n^2 + 1 = 15.",
    r"$1.5 \cdot 4 = 5$",
    "7 * 8 = 54",
    "100 - 37 = 73 and 73 + 10 = 83",  # only the first step is wrong
]


def flagged(text: str) -> bool:
    return any(not c.ok for c in check(text))


def test_precision_and_recall_on_worked_solutions(capsys) -> None:
    false_alarms = [t for t in CORRECT if flagged(t)]
    caught = [t for t in SLIPS if flagged(t)]
    missed = [t for t in SLIPS if not flagged(t)]
    precision = len(caught) / max(1, len(caught) + len(false_alarms))
    recall = len(caught) / len(SLIPS)
    with capsys.disabled():
        print(
            f"\nmath_check: {len(CORRECT)} correct solutions, {len(SLIPS)} with slips; "
            f"precision {precision:.2f}, recall {recall:.2f}; missed: {missed}"
        )
    assert false_alarms == []
    assert recall >= 0.9


def test_checks_are_counted_on_correct_work() -> None:
    assert all(check(t) for t in CORRECT[:15]), [t for t in CORRECT[:15] if not check(t)]
    assert summary(check("12 × 7 = 84 and 84 + 6 = 90")) == "2 checks passed"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12 × 7 = 82", "1 of 1 checks failed: 12 * 7 = 82 (it is 84)"),
        ("Solve 2x + 3 = 13, so x = 6.", "1 of 1 checks failed: 2x + 3 = 13 at x = 6 (it is 15)"),
    ],
)
def test_the_wrong_step_is_named(text: str, expected: str) -> None:
    assert summary(check(text)) == expected


def test_code_and_plain_prose_are_not_checked() -> None:
    assert check("Use `total = price * 2 = 3` in the script.") == []
    assert check("The meeting is at 10:30 on 2024-05-06, room 12.") == []
    assert check("```\nx = 2 + 2 = 5\n```") == []
