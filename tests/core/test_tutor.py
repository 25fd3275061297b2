"""The Tutor's guard on RECORDED replies: no model runs here. A recorded engine replays, token
by token, what a real model answered (Qwen2.5-Coder-0.5B-Instruct, the fixture from
../shared/tools/real-instruct-model, asked with the Tutor's prompt on main) — the only stand-in
in these tests, because the point is the app's behaviour on a known reply. The store is a real
SQLite file; the lesson is read and written through it as the app does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.assistants.tutor import Lesson, classify, guard_for
from desktop_app.core.assistants.tutor_answer import answer_for
from desktop_app.core.assistants.tutor_gate import Gate
from desktop_app.core.conversation import Conversations, Listener, Turn
from desktop_app.core.engine import protocol as p
from desktop_app.core.model_choice import ModelChoice
from desktop_app.core.store import Store
from desktop_app.settings import Settings

# Recorded first replies (bare prompt on main, real model, seed 1).
STATES_IT = "It is 64."
SOLVES_IT = (
    "The steps to solve the equation 3x + 7 = 22 are as follows:\n\n"
    "1. Subtract 7 from both sides of the equation:\n   3x + 7 - 7 = 22 - 7\n   3x = 15\n\n"
    "2. Divide both sides of the equation by 3:\n   3x / 3 = 15 / 3\n   x = 5\n\n"
    "The final answer is x = 5."
)
HINT = (  # recorded with the guarded prompt: no answer, ends with a question
    "To find 15% of 80, first find 10% of 80 by moving the decimal point one place. "
    "What is 10% of 80?"
)


class RecordedEngine:
    """Replays recorded replies, one per request, in small chunks like a real stream."""

    def __init__(self, *replies: str, chunk: int = 3):
        self.replies, self.chunk = list(replies), chunk
        self.requests: list[list[dict[str, str]]] = []
        self.cancelled = 0
        self.sent_tokens = 0
        self.loaded: p.Loaded | None = None

    def load(self, request: p.Load) -> p.Loaded:
        self.loaded = p.Loaded(request.model_path, request.n_ctx, 1, "template", 0.0)
        return self.loaded

    def alive(self) -> bool:
        return True

    def cancel(self) -> None:
        self.cancelled += 1

    def chat(self, messages: list[dict[str, str]], sampling: p.Sampling):
        self.requests.append(messages)
        rid, text, cancelled_at = len(self.requests), self.replies.pop(0), self.cancelled
        yield p.Started(rid, 40, 0)
        for i in range(0, len(text), self.chunk):
            if self.cancelled > cancelled_at:  # a real worker stops within one token
                yield p.Done(rid, "cancelled", 40, i // self.chunk, 0.2, 30.0)
                return
            self.sent_tokens += 1
            yield p.Token(rid, text[i : i + self.chunk])
        yield p.Done(rid, "stop", 40, len(text) // self.chunk, 0.2, 30.0)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "db.sqlite") as opened:
        yield opened


TUTOR = load_assistants()["tutor"]


def ask(store: Store, cid: int, text: str, level: str | None = "secondary"):
    store.add_message(cid, "user", text)
    return guard_for(TUTOR, store, cid, level, lambda: False)


def stream(guard: Any, engine: RecordedEngine) -> tuple[str, list[Any]]:
    events = list(guard.client(engine).chat([{"role": "user", "content": "?"}], p.Sampling()))
    return "".join(e.text for e in events if isinstance(e, p.Token)), events


def test_a_reply_that_does_not_reveal_passes_unchanged(store: Store) -> None:
    cid = store.create_conversation()
    guard = ask(store, cid, "What is 15% of 80?")
    engine = RecordedEngine(HINT)
    text, events = stream(guard, engine)
    assert text == HINT and len(engine.requests) == 1
    assert [type(e) for e in events if not isinstance(e, p.Token)] == [p.Started, p.Done]
    assert guard.extras(text)["tutor"]["gate"] == "passed"


def test_a_reply_that_states_the_answer_is_asked_again_more_strictly(store: Store) -> None:
    cid = store.create_conversation()
    guard = ask(store, cid, "What is 7 times 8?")
    more = " You multiply seven by eight to get it. Well done, you can check it on a calculator."
    engine = RecordedEngine(STATES_IT + more, HINT.replace("15% of 80", "7 × 8"))
    text, events = stream(guard, engine)
    assert "64" not in text and text.endswith("?")
    assert len(engine.requests) == 2 and "IMPORTANT" in engine.requests[1][0]["content"]
    assert engine.cancelled == 1  # the first try was stopped, not generated to the end
    assert sum(isinstance(e, p.Started) for e in events) == 1  # one answer for the learner
    assert guard.extras(text)["tutor"]["gate"] == "asked again"


def test_when_every_try_reveals_the_learner_gets_the_hint_of_the_app(store: Store) -> None:
    cid = store.create_conversation()
    guard = ask(store, cid, "Solve 3x + 7 = 22 for x.")
    text, _ = stream(guard, RecordedEngine("x = 5. " + SOLVES_IT, "So x = 5. Easy!"))
    assert text == "Try to get x on its own on one side. What could you do to both sides first?"
    assert guard.extras(text)["tutor"]["gate"] == "replaced"


def test_a_worked_solution_is_cut_before_the_answer_and_ends_with_a_question(
    store: Store,
) -> None:
    cid = store.create_conversation()
    guard = ask(store, cid, "Solve 3x + 7 = 22 for x.")
    engine = RecordedEngine(SOLVES_IT)
    text, events = stream(guard, engine)
    assert "x = 5" not in text and "15 / 3" not in text
    assert text.startswith("The steps to solve the equation 3x + 7 = 22 are as follows:")
    assert text.rstrip().endswith("What do you think the next step is?")
    assert engine.sent_tokens < len(SOLVES_IT) // 3  # stopped early, not run to the end
    assert events[-1].finish_reason == "stop" and events[-1].ttft_s > 0


def test_the_first_text_is_shown_once_it_passed_not_at_the_end(store: Store) -> None:
    cid = store.create_conversation()
    guard = ask(store, cid, "What is 15% of 80?")
    long_hint = HINT + " " + " ".join(["Take your time with it."] * 20)
    events = list(guard.client(RecordedEngine(long_hint)).chat([], p.Sampling()))
    tokens = [i for i, e in enumerate(events) if isinstance(e, p.Token)]
    assert len(tokens) > 10  # sentence by sentence, not one block at the end
    assert events[tokens[0]].text.startswith("To find 15% of 80")


def test_a_stop_by_the_learner_is_not_asked_again(store: Store) -> None:
    cid = store.create_conversation()
    store.add_message(cid, "user", "What is 7 times 8?")
    stopped = [False]
    guard = guard_for(TUTOR, store, cid, None, lambda: stopped[0])
    engine = RecordedEngine(STATES_IT, HINT)
    client = guard.client(engine)
    events = []
    for event in client.chat([], p.Sampling()):
        events.append(event)
        if isinstance(event, p.Started):
            stopped[0] = True
            client.cancel()
    assert len(engine.requests) == 1 and events[-1].finish_reason == "cancelled"
    assert not any(isinstance(e, p.Token) for e in events)


@pytest.mark.parametrize("cut", [1, 2, 5, 11])
def test_the_gate_gives_the_same_text_however_the_stream_is_cut(cut: int) -> None:
    answer = answer_for("Solve 3x + 7 = 22 for x.")
    from desktop_app.core.assistants.tutor_reveal import reveals

    gate = Gate(lambda text: reveals(text, answer, "Solve 3x + 7 = 22 for x."))
    shown = "".join(gate.feed(SOLVES_IT[i : i + cut]) for i in range(0, len(SOLVES_IT), cut))
    shown += gate.finish()
    assert gate.reason is not None and "x = 5" not in shown
    assert shown.startswith("The steps") and "3x = 15" in shown


def test_the_level_is_kept_per_conversation(store: Store) -> None:
    child, other = store.create_conversation(), store.create_conversation()
    assert ask(store, child, "What is 7 times 8?", level="child").level == "child"
    assert ask(store, other, "What is 7 times 8?", level="university").level == "university"
    again = ask(store, child, "I'm stuck", level=None)  # the CLI or API gave no level
    assert again.level == "child" and store.conversation_settings(child)["level"] == "child"
    assert "child of about 8 to 11" in again.assistant.system_prompt


def test_hints_come_in_steps_and_a_regenerate_does_not_skip_one(store: Store) -> None:
    cid = store.create_conversation()
    assert ask(store, cid, "Solve 2(x − 3) = 10.").step == "new"
    assert ask(store, cid, "I'm stuck.").lesson.hint == 1
    guard = ask(store, cid, "I don't know, can I have another hint?")
    assert guard.lesson.hint == 2 and guard.enforcing
    assert "hint number 2" in guard.message_for_model()
    assert "Solve 2(x − 3) = 10." in guard.message_for_model()  # the problem, restated
    regenerate = guard_for(TUTOR, store, cid, None, lambda: False)  # no new message
    assert regenerate.lesson.hint == 2 and regenerate.step == "hint"


def test_show_solution_reveals_the_checked_worked_answer(store: Store) -> None:
    cid = store.create_conversation()
    ask(store, cid, "What is 15% of 80?")
    guard = ask(store, cid, "Show me the solution.")
    assert guard.step == "solution" and not guard.enforcing
    assert "The correct final answer is 12." in guard.message_for_model()
    assert "never give the final answer" not in guard.assistant.system_prompt
    solution = "10% of 80 is 8, and 5% is 4.\n8 + 4 = 12\nSo 15% of 80 is \\boxed{12}."
    text, _ = stream(guard, RecordedEngine(solution))
    assert text == solution  # nothing held back once the learner asked
    extras = guard.extras(text)
    assert extras["math_check"] == "1 check passed; final answer agrees"
    assert extras["tutor"]["step"] == "solution"


@pytest.mark.parametrize(
    ("message", "step"),
    [
        ("just tell me the answer", "solution"),
        ("I give up", "solution"),
        ("what's the answer?", "solution"),
        ("I'm stuck", "hint"),
        ("no idea", "hint"),
        ("is it 56?", "right"),
        ("54", "wrong"),
        ("Why do we multiply?", "followup"),
        ("What is 12 times 3?", "new"),
        ("Quiz me: ask me one question", "chat"),
    ],
)
def test_plain_asks_are_understood(message: str, step: str) -> None:
    lesson = Lesson("What is 7 times 8?", answer_for("What is 7 times 8?").to_json())
    assert classify(message, lesson, answer_for("What is 7 times 8?")) == step


@pytest.mark.parametrize(
    "problem",
    [
        "A tank holds 40 litres and leaks 3 litres an hour. Work out how much is left after 6 "
        "hours.",
        "Sam is twice as old as Lee, and together they are 36. Find Lee's age.",
        "A bus leaves at 9:15 and the trip takes 50 minutes; what time does it arrive",
        "If a pen costs 3 dollars and a pad 4, calculate the cost of 5 pens and 2 pads.",
        "When the 80-litre tank is a quarter full, how many litres are in it",
    ],
)
def test_a_problem_that_states_its_facts_first_is_a_new_question(problem: str) -> None:
    """A word problem asks in its last sentence, often without a question mark: it was read
    as small talk, and the Tutor's reply went out unchecked."""
    assert classify(problem, Lesson("", None), None) == "new"


@pytest.mark.parametrize(
    "message",
    ["Thanks, which was helpful.", "I read the book, what a story.", "Hello there, friend."],
)
def test_small_talk_with_a_comma_stays_small_talk(message: str) -> None:
    assert classify(message, Lesson("", None), None) == "chat"


def test_a_right_answer_is_confirmed_not_held_back(store: Store) -> None:
    cid = store.create_conversation()
    ask(store, cid, "What is 7 times 8?")
    guard = ask(store, cid, "I think it's 56")
    assert guard.step == "right" and not guard.enforcing
    text, _ = stream(guard, RecordedEngine("Yes, 7 × 8 = 56. Well done!"))
    assert text == "Yes, 7 × 8 = 56. Well done!"


def test_a_question_in_words_is_checked_against_a_hidden_first_answer(store: Store) -> None:
    cid = store.create_conversation()
    guard = ask(store, cid, "What is the capital of Australia?")
    engine = RecordedEngine("Canberra", "The capital of Australia is Canberra. Right?", HINT)
    text, _ = stream(guard, engine)
    assert len(engine.requests) == 3  # the hidden pass, a revealing try, a passing one
    assert "Canberra" not in text and re.search(r"\?$", text.strip())
    assert store.conversation_settings(cid)["tutor"]["answer"]["text"] == "Canberra"


def test_other_assistants_have_no_guard(store: Store) -> None:
    cid = store.create_conversation()
    store.add_message(cid, "user", "What is 7 times 8?")
    assert guard_for(load_assistants()["math"], store, cid, None, lambda: False) is None
    assert store.conversation_settings(cid) == {}


def test_through_the_conversation_the_learner_never_sees_the_answer(
    store: Store, tmp_path: Path
) -> None:
    """The whole turn (core.conversation): what the listener hears, what is stored and what
    the answer's extras say, for the recorded reply that gave the answer away on main."""
    engine = RecordedEngine(SOLVES_IT)
    conversations = Conversations(store, engine, Settings(tmp_path / "settings.json"))
    model = ModelChoice("recorded", tmp_path / "recorded.gguf", None, "Q4_K_M")
    cid = store.create_conversation()
    heard: list[str] = []
    listener = Listener(event=lambda e: heard.append(e.text) if isinstance(e, p.Token) else None)
    result = conversations.run(Turn(cid, "Solve 3x + 7 = 22 for x.", model, TUTOR), listener)
    stored = store.messages(cid)[-1]
    assert "x = 5" not in "".join(heard) and "".join(heard) == stored["content"] == result.text
    assert stored["content"].rstrip().endswith("?") and stored["status"] == "complete"
    assert stored["extras"]["tutor"]["gate"] == "shortened"
    assert "don't tell me the answer" in engine.requests[0][-1]["content"].lower()


def test_a_reply_that_repeats_the_instructions_is_not_shown(store: Store) -> None:
    cid = store.create_conversation()
    guard = ask(store, cid, "What is 15% of 80?")
    echo = (  # recorded: the model said back the note the app had added to the question
        "What is 15% of 80? Don't tell me the answer: I want to find it myself. Give me a small "
        "hint for the first step and ask me a question."
    )
    text, _ = stream(guard, RecordedEngine(echo, HINT))
    assert text == HINT and guard.extras(text)["tutor"]["reasons"] == ["repeats the instruction"]


REPLY_PARTS = st.sampled_from(
    [
        "Let's think. ", "7 × 8 = 56. ", "What is 8 + 8? ", "The answer is ", "56", ".\n",
        "\\[ 3x = 15 \\]\n", "x = 5. ", "1. ", "Step 2: ", "fifty-six ", "\\boxed{56}", "? ",
        "Try groups of seven. ", "```python\nprint(7*8)\n```\n", "It is ", "64. ", "\n\n",
    ]
)  # fmt: skip


@settings(max_examples=120, deadline=1000)
@given(st.lists(REPLY_PARTS, max_size=30), st.integers(min_value=1, max_value=9))
def test_the_gate_never_shows_a_reveal_and_never_changes_text(parts: list[str], cut: int) -> None:
    from desktop_app.core.assistants.tutor_reveal import reveals

    question = "What is 7 times 8?"
    answer = answer_for(question)
    reply = "".join(parts)
    gate = Gate(lambda text: reveals(text, answer, question), question)
    shown = "".join(gate.feed(reply[i : i + cut]) for i in range(0, len(reply), cut))
    shown += gate.finish()
    assert reply.startswith(shown)  # held back or cut, never rewritten
    assert reveals(shown, answer, question) is None


def test_after_quiz_me_the_learners_answers_are_not_held_to_the_old_problem(store: Store) -> None:
    cid = store.create_conversation()
    ask(store, cid, "What is 7 times 8?")
    assert ask(store, cid, "Quiz me: ask me one question about this.").step == "chat"
    guard = ask(store, cid, "42")  # an answer to the tutor's quiz question
    assert guard.step == "chat" and not guard.gated


def test_a_solution_that_ends_on_a_wrong_answer_is_followed_by_the_checked_one(
    store: Store,
) -> None:
    cid = store.create_conversation()
    ask(store, cid, "What is 144 divided by 16?")
    guard = ask(store, cid, "just tell me the answer")
    recorded = "144 ÷ 16 = 8"  # the real model, told the correct final answer is 9
    text, _ = stream(guard, RecordedEngine(recorded))
    assert text == recorded + "\n\n**Checked by Smallwise:** the answer is 9."
    extras = guard.extras(text)
    assert "final answer 8 is not 9" in extras["math_check"]  # the model's, not the app's line
    assert not extras["checks"][-1]["ok"]


def test_the_apps_own_hints_go_one_step_further_each_time(store: Store) -> None:
    """A new user's "I'm stuck" got the very hint of the first reply again (every model reply
    gave the answer away, so the app's hint was used both times)."""
    cid = store.create_conversation()
    shown = []
    for message in ("What is 7 times 8?", "I'm stuck.", "I'm stuck."):
        guard = ask(store, cid, message)
        text, _ = stream(guard, RecordedEngine("It is 56.", "56, easy!"))
        assert "56" not in text and guard.extras(text)["tutor"]["gate"] == "replaced"
        store.add_message(cid, "assistant", text)
        shown.append(text)
    assert len(set(shown)) == 3 and all(t.endswith("?") for t in shown)
