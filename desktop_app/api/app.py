"""The OpenAI-compatible ASGI app (Starlette + sse-starlette): GET /v1/models and POST
/v1/chat/completions, streamed or not. Every error is OpenAI's shape. A guard in front checks the
Host header (a web page must not reach a loopback server through DNS rebinding) and the API key
(compared in constant time); the body is bounded. No Qt here.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from desktop_app.api import schema
from desktop_app.api.service import ApiService, Crashed, Finished, Generation
from desktop_app.core.engine import protocol as p
from desktop_app.core.errors import ApiRequestError

log = logging.getLogger(__name__)
MAX_BODY = 1 << 20  # 1 MiB: a long conversation fits; a memory attack does not
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# How an engine failure reaches the client: HTTP status and OpenAI-style code.
FAILURE_STATUS = {
    p.PROMPT_TOO_LONG: (400, "context_length_exceeded", "invalid_request_error"),
    p.CONNECTION_LOST: (502, "engine_unreachable", "server_error"),
}


def create_app(service: ApiService, api_key: str = "", max_body: int = MAX_BODY) -> ASGIApp:
    app = Starlette(
        routes=[
            Route("/v1/models", list_models, methods=["GET"]),
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        ],
        exception_handlers={
            ApiRequestError: request_error,
            HTTPException: http_error,
            Exception: server_error,
        },
    )
    app.state.service, app.state.max_body = service, max_body
    return Guard(app, api_key)


# -- endpoints ---------------------------------------------------------------------------------
async def list_models(request: Request) -> Response:
    service: ApiService = request.app.state.service
    return JSONResponse({"object": "list", "data": await run_in_threadpool(service.models.listing)})


async def chat_completions(request: Request) -> Response:
    service: ApiService = request.app.state.service
    if "json" not in request.headers.get("content-type", ""):
        raise ApiRequestError("Send the body as JSON (Content-Type: application/json).", 415)
    chat = schema.parse_chat(await _body(request, request.app.state.max_body))
    # A place first: a full queue answers 429 at once, before any work on the request (finding
    # the model may read the host's profile: seconds on a busy machine).
    ticket = service.admit()
    try:
        target = await run_in_threadpool(service.models.resolve, chat.model)
    except BaseException:
        service.conversations.gate.withdraw(ticket)  # the place is never lost
        raise
    generation = service.start(chat, target, ticket)
    if chat.stream:

        async def closed(message: Any) -> None:  # also before the first chunk was asked for
            service.stop(generation)

        return EventSourceResponse(
            _stream(service, generation, chat),
            ping=15,
            headers={"Cache-Control": "no-store"},
            client_close_handler_callable=closed,
        )
    return await _complete(request, service, generation, chat)


async def _body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length", "")
    too_long = ApiRequestError(f"The body is larger than {limit:,} bytes.", 413)
    if length and (not length.isdigit() or int(length) > limit):
        raise too_long
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise too_long
    return bytes(body)


async def _complete(
    request: Request, service: ApiService, generation: Generation, chat: schema.ChatRequest
) -> Response:
    """Wait for the whole answer; a client that goes away meanwhile stops it."""
    gone: asyncio.Future[Any] = asyncio.ensure_future(_disconnected(request))
    waiting: set[asyncio.Future[Any]] = {generation.finished, gone}
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not generation.finished.done():
        service.stop(generation)
        return Response(status_code=499)  # nobody reads it
    result = _result(generation.finished.result())
    done = result.done
    counts = schema.usage(done.prompt_tokens, done.completion_tokens) if done else _no_usage()
    finish = done.finish_reason if done else "stop"
    body = schema.completion(
        schema.completion_id(), chat.model, result.text, finish, counts, _extras(result.extras)
    )
    return JSONResponse(body)


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _stream(
    service: ApiService, generation: Generation, chat: schema.ChatRequest
) -> AsyncIterator[dict[str, str]]:
    """SSE chunks as the tokens come. If the client goes away, sse-starlette cancels this
    generator, and its `finally` stops the answer."""
    cid, sent, ended = schema.completion_id(), "", False
    try:
        yield _data(schema.chunk(cid, chat.model, {"role": "assistant", "content": ""}))
        while True:
            event = await generation.events.get()
            if isinstance(event, p.Token):
                sent += event.text
                yield _data(schema.chunk(cid, chat.model, {"content": event.text}))
                continue
            ended = True
            try:
                result = _result(event)
            except ApiRequestError as exc:
                yield _data(schema.error_body(exc))
                return
            for data in _closing(cid, chat, result, sent):
                yield _data(data)
            yield {"data": "[DONE]"}
            return
    finally:
        if not ended:
            service.stop(generation)


def _closing(cid: str, chat: schema.ChatRequest, result: Any, sent: str) -> list[dict[str, Any]]:
    """The end of a stream: text the app added itself (a "not covered" answer), the finish
    reason with the extras, and the usage when asked."""
    closing, done = [], result.done
    rest = result.text[len(sent) :] if result.text.startswith(sent) else ""
    if rest:
        closing.append(schema.chunk(cid, chat.model, {"content": rest}))
    last = schema.chunk(cid, chat.model, {}, done.finish_reason if done else "stop")
    if _extras(result.extras):
        last["smallwise"] = _extras(result.extras)
    closing.append(last)
    if chat.include_usage:
        counts = schema.usage(done.prompt_tokens, done.completion_tokens) if done else _no_usage()
        closing.append(schema.chunk(cid, chat.model, counts=counts))
    return closing


def _result(outcome: Finished | Crashed) -> Any:
    """The turn's result, or ApiRequestError saying why there is no answer."""
    if isinstance(outcome, Crashed):
        raise ApiRequestError(outcome.message, 500, code="internal_error", type="server_error")
    result = outcome.result
    if result.failed is not None:
        status, code, kind = FAILURE_STATUS.get(
            result.failed.kind, (500, str(result.failed.kind), "server_error")
        )
        raise ApiRequestError(result.failed.message, status, code=code, type=kind)
    return result


def _extras(extras: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extras.items() if k != "reasoning"}  # that is in the text


def _no_usage() -> dict[str, int]:
    return schema.usage(0, 0)


def _data(body: dict[str, Any]) -> dict[str, str]:
    return {"data": json.dumps(body, ensure_ascii=False)}


# -- errors ------------------------------------------------------------------------------------
async def request_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiRequestError)
    return JSONResponse(schema.error_body(exc), exc.status, headers=exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    words = {404: "There is no such endpoint here.", 405: "That method is not allowed here."}
    message = words.get(exc.status_code, str(exc.detail))
    error = ApiRequestError(message, exc.status_code)
    return JSONResponse(schema.error_body(error), exc.status_code)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("API request failed", exc_info=exc)
    error = ApiRequestError(
        "Something went wrong in Smallwise; see its log.", 500, code="internal_error",
        type="server_error",
    )
    return JSONResponse(schema.error_body(error), 500)


# -- the guard ---------------------------------------------------------------------------------
class Guard:
    """In front of every request: a Host header naming this computer (unless a key is set, a
    loopback server answers no other name) and the API key, when there is one."""

    def __init__(self, app: ASGIApp, api_key: str = ""):
        self.app, self.key = app, api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            refusal = self._refusal(headers)
            if refusal is not None:
                await JSONResponse(schema.error_body(refusal), refusal.status)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, headers: dict[bytes, bytes]) -> ApiRequestError | None:
        if not self.key:
            if host_name(headers.get(b"host", b"")) not in LOOPBACK_HOSTS:
                return ApiRequestError("This server answers only for this computer.", 421)
            return None
        scheme, _, token = headers.get(b"authorization", b"").partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(token.strip(), self.key):
            return ApiRequestError(
                "Incorrect or missing API key: send it as 'Authorization: Bearer KEY'.",
                401,
                code="invalid_api_key",
            )
        return None


def host_name(host: bytes) -> str:
    """The name in a Host header, without the port: 'localhost:8765' → 'localhost',
    '[::1]:8765' → '::1'."""
    text = host.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text
