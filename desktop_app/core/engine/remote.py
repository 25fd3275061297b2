"""A model server on another machine (or this one) as an engine: any OpenAI-compatible /v1 API —
llama.cpp's llama-server, Ollama, vLLM, another Smallwise. The same interface as the local
worker (backend.Engine): chat() streams Started, Token…, Done or Failed; cancel() closes the
stream; a server that goes away mid-answer ends it with CONNECTION_LOST, which the turn keeps,
with its text, as interrupted. What the server sends is untrusted: lines, errors, the model list
and the answer's length are bounded. It talks only to the address the user configured. No Qt.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from desktop_app.core.engine import protocol as p
from desktop_app.core.errors import EngineError, RemoteEngineError

MAX_LINE = 1 << 20  # one server-sent-events line; a longer one is not a token
MAX_BODY = 4 << 20  # a model list or an error body
MAX_QUOTE = 300  # characters of a server's own words shown to the user
CHECK_ADDRESS = " Check that it is running and the address in Settings (or --engine)."


def base_url(address: str) -> str:
    """'host:port', 'http://host:port' or 'http://host:port/v1' → 'http://host:port/v1'."""
    text = address.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as exc:
        raise RemoteEngineError(f"'{address}' is not a server address ({exc}).") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise RemoteEngineError(
            f"'{address}' is not a server address: give http://HOST:PORT, e.g. "
            "http://192.168.1.5:8000 (or the server's /v1 address)."
        )
    path = url.path.rstrip("/")
    path = path if path.endswith("/v1") else path + "/v1"
    return str(url.copy_with(path=path, query=None, fragment=None))


def server_name(url: str) -> str:
    """'http://192.168.1.5:8000/v1' → '192.168.1.5:8000': where the model runs, in short."""
    parsed = httpx.URL(url)
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    return f"{host}:{parsed.port}" if parsed.port else host


def quote(text: Any) -> str:
    """A server's words, made safe to show: one line, no markup, bounded."""
    line = " ".join(str(text).split())
    line = "".join(c for c in line if c.isprintable()).replace("<", "‹").replace(">", "›")
    return line if len(line) <= MAX_QUOTE else line[: MAX_QUOTE - 1] + "…"


@dataclass
class _Tally:
    """What one streamed answer has counted so far."""

    sent: float
    count: int = 0
    first: float = 0.0
    last: float = 0.0
    finish: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def token(self) -> None:
        self.last = time.perf_counter()
        self.first = self.first or self.last
        self.count += 1

    def done(self, request_id: int, finish: p.FinishReason) -> p.Done:
        span = self.last - self.first
        rate = (self.count - 1) / span if self.count > 1 and span > 0 else 0.0
        ttft = self.first - self.sent if self.first else 0.0
        completion = self.completion_tokens or self.count
        return p.Done(request_id, finish, self.prompt_tokens, completion, ttft, rate)


class _Lost(Exception):
    """The stream ended without the server saying the answer was complete."""


class RemoteEngine:
    connect_timeout_s = 5.0
    read_timeout_s = 300.0  # a CPU server may think long before the first token of a long prompt

    def __init__(self, address: str, api_key: str = ""):
        self.url = base_url(address)
        self.server = server_name(self.url)
        self.loaded: p.Loaded | None = None
        self.model = ""  # the server's name for the model that answers
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        timeout = httpx.Timeout(self.read_timeout_s, connect=self.connect_timeout_s)
        # trust_env=False: the address the user gave is the one used, whatever the environment
        # says about proxies.
        self._http = httpx.Client(headers=headers, timeout=timeout, trust_env=False)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()  # _active, _cancelled, _response
        self._active: int | None = None
        self._cancelled: int | None = None
        self._response: httpx.Response | None = None

    # -- models --------------------------------------------------------------------------------
    def models(self) -> list[dict[str, Any]]:
        """The server's models (its /v1/models entries); EngineError when it cannot say."""
        try:
            with self._http.stream("GET", self.url + "/models") as response:
                body = _read(response.iter_bytes(), MAX_BODY)
                status = response.status_code
        except httpx.HTTPError as exc:
            raise EngineError(self._unreachable(exc)) from None
        if status != 200:
            raise EngineError(p.Failed(None, p.LOAD_FAILED, self._refusal(status, body)))
        try:
            entries = json.loads(body)["data"]
            return [e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]
        except (ValueError, KeyError, TypeError):
            message = (
                f"The server at {self.server} did not answer like an OpenAI-compatible API "
                "(GET /v1/models gave no model list)." + CHECK_ADDRESS
            )
            raise EngineError(p.Failed(None, p.LOAD_FAILED, message)) from None

    def pick(self, name: str | None = None) -> str:
        """The server's name for `name` (its first model when None); EngineError if absent."""
        names: list[str] = [str(e["id"]) for e in self.models()]
        if not name and names:
            return names[0]
        for candidate in (name, f"{name}:latest"):  # Ollama lists "llama3.2" as ":latest"
            if candidate in names:
                return candidate
        have = ", ".join(quote(n) for n in names[:10]) or "none"
        message = f"The server at {self.server} has no model '{quote(name)}'. It has: {have}."
        raise EngineError(p.Failed(None, p.NOT_LOADED, message))

    def check(self) -> str:
        """"Test connection": what the server has, in a sentence; EngineError if it fails."""
        names = [e["id"] for e in self.models()]
        listed = ", ".join(quote(n) for n in names[:5]) + (" …" if len(names) > 5 else "")
        return f"Connected to {self.server}: {len(names)} model(s) ({listed or 'none'})."

    # -- the engine interface ------------------------------------------------------------------
    def load(self, request: p.Load) -> p.Loaded:
        """No weights move: the server is asked which models it has, and the model named in
        `request.model_id` (or its first) answers from now on."""
        started = time.perf_counter()
        self.loaded = None
        entries = {e["id"]: e for e in self.models()}
        self.model = self.pick(request.model_id or None) if entries else ""
        if not self.model:
            message = f"The server at {self.server} has no model loaded." + CHECK_ADDRESS
            raise EngineError(p.Failed(None, p.NOT_LOADED, message))
        n_ctx = entries.get(self.model, {}).get("max_model_len")  # vLLM says it; others don't
        self.loaded = p.Loaded(
            self.url,
            n_ctx if isinstance(n_ctx, int) else 0,
            0,
            "server",
            time.perf_counter() - started,
            device=f"on {self.server}",
        )
        return self.loaded

    def alive(self) -> bool:
        return self.loaded is not None  # checked again by the next load after a failure

    def chat(self, messages: list[dict[str, str]], sampling: p.Sampling) -> Iterator[Any]:
        request_id = next(self._ids)
        with self._lock:
            self._active = request_id
        try:
            yield from self._stream(request_id, messages, sampling)
        finally:
            with self._lock:
                self._active = self._response = None

    def cancel(self) -> None:
        """Close the stream: the reading thread wakes at once and ends the answer as stopped;
        the server sees the connection close and stops generating."""
        with self._lock:
            if self._active is None:
                return
            self._cancelled, response = self._active, self._response
        if response is not None:
            _shut(response)

    def shutdown(self, timeout: float = 3.0) -> None:
        self.cancel()
        self._http.close()
        self.loaded = None

    # -- streaming -----------------------------------------------------------------------------
    def _stream(self, request_id: int, messages: list[dict[str, str]], sampling: p.Sampling):
        if self.loaded is None:
            message = "No model is chosen on the server yet."
            yield p.Failed(request_id, p.NOT_LOADED, message)
            return
        tally = _Tally(time.perf_counter())
        try:
            with self._http.stream(
                "POST", self.url + "/chat/completions", json=self._body(messages, sampling)
            ) as response:
                with self._lock:
                    self._response = response
                if self._cancelled == request_id:
                    yield tally.done(request_id, "cancelled")
                    return
                if response.status_code != 200:
                    yield self._failed_request(request_id, response)
                    return
                yield p.Started(request_id, 0, 0)
                yield from self._events(request_id, response, tally, sampling.max_tokens)
        except (httpx.HTTPError, _Lost, OSError) as exc:
            if self._cancelled == request_id:
                yield tally.done(request_id, "cancelled")
            else:
                self.loaded = None  # the next answer asks the server again
                yield self._lost(request_id, exc)

    def _body(self, messages: list[dict[str, str]], sampling: p.Sampling) -> dict[str, Any]:
        # Only the standard fields: a strict server refuses fields it does not know.
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": sampling.max_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
        }
        if sampling.seed is not None:
            body["seed"] = sampling.seed
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        return body

    def _events(
        self, request_id: int, response: httpx.Response, tally: _Tally, max_tokens: int
    ) -> Iterator[Any]:
        limit = max_tokens + 16  # a server that ignores max_tokens is cut off here
        for data in sse_data(response.iter_bytes(), MAX_LINE):
            if data.strip() == "[DONE]":
                break
            chunk = _json_object(data)
            if "error" in chunk:
                message = f"The server at {self.server} stopped the answer: "
                message += quote(_error_text(chunk)) + "."
                yield p.Failed(request_id, p.GENERATION_FAILED, message)
                return
            yield from self._chunk(request_id, chunk, tally)
            if self._cancelled == request_id:
                yield tally.done(request_id, "cancelled")
                return
            if tally.count >= limit:
                tally.finish = "length"
                break
        else:
            if tally.finish is None:  # no [DONE] and no finish_reason: the server went away
                raise _Lost("the stream ended before the answer was complete")
        yield tally.done(request_id, _finish(tally.finish))

    def _chunk(self, request_id: int, chunk: dict[str, Any], tally: _Tally) -> Iterator[Any]:
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            tally.prompt_tokens = _count(usage.get("prompt_tokens"))
            tally.completion_tokens = _count(usage.get("completion_tokens"))
        choices = chunk.get("choices")
        choice = choices[0] if isinstance(choices, list) and choices else {}
        if not isinstance(choice, dict):
            return
        delta = choice.get("delta")
        text = delta.get("content") if isinstance(delta, dict) else None
        if isinstance(text, str) and text:
            tally.token()
            yield p.Token(request_id, text)
        if isinstance(choice.get("finish_reason"), str):
            tally.finish = choice["finish_reason"]

    # -- failures, in words --------------------------------------------------------------------
    def _unreachable(self, exc: Exception) -> p.Failed:
        reason = quote(exc) or type(exc).__name__
        message = f"Smallwise cannot reach the model server at {self.server} ({reason})."
        return p.Failed(None, p.CONNECTION_LOST, message + CHECK_ADDRESS)

    def _lost(self, request_id: int, exc: Exception) -> p.Failed:
        reason = quote(exc) or type(exc).__name__
        message = (
            f"The connection to the model server at {self.server} broke off ({reason}). The "
            "answer so far is kept; the next message tries the server again."
        )
        return p.Failed(request_id, p.CONNECTION_LOST, message)

    def _refusal(self, status: int, body: bytes) -> str:
        said = quote(_error_text(_json_object(body.decode("utf-8", "replace"))) or body[:200])
        if status in (401, 403):
            return (
                f"The model server at {self.server} refused the key ({status}: {said}). Check "
                "the key in Settings (or --engine-key)."
            )
        return f"The model server at {self.server} answered {status}: {said}."

    def _failed_request(self, request_id: int, response: httpx.Response) -> p.Failed:
        message = self._refusal(response.status_code, _read(response.iter_bytes(), MAX_BODY))
        if response.status_code == 404:
            self.loaded = None  # the model may be gone: ask again next time
        kind = p.GENERATION_FAILED
        if response.status_code == 400 and "context" in message.lower():
            kind = p.PROMPT_TOO_LONG
        return p.Failed(request_id, kind, message)


def sse_data(chunks: Iterable[bytes], max_line: int = MAX_LINE) -> Iterator[str]:
    """The data of each server-sent event, from raw bytes (any of \\n, \\r\\n line ends);
    a line longer than `max_line` ends the stream as broken."""
    pending, data = b"", list[str]()
    for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        if len(pending) > max_line:
            raise _Lost(f"the server sent a line longer than {max_line:,} bytes")
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if not line:
                if data:
                    yield "\n".join(data)
                data = []
            elif line.startswith("data:"):
                data.append(line[6:] if line.startswith("data: ") else line[5:])
    if data:
        yield "\n".join(data)


def _read(chunks: Iterable[bytes], limit: int) -> bytes:
    body = b""
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            break
    return body[:limit]


def _json_object(text: str | bytes) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _error_text(body: dict[str, Any]) -> str:
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message", ""))
    return str(error or body.get("detail") or body.get("message") or "")


def _count(value: Any) -> int:
    return value if isinstance(value, int) and 0 <= value < 1 << 31 else 0


def _finish(reason: str | None) -> p.FinishReason:
    return "length" if reason == "length" else "stop"


def _shut(response: httpx.Response) -> None:
    """Shut the connection's socket down: a thread blocked reading it wakes at once (closing it
    alone would not wake it on Linux)."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        else:
            response.close()
    except (OSError, RuntimeError):
        pass
