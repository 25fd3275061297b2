"""The OpenAI chat-completions request, checked field by field (everything a client sends is
untrusted), and the response shapes: completion, stream chunk, error. No Qt here."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.errors import ApiRequestError

MAX_MESSAGES = 1000
MAX_STOPS = 4  # as OpenAI
MAX_STOP_CHARS = 200
MAX_TOKENS = 32768
ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


@dataclass(frozen=True)
class ChatRequest:
    model: str
    history: list[dict[str, str]]  # the messages before the question, oldest first
    question: str  # the last message, the user's
    stream: bool = False
    include_usage: bool = False
    sampling: dict[str, Any] = field(default_factory=dict)  # only what the client set


def parse_chat(body: bytes) -> ChatRequest:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiRequestError(f"The body is not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise ApiRequestError("The body must be a JSON object.")
    model = data.get("model")
    if not isinstance(model, str) or not model.strip():
        raise ApiRequestError("'model' is required: one of GET /v1/models.", param="model")
    if data.get("n", 1) != 1:
        raise ApiRequestError("Only one choice per request is supported (n=1).", param="n")
    messages = _messages(data.get("messages"))
    options = data.get("stream_options") or {}
    return ChatRequest(
        model,
        messages[:-1],
        messages[-1]["content"],
        _flag(data, "stream"),
        isinstance(options, dict) and options.get("include_usage") is True,
        _sampling(data),
    )


def _messages(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise ApiRequestError("'messages' must be a non-empty list.", param="messages")
    if len(value) > MAX_MESSAGES:
        raise ApiRequestError(f"At most {MAX_MESSAGES} messages.", param="messages")
    messages = [_message(m, i) for i, m in enumerate(value)]
    if messages[-1]["role"] != "user":
        raise ApiRequestError("The last message must be the user's.", param="messages")
    return [m for m in messages[:-1] if m["content"]] + messages[-1:]


def _message(value: Any, index: int) -> dict[str, str]:
    where = f"messages[{index}]"
    if not isinstance(value, dict):
        raise ApiRequestError(f"{where} must be an object.", param=where)
    role = value.get("role")
    if not isinstance(role, str) or role not in ROLES:
        raise ApiRequestError(
            f"{where}.role must be one of {', '.join(ROLES)} (tools are not supported).",
            param=f"{where}.role",
        )
    return {"role": ROLES[role], "content": _content(value.get("content"), where)}


def _content(value: Any, where: str) -> str:
    """A string, or a list of text parts (images and audio are not supported)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for part in value:
            if not isinstance(part, dict) or part.get("type") != "text":
                raise ApiRequestError(
                    f"{where}.content: only text parts are supported.", param=f"{where}.content"
                )
            if not isinstance(part.get("text"), str):
                raise ApiRequestError(f"{where}.content: a text part needs 'text'.", param=where)
            texts.append(part["text"])
        return "\n".join(texts)
    raise ApiRequestError(f"{where}.content must be a string.", param=f"{where}.content")


def _sampling(data: dict[str, Any]) -> dict[str, Any]:
    sampling: dict[str, Any] = {}
    if data.get("temperature") is not None:
        sampling["temperature"] = _number(data, "temperature", 0.0, 2.0)
    if data.get("top_p") is not None:
        sampling["top_p"] = _number(data, "top_p", 0.0, 1.0)
    name = "max_completion_tokens" if data.get("max_completion_tokens") is not None else None
    name = name or ("max_tokens" if data.get("max_tokens") is not None else None)
    if name:
        sampling["max_tokens"] = _integer(data, name, 1, MAX_TOKENS)
    if data.get("seed") is not None:
        sampling["seed"] = _integer(data, "seed", -(1 << 63), (1 << 63) - 1) % (1 << 32)
    if data.get("stop") is not None:
        sampling["stop"] = _stops(data["stop"])
    return sampling


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiRequestError(f"'{name}' must be true or false.", param=name)
    return value


def _number(data: dict[str, Any], name: str, low: float, high: float) -> float:
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ApiRequestError(f"'{name}' must be a number from {low:g} to {high:g}.", param=name)
    return float(value)


def _integer(data: dict[str, Any], name: str, low: int, high: int) -> int:
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiRequestError(f"'{name}' must be a whole number from {low} to {high}.", param=name)
    return value


def _stops(value: Any) -> tuple[str, ...]:
    stops = [value] if isinstance(value, str) else value
    if (
        not isinstance(stops, list)
        or len(stops) > MAX_STOPS
        or not all(isinstance(s, str) and 0 < len(s) <= MAX_STOP_CHARS for s in stops)
    ):
        raise ApiRequestError(
            f"'stop' must be a string or a list of up to {MAX_STOPS} non-empty strings of at "
            f"most {MAX_STOP_CHARS} characters.",
            param="stop",
        )
    return tuple(stops)


# -- responses ---------------------------------------------------------------------------------
def completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def completion(
    cid: str, model: str, text: str, finish: str, counts: dict[str, int], extras: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": counts,
    }
    if extras:
        body["smallwise"] = extras  # sources, math checks, reasoning: not in OpenAI's shape
    return body


def chunk(
    cid: str,
    model: str,
    delta: dict[str, str] | None = None,
    finish: str | None = None,
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    body: dict[str, Any] = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
    }
    if counts is not None:
        body["usage"] = counts
    return body


def error_body(exc: ApiRequestError) -> dict[str, Any]:
    return {
        "error": {"message": str(exc), "type": exc.type, "param": exc.param, "code": exc.code}
    }
