"""Host profile probes: real where they run, and each one missing gives "unknown"."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from desktop_app.core import hardware
from desktop_app.core.hardware import HostProfile, amd_gpus, nvidia_gpus, profile


def test_profile_of_this_machine_is_quick_and_round_trips(tmp_path: Path) -> None:
    host = profile()
    assert host.ram_total_bytes > host.ram_available_bytes > 0
    assert host.physical_cores and host.logical_cores
    path = tmp_path / "host.json"
    path.write_text(host.to_json())
    assert HostProfile.load(path) == host


def test_missing_tools_and_files_give_unknown(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(hardware.shutil, "which", lambda name: None)
    monkeypatch.setattr(hardware, "Path", lambda *a: tmp_path / "nothing-here")
    assert nvidia_gpus() == []
    hardware.cpu_model()  # must not raise with /proc/cpuinfo and sysctl both missing
    assert amd_gpus(tmp_path / "no-drm") == []
    host = profile()
    assert host.gpus == [] and host.gpu_offload_build is None


def test_nvidia_smi_output_is_read(monkeypatch, tmp_path: Path) -> None:
    fake = tmp_path / "nvidia-smi"  # a stand-in tool: no NVIDIA GPU exists here
    fake.write_text("#!/bin/sh\necho 'NVIDIA GeForce RTX 3060, 12288, 11000'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    (gpu,) = nvidia_gpus()
    assert (gpu.name, gpu.total_bytes, gpu.free_bytes) == (
        "NVIDIA GeForce RTX 3060",
        12288 << 20,
        11000 << 20,
    )


def test_amd_sysfs_is_read_and_broken_entries_skipped(tmp_path: Path) -> None:
    for card, vendor, total, used in (
        ("card0", "0x1002", 8 << 30, 1 << 30),
        ("card1", "0x10de", 1, 1),
        ("card2", "0x1002", "x", 0),
    ):
        device = tmp_path / card / "device"
        device.mkdir(parents=True)
        (device / "vendor").write_text(vendor)
        (device / "mem_info_vram_total").write_text(str(total))
        (device / "mem_info_vram_used").write_text(str(used))
    (gpu,) = amd_gpus(tmp_path)
    assert (gpu.vendor, gpu.total_bytes, gpu.free_bytes) == ("amd", 8 << 30, 7 << 30)


def test_doctor_json_carries_the_host_profile(tmp_path: Path) -> None:
    from conftest import smallwise

    data = json.loads(smallwise("doctor", "--json", home=tmp_path).stdout)
    host = HostProfile.from_dict(data["host_profile"])
    assert host.ram_total_bytes > 0 and host.gpu_offload_build is False  # this CPU build


def test_threads_use_a_calibrated_value_when_there_is_one() -> None:
    assert hardware.choose_threads(busy=0, calibrated=1) == 1
    assert hardware.choose_threads(busy=0) == hardware.physical_cores()
    assert hardware.choose_threads(busy=hardware.physical_cores()) == 1


def test_the_build_is_asked_once_and_fed_into_the_profile(tmp_path) -> None:
    """What the llama.cpp build can do reaches the host profile (so the planner can say a GPU
    goes unused by a CPU-only build); it is probed once per installed build, then remembered."""
    import json
    import os

    from desktop_app.core.engine import build
    from desktop_app.core.hardware import profile

    found = build.known(tmp_path)
    cached = json.loads((tmp_path / build.CACHE_FILE).read_text())
    assert cached["fingerprint"] == build.fingerprint() and cached["probe"] == found
    expected = os.environ.get("SMALLWISE_EXPECT_BUILD", "CPU")  # CI's GPU variants set it
    assert found["build"] == expected
    assert profile(found).gpu_offload_build is (expected != "CPU")
    cached["probe"]["build"] = "remembered"
    (tmp_path / build.CACHE_FILE).write_text(json.dumps(cached))
    assert build.known(tmp_path)["build"] == "remembered"  # not probed again
