"""What a client sends is untrusted: the request is checked field by field, and anything else is
an OpenAI-shaped 400, never a crash (hypothesis, bounded)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as s

from desktop_app.api.app import host_name
from desktop_app.api.schema import parse_chat
from desktop_app.core.errors import ApiRequestError

JSON = s.recursive(
    s.none() | s.booleans() | s.integers() | s.floats(allow_nan=False) | s.text(max_size=20),
    lambda inner: s.lists(inner, max_size=4)
    | s.dictionaries(s.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
FIELDS = s.fixed_dictionaries(
    {},
    optional={
        "model": JSON | s.just("m"),
        "messages": JSON
        | s.lists(s.fixed_dictionaries({}, optional={"role": JSON | s.sampled_from(
            ["user", "assistant", "system", "developer", "tool"]), "content": JSON}), max_size=3),
        "stream": JSON,
        "temperature": JSON,
        "top_p": JSON,
        "max_tokens": JSON,
        "stop": JSON,
        "seed": JSON,
        "n": JSON,
    },
)


@settings(max_examples=200, deadline=None)
@given(body=FIELDS)
def test_any_request_is_parsed_or_refused_with_a_400(body) -> None:
    try:
        chat = parse_chat(json.dumps(body).encode())
    except ApiRequestError as exc:
        assert exc.status == 400 and str(exc)
        return
    assert chat.question == chat.question and isinstance(chat.history, list)
    assert set(chat.sampling) <= {"temperature", "top_p", "max_tokens", "stop", "seed"}


@settings(max_examples=100, deadline=None)
@given(raw=s.binary(max_size=200))
def test_any_bytes_are_parsed_or_refused_with_a_400(raw: bytes) -> None:
    try:
        parse_chat(raw)
    except ApiRequestError as exc:
        assert exc.status == 400


def test_a_request_in_openais_words() -> None:
    chat = parse_chat(
        json.dumps(
            {
                "model": "smallwise/math",
                "messages": [
                    {"role": "developer", "content": "Be brief."},
                    {"role": "user", "content": [{"type": "text", "text": "What is 2+2?"}]},
                ],
                "stream": True,
                "stream_options": {"include_usage": True},
                "max_completion_tokens": 64,
                "temperature": 0,
                "stop": "\n\n",
                "seed": -1,
            }
        ).encode()
    )
    assert chat.history == [{"role": "system", "content": "Be brief."}]
    assert chat.question == "What is 2+2?" and chat.stream and chat.include_usage
    assert chat.sampling == {
        "temperature": 0.0, "max_tokens": 64, "stop": ("\n\n",), "seed": (1 << 32) - 1
    }


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": "m", "messages": [{"role": "tool", "content": "x"}]}, "messages[0].role"),
        ({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
         "messages[0].content"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "top_p": 1.5}, "top_p"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": True},
         "max_tokens"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "stop": ["a"] * 5}, "stop"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 2}, "n"),
    ],
)
def test_what_is_refused_names_the_field(body, param) -> None:
    with pytest.raises(ApiRequestError) as refused:
        parse_chat(json.dumps(body).encode())
    assert refused.value.param == param


def test_host_names_without_ports() -> None:
    assert host_name(b"localhost:8765") == "localhost"
    assert host_name(b"[::1]:8765") == "::1"
    assert host_name(b"127.0.0.1") == "127.0.0.1"
    assert host_name(b"evil.example:80") == "evil.example"
