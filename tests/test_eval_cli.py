"""`smallwise eval` from a terminal: the Support evaluation on a folder of SQLite's own pages
(a real subset of Debian's sqlite3-doc), and a clear word where an evaluation cannot run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import smallwise

from desktop_app.evals import REGISTRY
from desktop_app.evals.support import load_set

SQLITE_DOCS = Path("/usr/share/doc/sqlite3")


@pytest.mark.skipif(not (SQLITE_DOCS / "index.html").is_file(), reason="no sqlite3-doc")
def test_support_evaluation_prints_its_figures(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for page in ("index.html", "limits.html", "lang_altertable.html", "autoinc.html"):
        shutil.copy(SQLITE_DOCS / page, docs / page)
    run = smallwise("eval", "--assistant", "support", "--docs", str(docs), "--json", home=tmp_path)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)["support"]
    assert result["half"] == "held_out" and result["passages"] > 20
    figures = result["bm25"]
    assert figures["questions"] == 35 and 0 <= figures["recall_at_3"] <= 1
    assert {"not_covered_precision", "not_covered_recall", "wrong_not_covered"} <= set(figures)
    assert result["before"]["questions"] == 35  # the app before, for comparison
    assert "hybrid" not in result  # no embedding model installed: word matching alone
    assert "embedding model" in run.stderr
    human = smallwise("eval", "--assistant", "support", "--docs", str(docs), home=tmp_path)
    assert "recall@3" in human.stdout and "not-covered precision" in human.stdout


def test_an_evaluation_that_cannot_run_says_why(tmp_path: Path) -> None:
    missing = smallwise("eval", "--assistant", "support", "--docs", str(tmp_path), home=tmp_path)
    assert missing.returncode == 2 and "sqlite3-doc" in missing.stderr
    unknown = smallwise("eval", "--assistant", "poetry", home=tmp_path)
    assert unknown.returncode == 2 and "support" in unknown.stderr
    assert set(REGISTRY) >= {"support", "math", "tutor"}
    assert len(load_set()["questions"]) == 70  # the data ships with the app (package data)
