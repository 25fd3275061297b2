"""Verifiable model downloads from the Hugging Face Hub or a mirror (HF_ENDPOINT).

Size and sha256 are resolved before the first byte; free space is checked; bytes stream into a
partial file that resumes with HTTP Range requests, also after the app was closed; the file moves
into the models folder only when the sha256 of the bytes on disk matches. One process at a time
downloads a given file (an OS lock next to the partial file). A busy hub (429, 5xx) is retried
with backoff, honouring Retry-After up to a minute; other errors are reported at once. Every
path written is confined to the models folder (core/confined.py). Memory stays flat: 1 MiB at a
time. No Qt here.

huggingface_hub ≥ 1.18 deletes its partial files on any failure, so this module owns the
transfer and uses the library for URLs, metadata and headers only.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")  # before huggingface_hub reads it

from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_url  # noqa: E402
from huggingface_hub.errors import (  # noqa: E402
    EntryNotFoundError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
)
from huggingface_hub.utils import build_hf_headers, get_session, httpx  # noqa: E402

from desktop_app.core import file_lock  # noqa: E402
from desktop_app.core.confined import confined, local_name, name_problem  # noqa: E402
from desktop_app.core.errors import Cancelled, DownloadBusy, DownloadError  # noqa: E402
from desktop_app.core.retry_policy import RETRY_AFTER_CAP_S, retry_after_s, retry_delay  # noqa: E402

CHUNK = 1 << 20
PARTIAL_DIR = ".partial"
SWEEP_LIMIT = 1000  # entries of the partial folder looked at per download
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class RemoteFile:
    repo: str
    filename: str
    revision: str
    url: str
    size: int
    sha256: str | None
    etag: str


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    bytes_per_s: float

    @property
    def eta_s(self) -> float | None:
        return (self.total - self.done) / self.bytes_per_s if self.bytes_per_s > 0 else None


def endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def resolve(
    repo: str,
    filename: str,
    revision: str = "main",
    token: str | None = None,
    timeout: float = 15.0,
) -> RemoteFile:
    """Size and sha256 of a file on the hub, before downloading it."""
    base = endpoint()
    url = hf_hub_url(repo, filename, revision=revision, endpoint=base)

    def ask() -> tuple[Any, Any]:
        meta = get_hf_file_metadata(url, token=token, timeout=timeout, endpoint=base)
        api = HfApi(endpoint=base, token=token)
        return meta, api.get_paths_info(repo, [filename], revision=revision)

    with _hub_errors(repo, filename, base):
        meta, infos = _retrying(ask)
    lfs = infos[0].lfs if infos and getattr(infos[0], "lfs", None) else None
    sha = lfs.sha256 if lfs else (meta.etag if _is_sha256(meta.etag) else None)
    if meta.size is None:
        raise DownloadError(f"{base} did not say how large {filename} is; try again later.")
    return RemoteFile(repo, filename, revision, url, int(meta.size), sha, meta.etag or "")


def remote_size(
    repo: str, filename: str, revision: str = "main", token: str | None = None, timeout=10.0
) -> int:
    """The size of a file on the hub from one HEAD request; nothing is downloaded."""
    base = endpoint()
    url = hf_hub_url(repo, filename, revision=revision, endpoint=base)
    with _hub_errors(repo, filename, base):
        meta = _retrying(
            lambda: get_hf_file_metadata(url, token=token, timeout=timeout, endpoint=base)
        )
    if meta.size is None:
        raise DownloadError(f"{base} did not say how large {filename} is; try again later.")
    return int(meta.size)


@contextmanager
def _hub_errors(repo: str, filename: str, base: str) -> Iterator[None]:
    """The hub's and the network's exceptions as DownloadError with a message for the user."""
    try:
        yield
    except (EntryNotFoundError, RepositoryNotFoundError) as exc:
        raise DownloadError(f"{repo}/{filename} does not exist on {base}. Check the name.") from exc
    except OfflineModeIsEnabled as exc:
        raise DownloadError("Offline mode is on (HF_HUB_OFFLINE=1): downloads are off.") from exc
    except HfHubHTTPError as exc:
        raise DownloadError(_http_message(exc.response, base)) from exc
    except (httpx.TransportError, OSError) as exc:
        raise DownloadError(_network_message(exc, base)) from exc


def _retrying(ask: Callable[[], Any]) -> Any:
    """ask(), again while the hub answers 429 or 5xx (metadata is small: no resume needed)."""
    waited = 0.0
    for failures in itertools.count(1):
        try:
            return ask()
        except HfHubHTTPError as exc:
            delay = retry_delay(exc.response, failures, waited)
            if delay is None:
                raise
            waited += delay
            time.sleep(delay)


def _is_sha256(value: str | None) -> bool:
    return value is not None and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _http_message(response: Any, base: str) -> str:
    status = response.status_code if response is not None else 0
    if status in (401, 403):
        return f"{base} refused access ({status}). This model may need a token: set HF_TOKEN."
    asked = retry_after_s(response.headers.get("Retry-After")) if response is not None else None
    if asked is not None and asked > RETRY_AFTER_CAP_S:
        return (
            f"{base} is busy ({status}) and asked to wait about {-(-asked // 60):.0f} "
            "minutes. Try again then, or use a mirror."
        )
    if status == 429 or status >= 500:
        return (
            f"{base} answered with an error ({status}), also when asked again. Try again "
            "later, or use a mirror."
        )
    return f"{base} answered with an error ({status or '?'}). Try again later, or use a mirror."


def _network_message(exc: Exception, base: str) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"{base} stopped answering (timed out). Check the connection and try again."
    return f"Cannot reach {base} ({type(exc).__name__}). Check the connection and try again."


def _open(path: Path, flags: int) -> int:
    """os.open that never follows a link planted in the models folder (POSIX)."""
    return os.open(path, flags | _NOFOLLOW, 0o600)


class Download:
    """One file into the models folder. run() blocks; cancel() may be called from any thread."""

    def __init__(
        self,
        remote: RemoteFile,
        models_dir: Path,
        token: str | None = None,
        expected_sha256: str | None = None,
        timeout: float = 20.0,
        on_progress: Callable[[Progress], None] | None = None,
    ):
        self.remote, self.models_dir, self.token, self.timeout = remote, models_dir, token, timeout
        self.expected = expected_sha256 or remote.sha256
        self.on_progress = on_progress or (lambda p: None)
        self.name = local_name(remote.filename)  # one plain file name, or UnsafePath
        self._confine()
        self._cancel = threading.Event()
        self._keep = False

    def _confine(self) -> None:
        """(Re)check every path this download writes: inside the models folder, no links."""
        self.target = confined(self.models_dir, self.name)
        self.partial = confined(self.models_dir, self.name + ".part", PARTIAL_DIR)
        self.sidecar = confined(self.models_dir, self.name + ".json", PARTIAL_DIR)
        self.lock = confined(self.models_dir, self.name + ".lock", PARTIAL_DIR)

    def cancel(self, keep_partial: bool = False) -> None:
        """Stop soon. A user's Cancel discards the bytes; closing the app keeps them so the
        next download resumes (keep_partial=True)."""
        self._keep = keep_partial
        self._cancel.set()

    def run(self) -> Path:
        if self.expected and self.remote.sha256 and self.expected != self.remote.sha256:
            raise DownloadError(
                f"{self.remote.filename} on the hub has sha256 {self.remote.sha256[:12]}…, not "
                f"the {self.expected[:12]}… the catalog expects. Nothing was downloaded."
            )
        self.partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._confine()  # the folder just made (or found) is a real one inside
        try:
            with file_lock.exclusive(self.lock):
                return self._run_locked()
        except file_lock.Busy:
            raise DownloadBusy(
                f"{self.name} is already being downloaded by another Smallwise window or "
                "terminal; wait for it to finish, then try again if it is not installed."
            ) from None

    def _run_locked(self) -> Path:
        sweep(self.partial.parent)
        done = self._resume_point()
        try:
            self._check_space(self.remote.size - done)
            self._transfer(done)
        except Cancelled:
            if not self._keep:
                self.discard()
            raise
        except DownloadError:
            if self._on_disk() == 0:
                self.discard()  # nothing to resume from: no sidecar left behind
            raise
        return self._install()

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.sidecar.unlink(missing_ok=True)

    def _on_disk(self) -> int:
        try:
            return os.stat(self.partial, follow_symlinks=False).st_size
        except FileNotFoundError:
            return 0

    def _resume_point(self) -> int:
        """The bytes an earlier attempt left, if they are of the same file."""
        state = asdict(self.remote)
        try:
            same = json.loads(self.sidecar.read_text()) == state
        except (OSError, ValueError):
            same = False
        done = self._on_disk()
        if same and 0 < done <= self.remote.size:
            return done
        self.discard()
        fd = _open(self.sidecar, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(state))
        return 0

    def _check_space(self, remaining: int) -> None:
        free = shutil.disk_usage(self.models_dir).free
        margin = max(256 << 20, remaining // 20)
        if free < remaining + margin:
            raise DownloadError(
                f"Not enough free disk space for {self.remote.filename}: it needs "
                f"{_gb(remaining + margin)} (with a safety margin) and {_gb(free)} is free in "
                f"{self.models_dir}. Free some space and try again."
            )

    def _transfer(self, done: int) -> int:
        """Fetch the rest. A dropped connection or a busy hub (429, 5xx) is tried again after a
        wait, resuming from the bytes on disk; any progress starts a new count of failures."""
        failures, waited = 0, 0.0
        self.started, self.base = time.monotonic(), done
        while done < self.remote.size:
            before = done
            try:
                done = self._get_from(done)
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                done = self._on_disk()
                failures, waited = (1, 0.0) if done > before else (failures + 1, waited)
                delay = retry_delay(getattr(exc, "response", None), failures, waited)
                if delay is None:
                    raise DownloadError(self._failure_message(exc, done)) from exc
                waited += delay
                if self._cancel.wait(delay):
                    raise Cancelled(f"Download of {self.remote.filename} cancelled.") from exc
        return done

    def _get_from(self, offset: int) -> int:
        headers = build_hf_headers(token=self.token)
        if offset:
            headers["Range"] = f"bytes={offset}-"
        timeout = httpx.Timeout(self.timeout, connect=self.timeout)
        with get_session().stream(
            "GET", self.remote.url, headers=headers, timeout=timeout, follow_redirects=True
        ) as response:
            response.raise_for_status()
            restart = offset and response.status_code != 206  # the server ignored Range
            if restart:
                offset = self.base = 0
            flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if restart else os.O_APPEND)
            with os.fdopen(_open(self.partial, flags), "ab" if not restart else "wb") as out:
                return self._write(response, out, offset)

    def _write(self, response: Any, out: Any, offset: int) -> int:
        last_report = 0.0
        for block in response.iter_bytes(CHUNK):
            if self._cancel.is_set():
                raise Cancelled(f"Download of {self.remote.filename} cancelled.")
            out.write(block)
            offset += len(block)
            now = time.monotonic()
            if now - last_report >= 0.1 or offset == self.remote.size:
                last_report = now
                rate = (offset - self.base) / max(now - self.started, 1e-6)
                self.on_progress(Progress(offset, self.remote.size, rate))
        return offset

    def _failure_message(self, exc: Exception, done: int) -> str:
        kept = f" {_gb(done)} is kept and the next try resumes from there." if done else ""
        if isinstance(exc, httpx.HTTPStatusError):
            return _http_message(exc.response, endpoint()) + kept
        return _network_message(exc, endpoint()) + kept

    def _install(self) -> Path:
        """Move the partial file into place if the bytes on disk (not only those that were
        received) have the published size and sha256."""
        size = self._on_disk()
        digest = self._sha256_on_disk() if self.expected else None
        if size != self.remote.size or digest != self.expected:
            self.discard()
            raise DownloadError(
                f"{self.remote.filename} arrived damaged (its sha256 does not match the "
                "published one). It was deleted and nothing was installed; try again."
            )
        self._confine()
        os.chmod(self.partial, 0o600)
        os.replace(self.partial, self.target)
        self.sidecar.unlink(missing_ok=True)
        return self.target

    def _sha256_on_disk(self) -> str:
        hasher = hashlib.sha256()
        with os.fdopen(_open(self.partial, os.O_RDONLY), "rb") as fh:
            while block := fh.read(CHUNK):
                if self._cancel.is_set():
                    raise Cancelled(f"Download of {self.remote.filename} cancelled.")
                hasher.update(block)
        return hasher.hexdigest()


def sweep(partial_dir: Path) -> None:
    """Remove what no download can use: a sidecar whose partial file is gone, a partial file
    without its sidecar (it cannot resume), an import's leftover copy, an unheld lock file.
    What another download or import holds is left alone. Partial files with their sidecar are
    kept: the next download of that file resumes from them."""
    try:
        entries = list(itertools.islice(partial_dir.iterdir(), SWEEP_LIMIT))
    except OSError:
        return
    for entry in entries:
        stem, _, kind = entry.name.rpartition(".")
        if name_problem(stem) is not None or kind not in ("json", "part", "import", "lock"):
            continue
        pair = {"json": ".part", "part": ".json"}.get(kind)
        if pair and (partial_dir / (stem + pair)).exists():
            continue
        try:
            if not file_lock.held_elsewhere(partial_dir / (stem + ".lock")) and kind != "lock":
                entry.unlink(missing_ok=True)
        except OSError:
            continue  # a link or a permission problem: not ours to clean


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"
