"""`smallwise search`, `export` and `import` as a user runs them (real processes, real
profiles)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import smallwise

sys.path.insert(0, str(Path(__file__).parent / "core"))
from test_export import fill, normalised  # noqa: E402

from desktop_app.core.store import Store  # noqa: E402


def test_export_all_then_import_into_an_empty_profile(tmp_path: Path, home: Path) -> None:
    from desktop_app.paths import app_paths

    database = app_paths().ensure().database
    with Store(database) as store:
        fill(store)
    out = tmp_path / "all.json"
    made = smallwise("export", "--all", "--format", "json", "-o", str(out), home=home)
    assert made.returncode == 0, made.stderr
    assert "exported 2 conversations" in made.stderr
    other = tmp_path / "other"
    taken = smallwise("import", str(out), "--json", home=other)
    assert taken.returncode == 0, taken.stderr
    assert json.loads(taken.stdout)["messages"] == 8
    again = smallwise("export", "--all", "--format", "json", home=other)
    assert normalised(json.loads(again.stdout)) == normalised(json.loads(out.read_text()))
    found = smallwise("search", "print", "--json", home=other)
    hits = json.loads(found.stdout)
    assert found.returncode == 0 and {h["role"] for h in hits} == {"user", "assistant"}
    page = smallwise("export", str(hits[0]["conversation_id"]), "--format", "html", home=other)
    assert page.stdout.startswith("<!DOCTYPE html>") and "<script" not in page.stdout


def test_search_prints_marked_snippets_without_control_characters(home: Path) -> None:
    from desktop_app.paths import app_paths

    with Store(app_paths().ensure().database) as store:
        cid = store.create_conversation()
        store.add_message(cid, "assistant", "ferns \x1b[31mred\x1b[0m grow in shade")
    found = smallwise("search", "grow", home=home)
    assert found.returncode == 0
    assert "ferns [31mred[0m «grow» in shade" in found.stdout and "\x1b" not in found.stdout
    none = smallwise("search", '"NOT" (', home=home)
    assert none.returncode == 1 and "No conversation has these words." in none.stdout


def test_a_broken_import_says_where_and_keeps_nothing(tmp_path: Path, home: Path) -> None:
    bad = tmp_path / "bad.json"
    doc = {"format": "smallwise.conversations", "version": 1, "conversations": [
        {"title": "ok", "created_at": "2025-01-01T00:00:00", "updated_at": "2025-01-01T00:00:00",
         "messages": [{"id": 1, "role": "robot", "content": "x", "created_at": "2025-01-01"}]}]}
    bad.write_text(json.dumps(doc))
    result = smallwise("import", str(bad), home=home)
    assert result.returncode == 2
    assert "conversation 1, message 1: 'role' must be one of user" in result.stderr
    listed = smallwise("export", "--all", "--format", "json", home=home)
    assert json.loads(listed.stdout)["conversations"] == []
    missing = smallwise("export", "42", home=home)
    assert missing.returncode == 2 and "no conversation 42" in missing.stderr
