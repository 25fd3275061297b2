"""Assistants as data, prompt assembly (system prompt vs folded instructions), <think> splitting
on streamed text, and the store migration that records the assistant of each message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.assistants.registry import load_assistants, prompt_messages
from desktop_app.core.assistants.think import ThinkSplitter, split
from desktop_app.core.catalog import load_catalog
from desktop_app.core.store import MIGRATIONS, SCHEMA_VERSION, Store

HISTORY = [
    {"role": "user", "content": "What is 7 × 8?"},
    {"role": "assistant", "content": "56"},
    {"role": "user", "content": "And 7 × 9?"},
]


def test_assistants_are_data_with_models_from_the_catalog() -> None:
    assistants, catalog = load_assistants(), load_catalog()
    assert {"chat", "tutor", "math", "support"} <= set(assistants)
    for assistant in assistants.values():
        assert assistant.name and assistant.purpose and assistant.system_prompt
        assert all(m in catalog for m in assistant.preferred_models), assistant.id
        assert any(assistant.role in catalog[m].roles for m in assistant.preferred_models)


def test_model_choice_prefers_the_assistants_models() -> None:
    math, catalog = load_assistants()["math"], load_catalog()
    assert math.model_for(catalog, {"gemma-3-270m", "deepscaler-1.5b"}) == "deepscaler-1.5b"
    assert math.model_for(catalog, {"gemma-3-270m"}) is None


def test_system_prompt_when_the_model_takes_one() -> None:
    tutor = load_assistants()["tutor"]
    messages = prompt_messages(tutor, HISTORY, accepts_system_prompt=True, level="child")
    assert messages[0]["role"] == "system" and "child learner" in messages[0]["content"]
    assert "{level}" not in messages[0]["content"] and messages[1:] == HISTORY


def test_instructions_folded_into_the_first_user_turn_for_r1_models() -> None:
    math, catalog = load_assistants()["math"], load_catalog()
    accepts = catalog["deepscaler-1.5b"].raw["system_prompt"]
    messages = prompt_messages(math, HISTORY, accepts_system_prompt=accepts)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"].startswith("Please reason step by step")
    assert messages[0]["content"].endswith("What is 7 × 8?")
    assert messages[2] == HISTORY[2]  # only the first user turn carries them


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 7])
def test_think_tags_split_across_chunks(cut: int) -> None:
    text = "<think>Let me add 2 and 2.</think>The answer is 4."
    splitter = ThinkSplitter()
    pieces = []
    for i in range(0, len(text), cut):
        pieces += splitter.feed(text[i : i + cut])
    pieces += splitter.finish()
    assert splitter.thinking == "Let me add 2 and 2." and splitter.answer == "The answer is 4."
    assert all("<" not in t for _, t in pieces)


def test_r1_output_that_starts_inside_the_reasoning() -> None:
    assert split("first I think…</think>\n\\boxed{4}", start_in_think=True) == (
        "first I think…",
        "\n\\boxed{4}",
    )
    assert split("no tags at all") == ("", "no tags at all")
    assert split("a < b and <thin") == ("", "a < b and <thin")  # a lone fragment is text


def test_version_1_database_migrates_to_record_the_assistant(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[1] + "; PRAGMA user_version = 1;")
    conn.execute("INSERT INTO conversations VALUES (1, 'old', '2026-01-01', '2026-01-01')")
    conn.execute(
        "INSERT INTO messages (conversation_id, role, content, created_at) "
        "VALUES (1, 'user', 'kept', '2026-01-01')"
    )
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.messages(1)[0]["content"] == "kept"
    mid = store.add_message(1, "assistant", "hi", assistant_id="math")
    assert store.message(mid)["assistant_id"] == "math"
    store.close()
