"""A loopback HTTP server that plays the Hugging Face Hub for download tests: HEAD/GET on
/{repo}/resolve/{rev}/{file} with ETag, X-Repo-Commit, Content-Length and Range, and the
paths-info endpoint for the LFS sha256. Faults can be switched on per file."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote

COMMIT = "a" * 40


@dataclass
class Served:
    path: Path
    sha256: str
    size: int
    advertised_sha256: str | None = None  # lie about the sha256 (a corrupt mirror)
    drop_after: int | None = None  # close the connection after this many body bytes, once
    status: int | None = None  # answer every request with this status
    stall_s: float = 0.0  # wait this long before sending the body
    chunk_delay_s: float = 0.0  # a slow link: wait between 64 KiB chunks
    fail_next: list[int] = field(default_factory=list)  # answer the next requests with these
    retry_after: str | None = None  # the Retry-After header sent with fail_next answers
    ranges_seen: list[str] = field(default_factory=list)


class FakeHub:
    def __init__(self) -> None:
        self.files: dict[tuple[str, str], Served] = {}
        self.requests: list[str] = []
        handler = type("Handler", (_Handler,), {"hub": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, repo: str, filename: str, path: Path) -> Served:
        hasher = hashlib.sha256()
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                hasher.update(block)
        served = Served(path, hasher.hexdigest(), path.stat().st_size)
        self.files[(repo, filename)] = served
        return served

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _lookup(self) -> Served | None:
        parts = unquote(self.path.split("?")[0]).strip("/").split("/")
        if "resolve" not in parts:
            return None
        i = parts.index("resolve")
        return self.hub.files.get(("/".join(parts[:i]), "/".join(parts[i + 2 :])))

    def _headers(
        self, served: Served, length: int, status: int = 200, extra: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{served.advertised_sha256 or served.sha256}"')
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _error(self, status: int, retry_after: str | None = None) -> bool:
        self.send_response(status)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        if status == 404:
            self.send_header("X-Error-Code", "EntryNotFound")
            self.send_header("X-Error-Message", "Entry not found")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def _refuse(self, served: Served | None) -> bool:
        self.hub.requests.append(f"{self.command} {self.path}")
        if served is None:
            return self._error(404)
        if served.fail_next:
            return self._error(served.fail_next.pop(0), served.retry_after)
        if served.status:
            return self._error(served.status)
        return False

    def do_HEAD(self) -> None:
        served = self._lookup()
        if not self._refuse(served):
            self._headers(served, served.size)

    def do_GET(self) -> None:
        served = self._lookup()
        if self._refuse(served):
            return
        start = 0
        header = self.headers.get("Range")
        served.ranges_seen.append(header or "")
        if header and header.startswith("bytes="):
            start = int(header[6:].split("-")[0])
            self._headers(
                served,
                served.size - start,
                206,
                {"Content-Range": f"bytes {start}-{served.size - 1}/{served.size}"},
            )
        else:
            self._headers(served, served.size)
        time.sleep(served.stall_s)
        with served.path.open("rb") as fh:
            fh.seek(start)
            sent = 0
            while chunk := fh.read(64 * 1024):
                if served.drop_after is not None and start + sent + len(chunk) > served.drop_after:
                    self.wfile.write(chunk[: max(0, served.drop_after - start - sent)])
                    served.drop_after = None  # once
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.wfile.write(chunk)
                sent += len(chunk)
                time.sleep(served.chunk_delay_s)

    def do_POST(self) -> None:
        self.hub.requests.append(f"POST {self.path}")
        parts = unquote(self.path).strip("/").split("/")
        # /api/models/{org}/{name}/paths-info/{rev}
        if len(parts) < 6 or parts[:2] != ["api", "models"] or parts[4] != "paths-info":
            self._error(404)
            return
        repo = "/".join(parts[2:4])
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        paths = parse_qs(body).get("paths", [])
        found = []
        for path in paths:
            served = self.hub.files.get((repo, path))
            if served is not None:
                sha = served.advertised_sha256 or served.sha256
                found.append(
                    {
                        "type": "file",
                        "path": path,
                        "size": served.size,
                        "oid": "b" * 40,
                        "lfs": {"oid": sha, "size": served.size, "pointerSize": 134},
                    }
                )
        data = json.dumps(found).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
