"""What the first-run page says, from the planner, for described machines (the words in
ui/model_text, read untranslated: no translator is installed here)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hosts import HOSTS

from desktop_app.core import first_run
from desktop_app.core.assistants.registry import load_assistants
from desktop_app.core.catalog import load_catalog
from desktop_app.core.planner import Figures, estimate, ram_budget
from desktop_app.ui import model_text

CATALOG = load_catalog()
FIG = Figures.from_catalog(CATALOG["phi-4-mini-instruct"])


def test_download_time_in_plain_words() -> None:
    assert model_text.download_time(2_019_377_696) == "≈ 5 min at 50 Mbit/s"
    assert model_text.download_time(250_000_000) == "under a minute at 50 Mbit/s"
    assert model_text.download_time(40_000_000_000) == "≈ 1.8 h at 50 Mbit/s"
    assert model_text.download_time(2_019_377_696, mbit=10) == "≈ 27 min at 10 Mbit/s"


@pytest.mark.parametrize("name", ["cpu-4", "cpu-16", "nvidia-8"])
def test_the_capacity_is_the_largest_file_the_planner_lets_run(name) -> None:
    host = HOSTS[name]
    cpu, gpu = first_run.capacity(host, FIG)
    fits = estimate(FIG, cpu, first_run.CAPACITY_CTX, quant="Q5_K_M").ram
    too_big = estimate(FIG, int(cpu * 1.05) + 1, first_run.CAPACITY_CTX, quant="Q5_K_M").ram
    assert fits <= ram_budget(host) < too_big
    assert (gpu > 0) == name.startswith("nvidia")


def test_a_recommendation_per_assistant_that_fits_and_is_never_the_starter() -> None:
    found = first_run.survey(CATALOG, HOSTS["cpu-8"], load_assistants(), [])
    picks = {p.assistant_id: p for p in found.recommendations}
    assert set(picks) == {"chat", "tutor", "math", "support"}
    for pick in picks.values():
        assert pick.model_id != "gemma-3-270m" and pick.verdict == "CPU only"
        assert pick.size_bytes == CATALOG[pick.model_id].quant(pick.quant).size_bytes
    assert picks["chat"].model_id == "llama-3.2-3b-instruct"  # General chat's first choice
    assert "math" in CATALOG[picks["math"].model_id].roles
    assert not found.own_model


def test_a_small_machine_gets_smaller_models_and_is_told_so() -> None:
    tiny = replace(HOSTS["cpu-4"], ram_available_bytes=int(1.6 * (1 << 30)))
    found = first_run.survey(CATALOG, tiny, load_assistants(), [])
    for pick in found.recommendations:
        assert CATALOG[pick.model_id].quant(pick.quant).size_bytes < found.cpu_bytes
    starved = replace(tiny, ram_available_bytes=1 << 30)
    text = model_text.capacity_text(first_run.survey(CATALOG, starved, load_assistants(), []))
    assert text.startswith("This computer has little free memory right now")


def test_the_gpu_in_words_and_a_cpu_only_build_said_plainly() -> None:
    found = first_run.survey(CATALOG, HOSTS["nvidia-8"], load_assistants(), [])
    text = model_text.capacity_text(found)
    assert "fully on its GPU (NVIDIA 8 GB)" in text
    assert all(p.verdict == "Full GPU" for p in found.recommendations)
    cpu_build = replace(HOSTS["nvidia-8"], gpu_offload_build=False)
    text = model_text.capacity_text(first_run.survey(CATALOG, cpu_build, load_assistants(), []))
    assert "GPU" not in text.split(".")[0] and "runs on the CPU only" in text


def test_an_installed_model_counts_as_the_users_own(tmp_path) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(b"GGUF")
    starter = [{"id": "gemma-3-270m", "path": str(path), "quant": "Q4_K_M"}]
    assert not first_run.survey(CATALOG, HOSTS["cpu-8"], {}, starter).own_model
    mine = [{"id": "my-model", "path": str(path), "quant": ""}]
    assert first_run.survey(CATALOG, HOSTS["cpu-8"], {}, mine).own_model
    assert first_run.survey(CATALOG, HOSTS["cpu-8"], {}, [], "x.gguf").own_model
