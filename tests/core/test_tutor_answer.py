"""The tutor's answer check: the answer computed from the question, and whether a reply gives it
away. Replies marked "recorded" are real output of Qwen2.5-Coder-0.5B-Instruct (the fixture
from ../shared/tools/real-instruct-model) to the Tutor's prompt on main."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.assistants.tutor_answer import Answer, answer_for, parse_expression
from desktop_app.core.assistants.tutor_reveal import key_terms, reveals
from desktop_app.core.assistants.tutor_solution import checks, final_values


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is 7 times 8?", "56"),
        ("What is 15% of 80?", "12"),
        ("Simplify the fraction 18/24.", "3/4"),
        ("What is 5/6 − 1/3?", "1/2"),
        ("What is 9 squared minus 4 squared?", "65"),
        ("What is the square root of 169?", "13"),
        ("Solve 3x + 7 = 22 for x.", "x = 5"),
        ("Solve 2(x − 3) = 10.", "x = 8"),
        ("Solve x² − 5x + 6 = 0.", "x = 2 or x = 3"),
        ("If 3a − 4 = 2a + 6, what is a?", "a = 10"),
        ("Solve (x + 1)/3 = 5.", "x = 14"),
        ("What is the area of a triangle with base 10 cm and height 6 cm?", "30"),
        ("What is the circumference of a circle with radius 5?", "10π (about 31.42)"),
        ("How many degrees are the interior angles of a hexagon in total?", "720"),
    ],
)
def test_the_answer_is_computed_from_the_question(question: str, expected: str) -> None:
    answer = answer_for(question)
    assert answer is not None and answer.text == expected


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Australia?",
        "A baker has 24 cupcakes and sells 9. How many are left?",  # words: the model's job
        "Tom ate 3/4 of a pizza and then 1/8 more. How much did he eat?",  # not 3/4 itself
        "A rectangle has area 48 and width 6. What is its length?",  # area is given, not asked
        "What is 9^9^9?",  # too big to compute: no answer rather than a hang
        "What is 1/0?",
        "Solve x^3 + 2x = 7",  # beyond the closed forms kept
        "Solve 1/(x - 2) = 0",  # no solution
    ],
)
def test_no_answer_rather_than_a_wrong_or_slow_one(question: str) -> None:
    assert answer_for(question) is None


def test_an_answer_survives_the_conversation_settings() -> None:
    answer = answer_for("What is the area of a circle with diameter 10?")
    again = Answer.from_json(answer.to_json())
    assert again == answer and again.text == "25π (about 78.54)"
    assert Answer.from_json({"values": ["__import__('os')"], "text": "x"}) is None


SEVEN_EIGHT = answer_for("What is 7 times 8?")
EQUATION = answer_for("Solve 3x + 7 = 22 for x.")


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("It is 64.", "opens with a result"),  # recorded: a wrong answer is a result too
        ("Sure! 7 × 8 = 56. Well done!", "states a result"),
        ("Seven times eight is fifty-six.", "says 56 in words"),
        ("```python\nprint(7 * 8)\n```", "code that computes it"),
        ("Let me work it out: \\boxed{56}", "a boxed result"),
        ("Think of 8 groups of 7: the total is 56.", "contains 56"),
    ],
)
def test_a_reply_that_gives_the_answer_away_is_caught(reply: str, why: str) -> None:
    assert reveals(reply, SEVEN_EIGHT, "What is 7 times 8?") == why


RECORDED_SOLUTION = (
    "The steps to solve the equation 3x + 7 = 22 are as follows:\n\n"
    "1. Subtract 7 from both sides of the equation:\n   3x + 7 - 7 = 22 - 7\n   3x = 15\n\n"
    "2. Divide both sides of the equation by 3:\n   3x / 3 = 15 / 3\n   x = 5\n\n"
    "The final answer is x = 5."
)


def test_a_recorded_worked_solution_is_caught() -> None:
    assert reveals(RECORDED_SOLUTION, EQUATION, "Solve 3x + 7 = 22 for x.") is not None


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        (  # recorded (the guarded prompt): a hint and a question
            "What is 15% of 80?",
            "Hint: The percentage of a number is calculated by dividing the number by 100.\n"
            "Question: What is 15% of 80?",
        ),
        ("Solve 3x + 7 = 22 for x.", "1. Subtract 7 from both sides: 3x = 15. What next?"),
        ("Solve 3x + 7 = 22 for x.", "Step 2: what do you get when you divide both sides by 3?"),
        ("Solve x² − 5x + 6 = 0.", "Find two numbers that multiply to 6 and add to 5. Which?"),
    ],
)
def test_a_hint_that_keeps_the_answer_passes(question: str, reply: str) -> None:
    assert reveals(reply, answer_for(question), question) is None


def test_an_answer_in_words_is_compared_by_its_key_words() -> None:
    question = "What is the capital of Australia?"
    answer = Answer((), "Canberra", "model", terms=key_terms("Canberra", question))
    assert reveals("The capital of Australia is Canberra.", answer, question) == "names canberra"
    # recorded: a wrong city is a stated answer too, and no hint
    assert reveals("Australia has the capital of Sydney.", answer, question) == "names Sydney"
    hint = "It is not the biggest city. Which city was built to be the capital?"
    assert reveals(hint, answer, question) is None
    assert key_terms("The capital is Canberra", question) == ("canberra",)


def test_a_solution_is_checked_against_the_computed_answer() -> None:
    good = checks(RECORDED_SOLUTION, EQUATION)
    assert good["math_check"].endswith("final answer agrees")
    assert all(c["ok"] for c in good["checks"])
    bad = checks("15% of 80 is 80 × 0.15 = 12. So \\boxed{13}", answer_for("What is 15% of 80?"))
    assert "final answer 13 is not 12" in bad["math_check"]
    assert not bad["checks"][-1]["ok"]
    assert final_values("so x = -5 or x = 3", 2) == [-5, 3]
    # recorded: the whole calculation boxed; its result is what it ends on
    assert final_values("\\[\n\\boxed{\\frac{1}{2} \\times 10 \\times 6 = 30}\n\\]") == [30]


def test_hostile_expressions_stay_fast() -> None:
    start = time.perf_counter()
    for text in ("9^9^9^9", "(" * 200 + "1" + ")" * 200, "9" * 5000, "x^12 = 99999999999999"):
        answer_for(f"What is {text}?")
        parse_expression(text)
    assert time.perf_counter() - start < 1.0


@settings(max_examples=150, deadline=2000)
@given(st.text(alphabet="0123456789x+-*/^()=.² ×√πsqrtpi", max_size=60))
def test_any_math_like_question_is_answered_quickly_or_not_at_all(text: str) -> None:
    start = time.perf_counter()
    answer = answer_for(f"Solve {text}")
    if answer is not None:
        reveals(f"So the result is {answer.text}.", answer, text)
    assert time.perf_counter() - start < 1.5


@pytest.mark.parametrize(
    ("question", "reply"),
    [  # recorded, guarded prompt: wrong results stated as if final
        ("If 3a − 4 = 2a + 6, what is a?", "a is 9. What do you think the next step is?"),
        ("Solve 7 − x = 2x − 8.", "Add 8 to both sides:\n\\[6 + 8 = x - 8 + 8\\]\n\\[14 = x\\]"),
    ],
)
def test_a_wrong_result_is_no_hint_either(question: str, reply: str) -> None:
    assert reveals(reply, answer_for(question), question) == "states the unknown"


def test_a_name_that_answers_a_who_question_is_caught_even_if_the_hidden_pass_differs() -> None:
    question = "Who wrote Romeo and Juliet?"
    hidden = Answer((), "J.R.R. Tolkien", "model", terms=key_terms("J.R.R. Tolkien", question))
    recorded = (
        "a hint: The first step is to research the source of Romeo and Juliet by visiting "
        'websites or books about their works. One good resource is "The Romeo and Juliet" by '
        "William Shakespeare, which is widely regarded as one of the most famous works."
    )
    assert reveals(recorded, hidden, question) == "names William"
    hint = "Think about plays from long ago. Who wrote plays then?"
    assert reveals(hint, hidden, question) is None


@pytest.mark.parametrize(
    ("question", "reply"),
    [  # recorded, guarded prompt: a reply that opens on a (wrong) result
        ("What is 7 times 8?", "32 (question) What do you think comes next?"),
        ("What is 23 + 48 + 19?", "hint: 62\n question: What is the sum of 23, 48, and 19?"),
    ],
)
def test_a_reply_opening_on_a_result_is_caught(question: str, reply: str) -> None:
    assert reveals(reply, answer_for(question), question) == "opens with a result"
    hint = "10% of 80 is easy to find. What is it?"
    assert reveals(hint, answer_for("What is 15% of 80?"), "What is 15% of 80?") is None


def test_a_fraction_the_question_writes_is_not_mistaken_for_its_simplified_answer() -> None:
    """Found on the report half: 18/24 in the question has the value 3/4, so 3/4 was taken as
    'given' and the hint below (recorded, guarded prompt) passed with the answer in it."""
    question = "Simplify the fraction 18/24."
    recorded = (
        "Hint 1: Divide both the numerator and denominator by their GCD, which is 6.\n"
        "Step 2: Simplify further.\nThe simplified fraction is 3/4. What do you think the next "
        "step is?"
    )
    assert reveals(recorded, answer_for(question), question) == "contains 3/4"
    hint = "Simplify 18/24: which number divides both 18 and 24?"
    assert reveals(hint, answer_for(question), question) is None


@pytest.mark.parametrize(
    ("question", "reply", "why"),
    [  # recorded, guarded, words-only questions added to the tune half in round 3: each states
        # an answer (wrong here, by luck) in a shape the key words of a hidden answer miss
        (
            "What is the past tense of 'swim'?",
            "swimming (past tense) What do you think comes next?",
            "opens with an answer",
        ),
        (
            "What is the chemical symbol for sodium?",
            "Sodium is the chemical symbol for sodium.  Question: What is the chemical symbol "
            "for sodium?",
            "states the answer",
        ),
        (
            "What is the comparative form of 'good'?",
            'Comparative form: "good" What do you think the next step is?',
            "states the answer",
        ),
        (
            "What is the boiling point of water in degrees Celsius at sea level?",
            "Boiling point: 100.32 degrees Celsius What do you think the next step is?",
            "states the answer",
        ),
        (
            "What is the name for a baby cat?",
            'A hint: Baby cats are called "chihuahua" or "tiger". A question to the learner: '
            "What is a tiger?",
            "states the answer",
        ),
    ],
)
def test_a_stated_answer_in_words_is_caught_whatever_the_answer(
    question: str, reply: str, why: str
) -> None:
    from desktop_app.core.assistants.tutor_reveal import restates_answer

    assert restates_answer(reply, question) == why
    hidden = Answer((), "unknown", "model", terms=("unknown",))  # the hidden pass was no help
    assert reveals(reply, hidden, question) == why


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        ("What is the capital of Canada?", "Great question! Which cities in Canada do you know?"),
        ("What is the capital of Canada?", "A hint: it is not the largest city. Which is it?"),
        (
            "What is the opposite of 'generous'?",
            "The opposite is a word for someone who does not share. Can you think of one?",
        ),
        (
            "What is the name for a baby cat?",
            "Young animals are called by special names. What do you call a young dog?",
        ),
        ("What is the past tense of 'swim'?", "Let's think. How does 'sing' change?"),
    ],
)
def test_a_hint_in_words_that_states_nothing_passes(question: str, reply: str) -> None:
    from desktop_app.core.assistants.tutor_reveal import restates_answer

    assert restates_answer(reply, question) is None


MUFFINS = (
    "A bakery sells muffins for $3 each. Maria buys 4 muffins and pays with a $20 bill. How much "
    "change does she get?"
)
TRAIN = "A train travels 60 km in 45 minutes. What is its speed in km per hour?"


@pytest.mark.parametrize(
    ("question", "reply", "hidden"),
    [
        (MUFFINS, "The muffins cost 4 × $3 = $12. Then $20 - $12 = $8. What is next?", "7"),
        (TRAIN, "Speed = 60/0.75 = 80 km/h. Does that make sense?", "45"),
        (TRAIN, "The speed is \\( \\frac{60}{0.75} = 80 \\) km/h. Why?", "0.75"),
        (MUFFINS, "\\[ 20 - 12 = 8 \\text{ dollars} \\]\nWhat do you think?", "unknown"),
        (  # as the CLI showed it after the first fix: the dollar signs escaped for LaTeX
            MUFFINS,
            "Maria pays with a $20 bill.\n\\[\n\\$20 - \\$12 = \\$8\n\\]\nWhat next?",
            "12",
        ),
    ],
)
def test_a_word_problem_worked_out_is_caught_when_the_hidden_answer_is_wrong(
    question: str, reply: str, hidden: str
) -> None:
    """A new user's trial: the hidden pass got the word problem wrong, so the reply's right
    '$20 - $12 = $8' matched nothing and went out, working the problem for the learner."""
    from desktop_app.core.assistants.tutor_reveal import _works_out

    values = (parse_expression(hidden),) if hidden[0].isdigit() else ()
    answer = Answer(values, hidden, "model", terms=() if values else ("unknown",))
    assert reveals(reply, answer, question) is not None
    assert _works_out(reply, question) == "works out a result"


@pytest.mark.parametrize(
    "reply",
    [
        "How much do 4 muffins cost? Multiply the price by the number she buys.",
        "She pays with $20 = 20 dollars. What do the muffins cost her?",
        "45 minutes = 0.75 hours. What is the distance divided by the time?",
    ],
)
def test_a_hint_for_a_word_problem_that_computes_nothing_new_passes(reply: str) -> None:
    question = MUFFINS if "muffins" in reply or "$" in reply else TRAIN
    answer = Answer((parse_expression("7"),), "7", "model")
    assert reveals(reply, answer, question) is None
