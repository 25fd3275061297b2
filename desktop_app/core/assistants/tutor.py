"""The Tutor keeps its promise in code, not only in its prompt: for an assistant with the
"withhold_answer" feature, each turn is read as a step of a lesson (a new question, "I'm stuck",
an attempt, "show me the solution"), the instructions say what this step may give, and the
reply passes through a gate (tutor_gate) that holds back any sentence revealing the answer.
The lesson (problem, answer, hint step) and the learner's level live in the conversation's
settings, so a reopened conversation goes on where it was. No Qt here.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from types import ModuleType
from typing import TYPE_CHECKING, Any

from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.assistants.tutor_gate import GuardedClient
from desktop_app.core.engine import protocol as p

if TYPE_CHECKING:
    from desktop_app.core.assistants.tutor_answer import Answer

FEATURE = "withhold_answer"
SOLUTION_ASK = re.compile(
    r"\b(?:show|give|tell|reveal|write)\b[^.?!]{0,24}\b(?:solution|answer|working|steps)\b"
    r"|\bjust tell me\b|\bi give up\b|\bwhat(?:'s| is) the (?:final |right |correct )?answer\b"
    r"|\bsolve it for me\b|\bfull solution\b",
    re.I,
)
STUCK = re.compile(
    r"\b(?:i'?m stuck|i am stuck|stuck|(?:a|another|next|more|one more) hint|hint please"
    r"|help me|no idea|i (?:don'?t|do not) (?:know|get it|understand)|not sure|next step"
    r"|what now|what next|confused|i can'?t)\b",
    re.I,
)
TASK = re.compile(
    r"^\s*(?:solve|find|calculate|compute|work out|simplify|evaluate|what|how|why|which|who|"
    r"where|when|explain|name|give|is|are|can|does|do)\b",
    re.I,
)
MAX_PROBLEM = 4000  # characters of a message read for its task (outside text: bounded)
NEW_TASK = re.compile(
    r"^\s*(?:solve|find|calculate|compute|work out|simplify|evaluate|what|how|which)\b", re.I
)
CLAUSE_TASK = re.compile(  # after a comma: a task verb, not 'which'/'what' (prose has those)
    r"^(?:solve|find|calculate|compute|work out|simplify|evaluate|how (?:many|much|long|far|old)"
    r")\b",
    re.I,
)
REFERS_BACK = re.compile(r"\b(?:this|that|it|we|step|why|you)\b", re.I)
QUIZ = re.compile(r"^\s*quiz me\b", re.I)


@dataclass
class Lesson:
    """Where the learner is, kept in the conversation's settings under "tutor"."""

    problem: str = ""
    answer: dict[str, Any] | None = None  # Answer.to_json()
    hint: int = 0
    solved: bool = False
    step: str = "chat"  # what the last counted message was
    asked_id: int = 0  # the user message that step counted (a regenerate does not count again)

    @classmethod
    def from_settings(cls, data: Any) -> Lesson:
        if not isinstance(data, dict):
            return cls()
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        try:
            return cls(**known)
        except TypeError:
            return cls()


def guard_for(
    assistant: Assistant | None,
    store: Any,
    conversation_id: int,
    level: str | None,
    stopped: Any,
) -> TutorGuard | None:
    """The tutor's guard for this turn, or None for an assistant that gives answers freely.
    Reads (and updates) the lesson in the conversation's settings."""
    if assistant is None or FEATURE not in assistant.features:
        return None
    guard = TutorGuard(assistant, store, conversation_id, stopped)
    guard.begin(level)
    return guard


class TutorGuard:
    """One tutor turn: which step it is, the instructions for it, the gate for the reply."""

    def __init__(self, assistant: Assistant, store: Any, conversation_id: int, stopped: Any):
        self.base, self.store, self.conversation_id = assistant, store, conversation_id
        self.stopped = stopped
        self.texts: dict[str, Any] = assistant.raw.get("tutor", {})
        self.level = assistant.default_level
        self.lesson = Lesson()
        self.answer: Answer | None = None
        self.message = ""  # the learner's last message
        self.model_text = ""  # a solution as the model wrote it (before the app's correction)
        self.client_used: GuardedClient | None = None

    # -- reading the turn ----------------------------------------------------------------------
    def begin(self, level: str | None) -> None:
        settings = self.store.conversation_settings(self.conversation_id)
        if level is None or level not in self.base.levels:
            level = settings.get("level") if settings.get("level") in self.base.levels else None
        self.level = level or self.base.default_level
        self.lesson = Lesson.from_settings(settings.get("tutor"))
        asked = _last_user_message(self.store.messages(self.conversation_id))
        if asked is not None and asked["id"] != self.lesson.asked_id:
            self._advance(asked["content"], asked["id"])
        self.message = asked["content"][:2000] if asked is not None else ""
        self.answer = _answer_of(self.lesson)
        self._save()

    def _advance(self, message: str, message_id: int) -> None:
        lesson = self.lesson
        step = classify(message, lesson, _answer_of(lesson))
        if step == "new":
            computed = _maths()[0].answer_for(message)
            lesson = Lesson(message, computed.to_json() if computed else None)
        elif QUIZ.search(message):
            lesson = Lesson()  # the tutor asks now: the learner's replies are not attempts
        elif step == "hint":
            lesson.hint += 1
        elif step in ("right", "solution"):
            lesson.solved = True
        lesson.step, lesson.asked_id = step, message_id
        self.lesson = lesson

    def _save(self) -> None:
        self.store.update_conversation_settings(
            self.conversation_id, level=self.level, tutor=asdict(self.lesson)
        )

    # -- what the model is told ----------------------------------------------------------------
    @property
    def step(self) -> str:
        return self.lesson.step

    @property
    def gated(self) -> bool:
        """A tutoring step: the reply passes the gate and ends with a question."""
        return self.step in ("new", "hint", "wrong", "followup") and not self.lesson.solved

    @property
    def enforcing(self) -> bool:
        """The reply must not reveal the answer (known, and not yet found or asked for)."""
        return self.gated and self.answer is not None

    @property
    def assistant(self) -> Assistant:
        """The assistant with the instructions for this step and level."""
        return replace(self.base, system_prompt=self.instructions())

    def instructions(self, stricter: bool = False) -> str:
        """The system prompt: the tutor's rules and the level's wording and step size."""
        steps = self.texts.get("steps", {})
        rules = self.base.system_prompt
        if self.step == "solution":
            rules = steps.get("solution_system", rules)
        parts = [rules, self.texts.get("levels", {}).get(self.level, "")]
        if stricter:
            parts.append(steps.get("stricter", ""))
        return " ".join(part.strip() for part in parts if part.strip())

    def message_for_model(self) -> str | None:
        """The learner's last message as the model reads it: with the problem restated and
        what this step may give said right next to it (small models heed that far more than
        a system prompt). Never stored; None leaves the message as it is."""
        steps = self.texts.get("steps", {})
        template = steps.get("first" if self.step == "new" else self.step)
        if not template or self.step == "chat":
            return None
        known = self.answer is not None and self.answer.kind != "model"
        if self.step == "solution" and known:
            template += steps.get("solution_known", "")
        elif self.step == "solution" and (self.answer is None or not self.answer.values):
            template = steps.get("solution_words", template)  # nothing to work out
        return template.format(
            message=self.message,
            problem=self.lesson.problem[:1000],
            hint=self.lesson.hint,
            answer=self.answer.text if self.answer else "",
        )

    def stricter(self, messages: list[dict[str, str]]) -> list[dict[str, str]]:
        """The same conversation with the stricter instructions (a second try)."""
        strict = self.instructions(stricter=True).replace("{level}", self.level)
        if messages and messages[0]["role"] == "system":
            return [{"role": "system", "content": strict}, *messages[1:]]
        return [{**messages[0], "content": f"{strict}\n\n{messages[0]['content']}"}, *messages[1:]]

    # -- the reply -----------------------------------------------------------------------------
    def client(self, inner: Any) -> GuardedClient:
        self.client_used = GuardedClient(inner, self, self.stopped)
        return self.client_used

    def find_answer(self, engine: Any, sampling: p.Sampling) -> None:
        """A new question with no computed answer: the model's own answer, asked in a hidden
        first pass (short, never shown), is what the reply must not give away."""
        problem = self.lesson.problem
        if self.step != "new" or self.answer is not None or not _is_question(problem):
            return
        messages = [
            {"role": "system", "content": self.texts.get("steps", {}).get("hidden", "")},
            {"role": "user", "content": self.lesson.problem},
        ]
        text = ""
        hidden = replace(sampling, max_tokens=24, temperature=0.0, seed=7)  # short, greedy
        for event in engine.chat(messages, hidden):
            if isinstance(event, p.Token):
                text += event.text
        self.answer = _model_answer(text, self.lesson.problem)
        if self.answer is not None:
            self.lesson.answer = self.answer.to_json()
            self._save()

    def reveals(self, text: str) -> str | None:
        """Why `text` may not be shown (the gate's check), or None."""
        note = self.message_for_model() or ""
        for learners in (self.message, self.lesson.problem):
            note = note.replace(learners, " ") if learners else note  # their words may recur
        if _echoes(text, note):
            return "repeats the instruction"
        if self.answer is None:  # not computed, and the hidden pass gave nothing usable
            return _maths()[1].restates_answer(text, self.lesson.problem)
        return _maths()[1].reveals(text, self.answer, self.lesson.problem)

    def closing(self, shown: str) -> str:
        """What the app adds: the hint of its own when no reply passed, or a question."""
        question = self.texts.get("questions", {}).get(self.level, "What do you think?")
        if not shown.strip():
            return self.fallback_hint()
        if "?" in shown:
            return ""
        return ("" if shown[-1:].isspace() else " ") + question

    def correction(self, solution: str) -> str:
        """After a worked solution whose final answer is not the one the app computed (or
        that states none): the checked answer, said plainly."""
        answer = self.answer
        if self.step != "solution" or answer is None or answer.kind == "model" or not answer.values:
            return ""
        from desktop_app.core.assistants import tutor_solution  # sympy, as _maths()

        self.model_text = solution
        if tutor_solution.agrees(solution, answer):
            return ""
        return self.texts.get("steps", {}).get("checked", "").format(answer=answer.text)

    def fallback_hint(self) -> str:
        kind = self.answer.kind if self.answer else "model"
        if kind == "equation" and self.answer and len(self.answer.values) > 1:
            kind = "quadratic"
        hints = self.texts.get("fallback", {})
        var = self.answer.variable if self.answer else "x"
        steps = hints.get(kind, hints.get("model", "What could be a first step?"))
        if isinstance(steps, list):  # one per hint step: "I'm stuck" gets the next one
            steps = steps[min(self.lesson.hint, len(steps) - 1)] if steps else ""
        return str(steps).format(var=var)

    def extras(self, text: str) -> dict[str, Any]:
        """What is stored with the answer: the tutor step, what the gate did, and for a
        solution the math check (with the final answer compared to the computed one)."""
        found: dict[str, Any] = {"tutor": {"step": self.step, "hint": self.lesson.hint}}
        if self.client_used is not None:
            outcome = self.client_used.outcome
            found["tutor"].update(
                gate=outcome.action,
                tries=outcome.tries,
                reasons=outcome.reasons,
                waited_s=round(outcome.waited_s, 3),
            )
        if self.step == "solution" and text:
            from desktop_app.core.assistants import tutor_solution  # sympy, as _maths()

            # The check is of the model's own solution, not of the app's line after it.
            found.update(tutor_solution.checks(self.model_text or text, self.answer))
        return found


def classify(message: str, lesson: Lesson, answer: Answer | None) -> str:
    """The step a learner's message starts: quiz | solution | hint | right | wrong | new |
    followup | chat."""
    active = bool(lesson.problem) and not lesson.solved
    if QUIZ.search(message):
        return "chat"
    if SOLUTION_ASK.search(message) and lesson.problem:
        return "solution"
    if STUCK.search(message) and active and len(message.split()) <= 12:
        return "hint"
    computed = _maths()[0].answer_for(message) is not None
    if computed and NEW_TASK.search(message):
        return "new"
    if active and answer is not None and _looks_like_attempt(message, answer):
        return "right" if _is_right(message, answer, lesson.problem) else "wrong"
    if computed:
        return "new"
    if active:
        standalone = "?" in message and len(message.split()) >= 5
        return "new" if standalone and not REFERS_BACK.search(message) else "followup"
    return "new" if _is_question(message) else "chat"


def _echoes(text: str, note: str, run: int = 8) -> bool:
    """Small models sometimes repeat the instructions they were given: `run` words in a row
    from the note the app added (not the learner's own words) count as such an echo."""
    words = re.findall(r"[a-z']+", text.lower())
    said = {" ".join(words[i : i + run]) for i in range(len(words) - run + 1)}
    added = re.findall(r"[a-z']+", note.lower())
    return any(" ".join(added[i : i + run]) in said for i in range(len(added) - run + 1))


def _is_question(text: str) -> bool:
    """A question, or a task: 'Solve …', or facts first and the task last ('… Find Lee's
    age.', '…; what time does it arrive'), as word problems are written."""
    if TASK.search(text) or "?" in text:
        return True
    text = text[:MAX_PROBLEM]
    later = re.split(r"(?<=[.!;:\n])\s+", text)[1:]
    clauses = re.split(r",\s+", text)[1:]  # 'If …, calculate …'
    return any(NEW_TASK.search(s) for s in later) or any(CLAUSE_TASK.search(c) for c in clauses)


def _looks_like_attempt(message: str, answer: Answer) -> bool:
    """A short message with a number (for a numeric answer), or a few words that ask nothing
    (for an answer in words): the learner is trying an answer."""
    words = message.split()
    if len(words) > 12:
        return False
    if answer.values:
        return bool(re.search(r"\d", message))
    return len(words) <= 4 and not TASK.search(message)


def _is_right(message: str, answer: Answer, problem: str) -> bool:
    tutor_answer, tutor_reveal = _maths()
    if not answer.values:
        return tutor_reveal.reveals(message, answer, "") is not None
    shown = tutor_reveal.values_in(tutor_answer.normalise(message))
    return all(any(tutor_reveal.same_value(s, v) for s in shown) for v in answer.values)


def _model_answer(text: str, question: str) -> Answer | None:
    """The model's short answer from the hidden pass, as an Answer (number or key words)."""
    tutor_answer, tutor_reveal = _maths()
    lines = [ln.strip(" `*#.") for ln in text.strip().splitlines() if ln.strip(" `*#.")]
    if not lines or lines[0].lower().startswith(("python", "i'm sorry", "i cannot")):
        return None
    first = lines[0][:80]
    numbers = tutor_reveal.values_in(tutor_answer.normalise(first))
    if numbers:
        return tutor_answer.Answer((numbers[-1],), first, "model")
    terms = tutor_reveal.key_terms(first, question)
    return tutor_answer.Answer((), first, "model", terms=terms) if terms else None


def _answer_of(lesson: Lesson) -> Answer | None:
    return _maths()[0].Answer.from_json(lesson.answer) if lesson.answer else None


def _maths() -> tuple[ModuleType, ModuleType]:
    """The sympy-backed modules, imported on the tutor's first turn: sympy takes ~1 s to
    import, which no other front-end path should pay."""
    from desktop_app.core.assistants import tutor_answer, tutor_reveal

    return tutor_answer, tutor_reveal


def _last_user_message(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((m for m in reversed(messages) if m["role"] == "user"), None)
