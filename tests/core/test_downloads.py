"""Downloads against a real loopback HTTP server playing the hub (HF_ENDPOINT points at it)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hub_server import FakeHub

from desktop_app.core import downloads
from desktop_app.core.downloads import Cancelled, Download, DownloadError, resolve

REPO, FILE = "acme/tiny-GGUF", "tiny-Q4_K_M.gguf"


@pytest.fixture
def payload(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("payload") / FILE
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 12345))
    return path


@pytest.fixture
def hub(payload: Path, monkeypatch: pytest.MonkeyPatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)  # conftest sets it
    with FakeHub() as server:
        server.add(REPO, FILE, payload)
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


@pytest.fixture
def models(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    return folder


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(models: Path) -> list[str]:
    return sorted(str(p.relative_to(models)) for p in models.rglob("*") if p.is_file())


def test_resolve_gives_size_and_sha256_before_downloading(hub: FakeHub, payload: Path) -> None:
    remote = resolve(REPO, FILE)
    assert (remote.size, remote.sha256) == (payload.stat().st_size, sha(payload))
    assert not any(r.startswith("GET") for r in hub.requests)


def test_normal_download(hub: FakeHub, payload: Path, models: Path) -> None:
    seen = []
    path = Download(resolve(REPO, FILE), models, on_progress=seen.append).run()
    assert path == models / FILE and sha(path) == sha(payload)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert leftovers(models) == [FILE]
    assert seen[-1].done == seen[-1].total == payload.stat().st_size
    assert [p.done for p in seen] == sorted(p.done for p in seen) and seen[-1].bytes_per_s > 0


def test_dropped_connection_resumes_with_a_range_request(hub, payload, models) -> None:
    hub.files[(REPO, FILE)].drop_after = 2_500_000  # after two 1 MiB blocks
    path = Download(resolve(REPO, FILE), models).run()
    assert sha(path) == sha(payload)
    ranges = hub.files[(REPO, FILE)].ranges_seen
    assert ranges[0] == "" and ranges[1].startswith("bytes=") and int(ranges[1][6:-1]) > 0


def test_resumes_after_the_app_was_closed(hub, payload, models) -> None:
    """A first process is killed mid-file; a new one resumes from the partial file."""
    hub.files[(REPO, FILE)].chunk_delay_s = 0.02
    code = (
        "import sys; from pathlib import Path; from desktop_app.core.downloads import *; "
        f"Download(resolve({REPO!r}, {FILE!r}), Path(sys.argv[1])).run()"
    )
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    first = subprocess.Popen([sys.executable, "-c", code, str(models)], env=env)
    part = models / ".partial" / (FILE + ".part")
    deadline = time.monotonic() + 30
    while (not part.exists() or part.stat().st_size < 500_000) and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()
    first.wait()
    kept = part.stat().st_size
    assert 0 < kept < payload.stat().st_size
    hub.files[(REPO, FILE)].chunk_delay_s = 0
    path = Download(resolve(REPO, FILE), models).run()
    assert sha(path) == sha(payload)
    assert hub.files[(REPO, FILE)].ranges_seen[-1] == f"bytes={kept}-"
    assert leftovers(models) == [FILE]


def test_wrong_sha256_installs_nothing(hub, models) -> None:
    hub.files[(REPO, FILE)].advertised_sha256 = "0" * 64
    with pytest.raises(DownloadError, match="arrived damaged.*nothing was installed"):
        Download(resolve(REPO, FILE), models).run()
    assert leftovers(models) == []


def test_catalog_sha256_that_differs_from_the_hub_is_refused(hub, models) -> None:
    with pytest.raises(DownloadError, match="catalog expects"):
        Download(resolve(REPO, FILE), models, expected_sha256="1" * 64).run()
    assert leftovers(models) == []


@pytest.mark.parametrize("status, message", [(404, "does not exist"), (500, "error \\(500\\)")])
def test_hub_errors_get_clear_messages(hub, status: int, message: str) -> None:
    if status == 404:
        with pytest.raises(DownloadError, match=message):
            resolve(REPO, "missing.gguf")
    else:
        hub.files[(REPO, FILE)].status = 500
        with pytest.raises(DownloadError, match=message):
            resolve(REPO, FILE)


def test_server_error_mid_download_is_reported(hub, models) -> None:
    remote = resolve(REPO, FILE)
    hub.files[(REPO, FILE)].status = 503
    with pytest.raises(DownloadError, match="error \\(503\\)"):
        Download(remote, models).run()


def test_stalled_server_times_out_with_a_message(hub, models, monkeypatch) -> None:
    monkeypatch.setattr(downloads, "RETRIES", 1)
    remote = resolve(REPO, FILE)
    hub.files[(REPO, FILE)].stall_s = 3
    started = time.monotonic()
    with pytest.raises(DownloadError, match="stopped answering"):
        Download(remote, models, timeout=0.5).run()
    assert time.monotonic() - started < 10


def test_unreachable_hub(monkeypatch, models) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(DownloadError, match="Cannot reach"):
        resolve(REPO, FILE, timeout=2)


def test_free_space_check_refuses_before_downloading(hub, models, monkeypatch) -> None:
    # A full disk cannot be made here; disk_usage is the one thing faked.
    real = downloads.shutil.disk_usage
    monkeypatch.setattr(downloads.shutil, "disk_usage", lambda p: real(p)._replace(free=1_000_000))
    with pytest.raises(DownloadError, match="Not enough free disk space"):
        Download(resolve(REPO, FILE), models).run()
    assert not any(r.startswith("GET") for r in hub.requests)


def test_cancel_leaves_no_file_in_the_models_folder(hub, models) -> None:
    hub.files[(REPO, FILE)].chunk_delay_s = 0.01
    download = Download(resolve(REPO, FILE), models, on_progress=lambda p: download.cancel())
    with pytest.raises(Cancelled):
        download.run()
    assert leftovers(models) == []


def test_stopping_for_app_exit_keeps_the_partial_for_resume(hub, payload, models) -> None:
    hub.files[(REPO, FILE)].chunk_delay_s = 0.005
    remote = resolve(REPO, FILE)
    first = Download(remote, models)
    first.on_progress = lambda p: p.done > 1_000_000 and first.cancel(keep_partial=True)
    with pytest.raises(Cancelled):
        first.run()
    kept = (models / ".partial" / (FILE + ".part")).stat().st_size
    assert kept > 1_000_000
    hub.files[(REPO, FILE)].chunk_delay_s = 0
    assert sha(Download(remote, models).run()) == sha(payload)
    assert hub.files[(REPO, FILE)].ranges_seen[-1] == f"bytes={kept}-"
