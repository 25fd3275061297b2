"""The window and the CLI run the same conversation turn (core.conversation): for the same input
they store the same rows — the answer, its assistant and model, sources and math checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import smallwise
from test_window import make_app, send_and_wait

from desktop_app.core.assistants.knowledge import KnowledgeBase

LICENSES = Path("/usr/share/common-licenses")
SAME = (
    "role",
    "content",
    "status",
    "assistant_id",
    "model_id",
    "quant",
    "n_ctx",
    "finish_reason",
    "completion_tokens",
    "prompt_tokens",
    "context_left_out",
    "extras",
)


def stored(app, conversation_id: int) -> list[dict]:
    rows = app.stores.blocking.messages(conversation_id)
    return [{key: row[key] for key in SAME} for row in rows]


@pytest.mark.parametrize(
    ("assistant", "prompt"),
    [
        ("math", "What is 12 times 7?"),
        ("support", "What are Invariant Sections and Front-Cover Texts?"),
        ("support", "How do I bake sourdough bread?"),
        ("chat", "hello model"),
    ],
)
@pytest.mark.skipif(not LICENSES.is_dir(), reason="not a Debian system")
def test_window_and_cli_store_the_same_turn(qtbot, tiny_model, home, assistant, prompt) -> None:
    app = make_app(qtbot, tiny_model, max_tokens=24, n_ctx=8192)
    try:
        app.stores.run(lambda store: KnowledgeBase(store).add([LICENSES]))
        app.window.composer.select_assistant(assistant)
        send_and_wait(qtbot, app, prompt)
        in_window = stored(app, app.window.current)
        cli = smallwise("chat", prompt, "--assistant", assistant, "--json", home=home)
        assert cli.returncode == 0, cli.stderr
        newest = app.stores.blocking.conversations()[0]
        assert newest["id"] != app.window.current
        from_cli = stored(app, newest["id"])
        assert from_cli == in_window
        assert newest["title"] == app.stores.blocking.conversation(app.window.current)["title"]
        answer = in_window[-1]
        if assistant == "math":
            assert "math_check" in answer["extras"]
        if "Invariant" in prompt:
            assert answer["extras"]["sources"]
        if "sourdough" in prompt:
            assert answer["finish_reason"] == "not_covered"
    finally:
        app.shutdown()
