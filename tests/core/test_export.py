"""Export and import (core.export, core.importing) on real SQLite profiles: JSON comes back
without loss, Markdown and HTML read as the conversation does, the HTML page loads and runs
nothing, and an import file is checked whole before anything is kept."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from desktop_app.core import export, importing
from desktop_app.core.errors import ImportRefused
from desktop_app.core.store import Store

SVG = "data:image/svg+xml;base64,"
SOURCES = [{"path": "/docs/guide.md", "heading": "Install"}]


def fill(store: Store) -> dict[str, int]:
    """Two conversations: one with versions, an edit, metrics, extras and settings."""
    cid = store.create_conversation()
    store.rename_conversation(cid, "Integrals & <b>code</b>")
    store.update_conversation_settings(cid, temperature=0.3, system_prompt="Be brief.", level="x")
    q = store.add_message(cid, "user", "What is $\\int_0^1 x\\,dx$? <script>alert(1)</script>")
    meta = {"model_id": "qwen", "quant": "Q4_K_M", "n_ctx": 4096, "ttft_s": 0.25,
            "tokens_per_s": 21.5, "prompt_tokens": 40, "completion_tokens": 64,
            "assistant_id": "math", "finish_reason": "length"}
    old = store.add_message(cid, "assistant", "<think>area</think>It is $\\frac12$.", **meta)
    store.set_extras(old, {"math_check": "1 check passed", "checks": [{"ok": True}]})
    store.add_message(cid, "user", "And ```python\nprint(1)\n```?")
    new = store.add_message(cid, "assistant", "```python\nprint('½')\n```", parent_id=q,
                            **{**meta, "finish_reason": "stop"})
    store.set_extras(new, {"sources": SOURCES})
    stopped = store.add_message(cid, "user", "again ![x](http://evil.example/x.png)")
    store.add_message(cid, "assistant", "partial", status="stopped", parent_id=stopped)
    other = store.create_conversation()
    store.add_message(other, "user", "hello ☃")
    store.add_message(other, "assistant", "", status="error", error="The model failed.")
    return {"math": cid, "other": other, "old": old, "new": new}


def normalised(doc: dict) -> dict:
    """The document with ids replaced by their order: what an import may change."""
    doc = json.loads(json.dumps(doc))
    doc.pop("exported_at")
    for conv in doc["conversations"]:
        order = {m["id"]: n for n, m in enumerate(conv["messages"])}
        conv["id"] = None
        conv["active_leaf"] = order.get(conv["active_leaf"])
        for m in conv["messages"]:
            m["id"], m["parent_id"] = order[m["id"]], order.get(m["parent_id"])
    return doc


@pytest.fixture
def stores(tmp_path: Path):
    made = []

    def make(name: str) -> Store:
        made.append(Store(tmp_path / name / "db.sqlite"))
        return made[-1]

    yield make
    for store in made:
        store.close()


def test_json_export_imports_back_without_loss(stores, tmp_path: Path) -> None:
    source = stores("a")
    ids = fill(source)
    first = export.document(source)
    path = tmp_path / "all.json"
    path.write_text(export.render(first, "json"))
    target = stores("b")
    target.add_message(target.create_conversation(), "user", "already here")
    imported = importing.import_file(target, path)
    again = export.document(target, imported)
    assert normalised(again) == normalised(first)
    # Every column of a message is in the export (a new column must be added there).
    columns = {r[1] for r in target.db.conn.execute("PRAGMA table_info(messages)")}
    assert columns - {"conversation_id"} == set(export.MESSAGE_FIELDS)
    # The active branch, versions and search come back too.
    math_id = imported[[c["id"] for c in first["conversations"]].index(ids["math"])]
    shown = target.messages(math_id)
    assert [m["content"] for m in shown] == [m["content"] for m in source.messages(ids["math"])]
    assert len(shown[1]["siblings"]) == 2
    assert {h["conversation_id"] for h in target.search("integral")} == {math_id}


def test_markdown_shows_the_branch_then_the_other_versions(stores) -> None:
    store = stores("a")
    ids = fill(store)
    text = export.render(export.document(store, [ids["math"]]), "md")
    assert text.startswith("# Integrals & <b>code</b>\n")
    shown, other = text.split("## Other version 1")
    assert "print('½')" in shown and "version 2 of 2" in shown and "qwen Q4_K_M" in shown
    assert "It is $\\frac12$." in other and "version 1 of 2" in other
    assert "Cut at the answer length limit." in other and "> **Reasoning**" in other
    assert "[Install — guide.md](file:///docs/guide.md)" in shown or "guide.md" in shown
    assert "*Stopped by you.*" in shown


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_one_file_that_loads_and_runs_nothing(stores) -> None:
    store = stores("a")
    fill(store)
    page = export.render(export.document(store), "html")
    parsed = Page()
    parsed.feed(page)
    names = {tag for tag, _ in parsed.tags}
    assert "script" not in names and "iframe" not in names and "link" not in names
    csp = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv")]
    assert [a["http-equiv"] for a in csp] == ["Content-Security-Policy"]
    assert "default-src 'none'" in csp[0]["content"] and "img-src data:" in csp[0]["content"]
    for _, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs)
        assert attrs.get("src", SVG).startswith(SVG)
    assert sum(t == "img" for t, _ in parsed.tags) >= 2  # the formulas, drawn in the page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<span style=" in page  # code highlighted
    assert "<details><summary>Reasoning</summary>area</details>" in page
    assert "Integrals &amp; &lt;b&gt;code&lt;/b&gt;" in page
    # a passed check reads as passed, not in the colour of an error (a new user's report)
    assert '<p class="note ok">Math check: 1 check passed</p>' in page
    assert '<p class="note error">Stopped by you.</p>' in page


def valid_document(store: Store) -> dict:
    fill(store)
    return json.loads(export.render(export.document(store), "json"))


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda d: d.update(format="other"), "not a Smallwise"),
        (lambda d: d.update(version=99), "newer Smallwise"),
        (lambda d: d["conversations"][1]["messages"][0].update(role="root"), "'role' must be"),
        (lambda d: d["conversations"][1]["messages"][1].update(parent_id=999), "parent 999"),
        (lambda d: d["conversations"][1]["messages"][0].update(content=7), "'content' has"),
        (lambda d: d["conversations"][1]["messages"][0].update(hack=1), "does not know: 'hack'"),
        (lambda d: d["conversations"][1].update(active_leaf=12345), "active_leaf"),
        (lambda d: d["conversations"][1]["messages"][0].update(n_ctx=2**70), "out of range"),
        (lambda d: d["conversations"][1]["messages"][0].update(created_at="soon"), "date"),
        (lambda d: d["conversations"][1].update(title="x" * 20_000), "longer than"),
    ],
)
def test_a_broken_file_is_refused_whole_and_says_where(stores, change, said: str) -> None:
    doc = valid_document(stores("a"))
    change(doc)
    target = stores("b")
    with pytest.raises(ImportRefused, match=said) as refused:
        importing.store_document(target, importing.parse(json.dumps(doc).encode()))
    if said not in ("not a Smallwise", "newer Smallwise"):
        assert "conversation 2" in str(refused.value)  # where it is wrong
    assert target.conversations() == []  # nothing of it was kept


def test_files_too_large_or_not_json_are_refused(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "big.json"
    big.write_text('{"format": "smallwise.conversations"}' + " " * 2000)
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ImportRefused, match="at most"):
        importing.read(big)
    for raw in (b"\xff\xfe", b"[" * 100_000, b'{"version": NaN}', b"{}"):
        with pytest.raises(ImportRefused):
            importing.parse(raw)


JSON = hs.recursive(
    hs.none() | hs.booleans() | hs.integers() | hs.floats(allow_nan=False) | hs.text(max_size=8),
    lambda inner: hs.lists(inner, max_size=3) | hs.dictionaries(hs.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)


def test_any_change_to_a_file_imports_or_is_refused(stores) -> None:
    valid = json.dumps(valid_document(stores("a")))
    target = stores("b")

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(path=hs.lists(hs.integers(0, 30), min_size=1, max_size=4), value=JSON)
    def check(path: list[int], value: object) -> None:
        doc = json.loads(valid)
        node = doc
        for step in path[:-1]:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            child = node[keys[step % len(keys)]] if keys else None
            if not isinstance(child, dict | list):
                break
            node = child
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if keys:
            node[keys[path[-1] % len(keys)]] = value
        before = len(target.conversations())
        try:
            importing.store_document(target, importing.parse(json.dumps(doc).encode()))
        except ImportRefused:
            assert len(target.conversations()) == before  # all or nothing

    check()
