"""`smallwise plan` (for this machine and for a described one) and `smallwise calibrate`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "core"))

from conftest import smallwise  # noqa: E402
from hosts import HOSTS  # noqa: E402

from desktop_app.core.hardware import HostProfile  # noqa: E402
from desktop_app.settings import Settings  # noqa: E402


def test_plan_for_this_machine(tmp_path: Path) -> None:
    result = smallwise("plan", "llama-3.2-1b-instruct", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Llama 3.2 1B Instruct:" in result.stdout and "why: needs" in result.stdout


def test_plan_for_a_described_machine(tmp_path: Path) -> None:
    profile = tmp_path / "laptop.json"
    profile.write_text(HOSTS["nvidia-4"].to_json())
    result = smallwise(
        "plan", "llama-3.2-3b-instruct", "--host", str(profile), "--json", home=tmp_path
    )
    data = json.loads(result.stdout)
    assert data["verdict"] == "Partial GPU" and 0 < data["n_gpu_layers"] < 28
    assert set(data["parts"]) == {"weights", "kv_cache", "compute", "overhead"}
    fixed = json.loads(
        smallwise(
            "plan",
            "llama-3.2-3b-instruct",
            "--host",
            str(profile),
            "--quant",
            "Q4_0",
            "--ctx",
            "2048",
            "--json",
            home=tmp_path,
        ).stdout
    )
    assert (fixed["quant"], fixed["n_ctx"]) == ("Q4_0", 2048)


def test_plan_errors(tmp_path: Path) -> None:
    assert "not in the catalog" in smallwise("plan", "nope", home=tmp_path).stderr
    assert (
        "has no Q2_K"
        in smallwise("plan", "phi-4-mini-instruct", "--quant", "Q2_K", home=tmp_path).stderr
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    result = smallwise("plan", "phi-4-mini-instruct", "--host", str(broken), home=tmp_path)
    assert result.returncode == 2 and "cannot read the host profile" in result.stderr
    assert HostProfile.from_dict(json.loads(HOSTS["cpu-8"].to_json())) == HOSTS["cpu-8"]


def test_calibrate_measures_and_saves_the_fastest_thread_count(
    tmp_path: Path, tiny_model: Path
) -> None:
    result = smallwise("calibrate", "--model", str(tiny_model), "--tokens", "16", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tokens/s" in result.stdout and "fastest:" in result.stdout
    saved = Settings(tmp_path / "config" / "settings.json")["calibrated_threads"]
    assert saved >= 1 and f"fastest: {saved} thread" in result.stdout


def test_an_installed_model_is_planned_from_its_own_file(tmp_path: Path, tiny_model: Path) -> None:
    """The plan a user sees for an installed model comes from the file's header, as the
    engine will load it — also for an import the catalog does not know."""
    imported = smallwise("models", "import", str(tiny_model), home=tmp_path)
    assert imported.returncode == 0, imported.stderr
    result = smallwise("plan", "tiny-chatml", "--ctx", "2048", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["from"] == "its file" and data["n_ctx"] == 2048
    assert data["parts"]["weights"] == tiny_model.stat().st_size  # F32: nothing repacked
    unknown = smallwise("plan", "no-such-model", home=tmp_path)
    assert unknown.returncode == 2 and "not in the catalog and not installed" in unknown.stderr
