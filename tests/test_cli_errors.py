"""Bad input and a broken environment end in a message and an exit code, never a traceback,
through the real `smallwise` command (a subprocess)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import smallwise


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


def test_a_data_folder_that_cannot_be_made_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "profile"
    blocker.write_text("a file where the profile folder should be")
    for args in (["models", "list"], ["kb", "list"], ["doctor"]):
        result = smallwise(*args, home=blocker)
        assert result.returncode == 2, result.stderr
        no_traceback(result)
        assert "Smallwise cannot use its folder" in result.stderr
        assert "SMALLWISE_HOME" in result.stderr


def test_the_window_explains_a_data_folder_it_cannot_use(tmp_path: Path) -> None:
    blocker = tmp_path / "profile"
    blocker.write_text("")
    env = {**os.environ, "SMALLWISE_HOME": str(blocker), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    no_traceback(result)
    assert "Smallwise cannot use its folder" in result.stderr


def _broken_database(home: Path) -> Path:
    db = home / "data" / "smallwise.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    return db


def test_a_broken_database_is_explained_in_every_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = _broken_database(home)
    before = db.read_bytes()
    for args in (["models", "list"], ["kb", "list"], ["kb", "search", "x"], ["chat", "hi"]):
        result = smallwise(*args, home=home)
        assert result.returncode == 2, (args, result.stderr)
        no_traceback(result)
        assert "cannot be read" in result.stderr and "left untouched" in result.stderr
    assert db.read_bytes() == before


def test_a_newer_database_is_explained(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = home / "data" / "smallwise.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    result = smallwise("models", "list", home=home)
    assert result.returncode == 2
    no_traceback(result)
    assert "newer Smallwise" in result.stderr


def test_json_output_reports_failures_as_a_json_object(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _broken_database(home)
    result = smallwise("models", "list", "--json", home=home)
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "StoreError" and "cannot be read" in error["message"]
    result = smallwise("models", "remove", "no-such-model", "--json", home=tmp_path / "other")
    assert result.returncode != 0
    assert json.loads(result.stdout)["error"]["type"] == "LibraryError"


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`smallwise models list --json | head -1`: the reader is gone before the output is."""
    env = {**os.environ, "SMALLWISE_HOME": str(tmp_path / "home")}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone away
    try:
        writer = subprocess.run(
            [sys.executable, "-m", "desktop_app", "models", "list", "--json"],
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in writer.stderr and "BrokenPipe" not in writer.stderr, writer.stderr
    assert writer.returncode == 141


def test_unknown_model_and_assistant_are_usage_errors(tmp_path: Path) -> None:
    result = smallwise("chat", "hi", "--model", "no-such-model", home=tmp_path)
    assert (
        result.returncode == 2 and "No installed model is called 'no-such-model'" in result.stderr
    )
    result = smallwise("chat", "hi", "--assistant", "wizard", home=tmp_path)
    assert result.returncode == 2 and "No assistant is called 'wizard'" in result.stderr
    no_traceback(result)


def test_kb_add_of_missing_paths_is_a_usage_error(tmp_path: Path) -> None:
    result = smallwise("kb", "add", str(tmp_path / "nowhere"), home=tmp_path / "home")
    assert result.returncode == 2 and "not found" in result.stderr


def test_kb_add_says_why_a_file_was_skipped(tmp_path: Path) -> None:
    binary = tmp_path / "notes.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    result = smallwise("kb", "add", str(binary), home=tmp_path / "home")
    assert result.returncode == 1
    assert f"skipped {binary}: a binary file, not text" in result.stderr
    assert "1 skipped" in result.stdout
