"""What a conversation keeps of its own for its answers: instructions (system prompt),
assistant, model and sampling (temperature, top-p, repeat penalty, longest answer). Stored in
the conversation's settings JSON (Store.conversation_settings), beside whatever else it keeps
(the tutor's level…); a key that is absent means "the default": the assistant's, then the app's.
Values are checked when set (UsageError) and again when read (a bad stored one is ignored).
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.errors import UsageError
from desktop_app.core.model_choice import ModelChoice
from desktop_app.settings import QT_TRANSLATE_NOOP, Settings


@dataclass(frozen=True)
class Number:
    label: str
    type: type
    minimum: float
    maximum: float
    step: float


# Labels marked for the translation tool: the conversation panel shows them translated.
SAMPLING: dict[str, Number] = {
    "temperature": Number(QT_TRANSLATE_NOOP("Sampling", "Temperature"), float, 0.0, 2.0, 0.05),
    "top_p": Number(QT_TRANSLATE_NOOP("Sampling", "Top-p"), float, 0.05, 1.0, 0.05),
    "repeat_penalty": Number(
        QT_TRANSLATE_NOOP("Sampling", "Repeat penalty"), float, 1.0, 2.0, 0.05
    ),
    "max_tokens": Number(
        QT_TRANSLATE_NOOP("Sampling", "Longest answer (tokens)"), int, 16, 32768, 64
    ),
}
TEXTS = {"system_prompt": 20_000, "assistant": 200, "model": 4096}  # key → most characters
KEYS = (*TEXTS, *SAMPLING)


def checked(key: str, value: Any) -> Any:
    """`value` for `key` as stored; None means "the default". UsageError if it cannot be."""
    if value is None or value == "":
        return None
    if key in TEXTS:
        if not isinstance(value, str) or len(value) > TEXTS[key]:
            raise UsageError(f"{key} must be text of at most {TEXTS[key]:,} characters.")
        return value
    spec = SAMPLING.get(key)
    if spec is None:
        raise UsageError(f"A conversation has no setting called {key}.")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{spec.label} must be a number.")
    if not spec.minimum <= value <= spec.maximum:
        raise UsageError(f"{spec.label} must be between {spec.minimum:g} and {spec.maximum:g}.")
    return spec.type(value)


def own(saved: dict[str, Any]) -> dict[str, Any]:
    """The conversation's own answer settings among what it keeps; bad values left out."""
    found = {}
    for key in KEYS:
        try:
            value = checked(key, saved.get(key))
        except UsageError:
            continue
        if value is not None:
            found[key] = value
    return found


def sampling(saved: dict[str, Any]) -> dict[str, Any]:
    """The sampling a turn of this conversation asks for (over the assistant's)."""
    mine = own(saved)
    return {k: mine[k] for k in SAMPLING if k in mine}


def defaults(
    model: ModelChoice | None, assistant: Assistant | None, settings: Settings
) -> dict[str, Any]:
    """What applies where the conversation sets nothing: the model's catalog sampling, the
    app's settings, then the assistant's (as Conversations.run merges them)."""
    found: dict[str, Any] = {
        "system_prompt": assistant.instructions() if assistant else "",
        "assistant": assistant.id if assistant else "",
        "model": model.id if model else "",
    }
    if model is not None:
        s = model.sampling_for(settings, **(assistant.sampling if assistant else {}))
        found.update(
            temperature=s.temperature,
            top_p=s.top_p,
            repeat_penalty=s.repeat_penalty,
            max_tokens=s.max_tokens,
        )
    else:
        found.update(temperature=settings["temperature"], max_tokens=settings["max_tokens"])
    return found
