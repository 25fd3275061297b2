"""The library's size check against a loopback hub (HF_ENDPOINT points at it)."""

from __future__ import annotations

import json

import pytest
from hub_server import FakeHub
from test_models_cli import REPO, entry

from desktop_app.core.catalog import load_catalog
from desktop_app.core.library import check_sizes, size_report, with_hub_sizes


@pytest.fixture
def hub(tiny_model, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    with FakeHub() as server:
        for t in ("F32", "Q8_0"):  # Q4_K_M is missing on this hub
            server.add(REPO, f"tiny-{t}.gguf", tiny_model)
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


def tiny_catalog(tiny_model, tmp_path):
    model = entry(tiny_model, None)
    model["quants"][1]["size_bytes"] = 123  # a wrong figure
    model["quants"][1]["revision"] = "d" * 40
    base = json.dumps({"schema_version": 1, "models": [model]})
    return load_catalog(base, extra=tmp_path / "none.json")


def test_one_head_per_file_finds_a_wrong_figure(hub, tiny_model, tmp_path) -> None:
    catalog = tiny_catalog(tiny_model, tmp_path)
    checks = {c.quant: c for c in check_sizes(catalog)}
    size = tiny_model.stat().st_size
    assert (checks["F32"].hub_bytes, checks["F32"].wrong) == (size, False)
    assert (checks["Q8_0"].hub_bytes, checks["Q8_0"].wrong) == (size, True)
    assert checks["Q4_K_M"].hub_bytes is None and "does not exist" in checks["Q4_K_M"].problem
    assert sum(r.startswith("HEAD") for r in hub.requests) == 3  # one per file, no download
    assert any(f"/resolve/{'d' * 40}/tiny-Q8_0.gguf" in r for r in hub.requests)
    report = size_report(checks.values())
    assert any("tiny-chat Q8_0" in line and "123 bytes" in line for line in report)
    fixed = with_hub_sizes(catalog, checks.values())["tiny-chat"].quant("Q8_0")
    assert (fixed.size_bytes, fixed.size_verified) == (size, True)


def test_an_unreachable_hub_is_reported_per_file(tiny_model, tmp_path, monkeypatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    checks = check_sizes(tiny_catalog(tiny_model, tmp_path), timeout=2)
    assert len(checks) == 3 and all("Cannot reach" in c.problem for c in checks)


def test_the_cli_says_which_catalog_figures_are_wrong(hub, tiny_model, tmp_path) -> None:
    import os
    import subprocess
    import sys

    model = entry(tiny_model, None)
    model["quants"][1]["size_bytes"] = 123
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"schema_version": 1, "models": [model]}))
    env = {
        **os.environ,
        "SMALLWISE_HOME": str(tmp_path / "home"),
        "SMALLWISE_CATALOG": str(catalog),
        "HF_HUB_OFFLINE": "0",
    }
    run = subprocess.run(
        [sys.executable, "-m", "desktop_app", "models", "check-sizes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "tiny-chat Q8_0: the catalog says 123 bytes" in run.stdout
    assert "catalog figure(s) wrong" in run.stdout.splitlines()[-1]
