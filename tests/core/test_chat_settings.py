"""A conversation's own answer settings (core.chat_settings): checked when set and when read,
and the defaults shown for them merge as the flow merges."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core import chat_settings
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.errors import UsageError
from desktop_app.core.model_choice import ModelChoice
from desktop_app.settings import Settings


@pytest.mark.parametrize(
    ("key", "value"),
    [("temperature", 2.5), ("top_p", 0), ("max_tokens", 8), ("repeat_penalty", "x"),
     ("temperature", True), ("colour", 1), ("system_prompt", "x" * 20_001)],
)
def test_values_out_of_range_are_refused(key: str, value: object) -> None:
    with pytest.raises(UsageError):
        chat_settings.checked(key, value)


def test_stored_values_that_are_wrong_are_ignored_and_others_kept() -> None:
    saved = {"temperature": 9, "top_p": 0.5, "max_tokens": 64.0, "level": "child", "model": ""}
    assert chat_settings.own(saved) == {"top_p": 0.5, "max_tokens": 64}
    assert chat_settings.sampling({**saved, "system_prompt": "hi"}) == {
        "top_p": 0.5,
        "max_tokens": 64,
    }


def test_defaults_are_the_app_settings_under_the_assistants(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "s.json")
    settings["temperature"], settings["max_tokens"] = 0.9, 512
    model = ModelChoice("m", tmp_path / "m.gguf", None, "Q4_K_M", sampling={"top_p": 0.8})
    math = load_assistants()["math"]
    found = chat_settings.defaults(model, math, settings)
    expected = model.sampling_for(settings, **math.sampling)
    assert found["temperature"] == expected.temperature and found["max_tokens"] == 512
    assert found["top_p"] == expected.top_p and found["system_prompt"] == math.instructions()
    assert chat_settings.defaults(None, None, settings)["temperature"] == 0.9
