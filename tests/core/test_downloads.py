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

from desktop_app.core import downloads, retry_policy
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
def test_hub_errors_get_clear_messages(hub, status: int, message: str, quick_backoff) -> None:
    if status == 404:
        with pytest.raises(DownloadError, match=message):
            resolve(REPO, "missing.gguf")
    else:
        hub.files[(REPO, FILE)].status = 500
        with pytest.raises(DownloadError, match=message):
            resolve(REPO, FILE)


def test_server_error_mid_download_is_reported(hub, models, quick_backoff) -> None:
    remote = resolve(REPO, FILE)
    hub.files[(REPO, FILE)].status = 503
    with pytest.raises(DownloadError, match="error \\(503\\)"):
        Download(remote, models).run()


def test_stalled_server_times_out_with_a_message(hub, models, monkeypatch) -> None:
    monkeypatch.setattr(retry_policy, "RETRIES", 1)
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


# -- confinement: nothing from outside writes outside the models folder (issue 10, point 6) --
def remote_named(filename: str) -> downloads.RemoteFile:
    remote = resolve(REPO, FILE)
    return downloads.RemoteFile(
        REPO, filename, "main", remote.url, remote.size, remote.sha256, remote.etag
    )


def everything_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    "filename",
    ["../../escaped/x.gguf", "/tmp/escaped/x.gguf", "..\\..\\escaped\\x.gguf", ".hidden.gguf"],
    ids=["relative", "absolute", "windows", "dotfile"],
)
def test_a_file_name_that_leaves_the_models_folder_is_refused(
    hub, models, tmp_path, filename
) -> None:
    with pytest.raises(DownloadError, match="not a plain file name"):
        Download(remote_named(filename), models).run()
    assert set(everything_under(tmp_path)) <= {"home", "models"}
    assert not any(r.startswith("GET") for r in hub.requests)


def test_a_partial_folder_that_links_outside_is_refused(hub, models, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (models / ".partial").symlink_to(outside)
    with pytest.raises(DownloadError, match="outside the models folder"):
        Download(resolve(REPO, FILE), models).run()
    assert list(outside.iterdir()) == []


def test_a_partial_file_that_links_outside_is_refused(hub, models, tmp_path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file\n")
    (models / ".partial").mkdir()
    (models / ".partial" / (FILE + ".part")).symlink_to(victim)
    with pytest.raises(DownloadError, match="outside the models folder"):
        Download(resolve(REPO, FILE), models).run()
    assert victim.read_text() == "the user's own file\n"


def test_a_target_that_links_outside_is_refused(hub, models, tmp_path) -> None:
    victim = tmp_path / "victim.gguf"
    victim.write_text("the user's own file\n")
    (models / FILE).symlink_to(victim)
    with pytest.raises(DownloadError, match="outside the models folder"):
        Download(resolve(REPO, FILE), models).run()
    assert victim.read_text() == "the user's own file\n"
    assert not any(r.startswith("GET") for r in hub.requests)


def test_a_hub_file_in_a_subfolder_lands_as_one_file_name(hub, payload, models) -> None:
    hub.add(REPO, "sub/dir/" + FILE, payload)
    path = Download(resolve(REPO, "sub/dir/" + FILE), models).run()
    assert path == models / FILE and leftovers(models) == [FILE]


# -- one download per file at a time, verified on disk (point 8) -----------------------------
DOWNLOAD_IN_CHILD = (
    "import sys; from pathlib import Path; from desktop_app.core.downloads import *; "
    f"Download(resolve({REPO!r}, {FILE!r}), Path(sys.argv[1])).run()"
)


def start_slow_child(hub: FakeHub, models: Path) -> subprocess.Popen:
    hub.files[(REPO, FILE)].chunk_delay_s = 0.02
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    child = subprocess.Popen([sys.executable, "-c", DOWNLOAD_IN_CHILD, str(models)], env=env)
    part = models / ".partial" / (FILE + ".part")
    deadline = time.monotonic() + 30
    while (not part.exists() or part.stat().st_size < 200_000) and time.monotonic() < deadline:
        time.sleep(0.05)
    return child


def test_a_second_download_of_the_same_file_is_refused_at_once(hub, payload, models) -> None:
    """Two processes (two terminals, or a terminal and the window) on one file."""
    first = start_slow_child(hub, models)
    started = time.monotonic()
    with pytest.raises(downloads.DownloadBusy, match="already being downloaded"):
        Download(resolve(REPO, FILE), models).run()
    assert time.monotonic() - started < 3
    assert first.wait(timeout=60) == 0
    assert sha(models / FILE) == sha(payload) and leftovers(models) == [FILE]


def test_bytes_changed_on_disk_during_the_transfer_are_caught(hub, models) -> None:
    """The running hash saw good bytes; what is on disk is checked before installing."""
    hub.files[(REPO, FILE)].chunk_delay_s = 0.002
    part = models / ".partial" / (FILE + ".part")
    tampered = []

    def meddle(p: downloads.Progress) -> None:
        if p.done > 1_000_000 and not tampered:
            with part.open("r+b") as fh:  # another writer scribbles over what was written
                fh.write(b"\0" * 4096)
            tampered.append(True)

    with pytest.raises(DownloadError, match="arrived damaged"):
        Download(resolve(REPO, FILE), models, on_progress=meddle).run()
    assert tampered and leftovers(models) == []


# -- retries: 5xx and 429 with backoff and Retry-After, 4xx at once (point 9) ----------------
@pytest.fixture
def quick_backoff(monkeypatch):
    monkeypatch.setattr(retry_policy, "BACKOFF_S", 0.01)


def test_503_twice_then_ok_honours_retry_after(hub, payload, models) -> None:
    remote = resolve(REPO, FILE)
    served = hub.files[(REPO, FILE)]
    served.fail_next, served.retry_after = [503, 503], "1"
    started = time.monotonic()
    path = Download(remote, models).run()
    assert sha(path) == sha(payload)
    assert time.monotonic() - started >= 2  # waited as asked, twice
    assert [r.split()[0] for r in hub.requests].count("GET") == 3


def test_429_is_retried(hub, payload, models, quick_backoff) -> None:
    remote = resolve(REPO, FILE)
    hub.files[(REPO, FILE)].fail_next = [429]
    assert sha(Download(remote, models).run()) == sha(payload)


def test_404_mid_download_is_not_retried(hub, models, quick_backoff) -> None:
    remote = resolve(REPO, FILE)
    hub.files[(REPO, FILE)].fail_next = [404]
    with pytest.raises(DownloadError, match="404"):
        Download(remote, models).run()
    assert [r.split()[0] for r in hub.requests].count("GET") == 1
    assert leftovers(models) == []  # no sidecar left behind either


def test_a_long_retry_after_is_not_waited_out(hub, models) -> None:
    remote = resolve(REPO, FILE)
    served = hub.files[(REPO, FILE)]
    served.fail_next, served.retry_after = [503], "3600"
    started = time.monotonic()
    with pytest.raises(DownloadError, match="asked to wait about 60 minutes"):
        Download(remote, models).run()
    assert time.monotonic() - started < 5


def test_resolve_retries_a_busy_hub(hub, payload, quick_backoff) -> None:
    served = hub.files[(REPO, FILE)]
    served.fail_next, served.retry_after = [503, 429], "0"
    assert resolve(REPO, FILE).size == payload.stat().st_size


@pytest.mark.parametrize(
    "header, seconds",
    [("1", 1.0), ("0", 0.0), ("-5", None), ("soon", None), (None, None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_values(header, seconds) -> None:
    assert retry_policy.retry_after_s(header) == seconds


def test_retry_after_as_a_date_in_the_future() -> None:
    from email.utils import formatdate

    wait = retry_policy.retry_after_s(formatdate(time.time() + 30, usegmt=True))
    assert wait is not None and 25 <= wait <= 31


# -- leftovers: sidecars never outlive their partial (point 9) -------------------------------
def test_a_failed_transfer_leaves_no_sidecar(hub, models, quick_backoff) -> None:
    remote = resolve(REPO, FILE)
    hub.files[(REPO, FILE)].status = 500
    with pytest.raises(DownloadError):
        Download(remote, models).run()
    assert leftovers(models) == []


def test_orphans_are_swept_when_a_download_starts(hub, payload, models) -> None:
    partial = models / ".partial"
    partial.mkdir()
    (partial / "gone.gguf.json").write_text("{}")  # its partial was deleted
    (partial / "lost.gguf.part").write_bytes(b"x" * 100)  # no sidecar: cannot resume
    (partial / "kept.gguf.part").write_bytes(b"x" * 100)  # resumable: kept
    (partial / "kept.gguf.json").write_text("{}")
    Download(resolve(REPO, FILE), models).run()
    assert everything_under(partial) == ["kept.gguf.json", "kept.gguf.part"]
