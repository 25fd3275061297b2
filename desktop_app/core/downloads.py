"""Verifiable model downloads from the Hugging Face Hub or a mirror (HF_ENDPOINT).

Size and sha256 are resolved before the first byte; free space is checked; bytes stream into a
partial file that resumes with HTTP Range requests, also after the app was closed; the sha256 is
computed while writing; the file moves into the models folder only when it matches. Cancel
deletes the partial file. Memory stays flat: 1 MiB at a time. No Qt here.

huggingface_hub ≥ 1.18 deletes its partial files on any failure, so this module owns the
transfer and uses the library for URLs, metadata and headers only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")  # before huggingface_hub reads it

from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_url  # noqa: E402
from huggingface_hub.errors import (  # noqa: E402
    EntryNotFoundError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
)
from huggingface_hub.utils import build_hf_headers, get_session, httpx  # noqa: E402

from desktop_app.core.errors import Cancelled, DownloadError  # noqa: E402

CHUNK = 1 << 20
RETRIES = 5
PARTIAL_DIR = ".partial"




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
    try:
        meta = get_hf_file_metadata(url, token=token, timeout=timeout, endpoint=base)
        infos = HfApi(endpoint=base, token=token).get_paths_info(
            repo, [filename], revision=revision
        )
    except (EntryNotFoundError, RepositoryNotFoundError) as exc:
        raise DownloadError(f"{repo}/{filename} does not exist on {base}. Check the name.") from exc
    except OfflineModeIsEnabled as exc:
        raise DownloadError("Offline mode is on (HF_HUB_OFFLINE=1): downloads are off.") from exc
    except HfHubHTTPError as exc:
        raise DownloadError(_http_message(exc, base)) from exc
    except (httpx.TransportError, OSError) as exc:
        raise DownloadError(_network_message(exc, base)) from exc
    lfs = infos[0].lfs if infos and getattr(infos[0], "lfs", None) else None
    sha = lfs.sha256 if lfs else (meta.etag if _is_sha256(meta.etag) else None)
    if meta.size is None:
        raise DownloadError(f"{base} did not say how large {filename} is; try again later.")
    return RemoteFile(repo, filename, revision, url, int(meta.size), sha, meta.etag or "")


def _is_sha256(value: str | None) -> bool:
    return bool(value) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _http_message(exc: HfHubHTTPError, base: str) -> str:
    status = exc.response.status_code if exc.response is not None else "?"
    if status in (401, 403):
        return f"{base} refused access ({status}). This model may need a token: set HF_TOKEN."
    return f"{base} answered with an error ({status}). Try again later, or use a mirror."


def _network_message(exc: Exception, base: str) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"{base} stopped answering (timed out). Check the connection and try again."
    return f"Cannot reach {base} ({type(exc).__name__}). Check the connection and try again."


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
        self.target = models_dir / Path(remote.filename).name
        self.partial = models_dir / PARTIAL_DIR / (self.target.name + ".part")
        self.sidecar = self.partial.with_suffix(".json")
        self._cancel = threading.Event()
        self._keep = False

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
        self.hasher, done = self._resume_point()
        self._check_space(self.remote.size - done)
        try:
            done = self._transfer(done)
        except Cancelled:
            if not self._keep:
                self.discard()
            raise
        return self._install(done)

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.sidecar.unlink(missing_ok=True)

    def _resume_point(self) -> tuple[hashlib._Hash, int]:
        """Hash what an earlier attempt left, if it is the same file."""
        hasher = hashlib.sha256()
        state = asdict(self.remote)
        try:
            same = json.loads(self.sidecar.read_text()) == state
        except (OSError, ValueError):
            same = False
        if not same or not self.partial.exists():
            self.discard()
            self.sidecar.write_text(json.dumps(state))
            return hasher, 0
        with self.partial.open("rb") as fh:
            while block := fh.read(CHUNK):
                hasher.update(block)
        return hasher, self.partial.stat().st_size

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
        """Fetch the rest; a dropped connection resumes from the bytes already written."""
        failures = 0
        self.started, self.base = time.monotonic(), done
        while done < self.remote.size:
            try:
                done = self._get_from(done)
                failures = 0
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                done = self.partial.stat().st_size if self.partial.exists() else 0  # all hashed
                failures += 1
                if failures > RETRIES or isinstance(exc, httpx.HTTPStatusError):
                    raise DownloadError(self._failure_message(exc, done)) from exc
                time.sleep(min(2.0, 0.2 * 2**failures))
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
            if offset and response.status_code != 206:  # the server ignored Range: restart
                self.partial.write_bytes(b"")
                self.hasher = hashlib.sha256()
                offset = self.base = 0
            last_report = 0.0
            with self.partial.open("ab") as out:
                for block in response.iter_bytes(CHUNK):
                    if self._cancel.is_set():
                        raise Cancelled(f"Download of {self.remote.filename} cancelled.")
                    out.write(block)
                    self.hasher.update(block)
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
            return _http_message(HfHubHTTPError(str(exc), response=exc.response), endpoint()) + kept
        return _network_message(exc, endpoint()) + kept

    def _install(self, done: int) -> Path:
        digest = self.hasher.hexdigest()
        if done != self.remote.size or (self.expected and digest != self.expected):
            self.discard()
            raise DownloadError(
                f"{self.remote.filename} arrived damaged (its sha256 does not match the "
                "published one). It was deleted and nothing was installed; try again."
            )
        os.chmod(self.partial, 0o600)
        os.replace(self.partial, self.target)
        self.sidecar.unlink(missing_ok=True)
        return self.target


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"
