"""Messages between the app and the engine worker, as plain picklable dataclasses.

App → worker: Load, Chat, Cancel, Unload, Shutdown (and Embed for the embedding worker).
Worker → app: Loaded, Started, Token, Done, Failed (and Embedded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


# -- app → worker ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Load:
    model_path: str
    chat_format: str | None = None  # used only when the GGUF carries no chat template
    n_ctx: int = 4096
    n_threads: int = 2
    n_threads_batch: int = 2
    n_gpu_layers: int = 0
    n_batch: int = 512
    model_id: str = ""
    quant: str = ""


@dataclass(frozen=True)
class Sampling:
    max_tokens: int = 1024
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    seed: int | None = None
    stop: tuple[str, ...] = ()  # the answer ends before any of these (the API's `stop`)


@dataclass(frozen=True)
class Chat:
    request_id: int
    messages: list[dict[str, str]]  # [{"role": ..., "content": ...}], oldest first
    sampling: Sampling = field(default_factory=Sampling)


@dataclass(frozen=True)
class Cancel:
    request_id: int


@dataclass(frozen=True)
class Unload:
    pass


@dataclass(frozen=True)
class Shutdown:
    pass


# -- worker → app ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Loaded:
    model_path: str
    n_ctx: int
    n_threads: int
    chat_format: str  # "template" (the GGUF's own) or the named format used
    load_s: float
    device: str = "CPU"  # where the offloaded layers run: "CPU", or e.g. "CUDA0 (NVIDIA …)"
    n_gpu_layers: int = 0


@dataclass(frozen=True)
class Started:
    """The prompt fits; generation begins. left_out: oldest messages not given to the model."""

    request_id: int
    prompt_tokens: int
    left_out: int


@dataclass(frozen=True)
class Token:
    request_id: int
    text: str


FinishReason = Literal["stop", "length", "cancelled"]


@dataclass(frozen=True)
class Done:
    request_id: int
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    ttft_s: float  # measured in the worker, from the request to the first token
    tokens_per_s: float  # decode rate after the first token


class FailureKind(StrEnum):
    """Why an engine request failed; the UI words them differently. A str: the values are the
    plain strings of old (in logs, JSON output and stored rows), so they never change."""

    BAD_MODEL = "bad_model"  # not a usable GGUF file
    NO_CHAT_FORMAT = "no_chat_format"  # no template in the file, no known format named
    LOAD_FAILED = "load_failed"  # llama.cpp refused the model (often: not enough memory)
    TEMPLATE_FAILED = "template_failed"  # the model's chat template broke, or never finished
    PROMPT_TOO_LONG = "prompt_too_long"
    GENERATION_FAILED = "generation_failed"
    STOPPED = "stopped"  # the worker did not answer a stop in time and was ended
    WORKER_DIED = "worker_died"
    NOT_LOADED = "not_loaded"
    ENGINE_FAILED = "engine_failed"  # an unexpected error in the worker (a bug: see the log)
    CONNECTION_LOST = "connection_lost"  # a model server could not be reached, or it broke off


BAD_MODEL = FailureKind.BAD_MODEL
NO_CHAT_FORMAT = FailureKind.NO_CHAT_FORMAT
LOAD_FAILED = FailureKind.LOAD_FAILED
TEMPLATE_FAILED = FailureKind.TEMPLATE_FAILED
PROMPT_TOO_LONG = FailureKind.PROMPT_TOO_LONG
GENERATION_FAILED = FailureKind.GENERATION_FAILED
STOPPED = FailureKind.STOPPED
WORKER_DIED = FailureKind.WORKER_DIED
NOT_LOADED = FailureKind.NOT_LOADED
ENGINE_FAILED = FailureKind.ENGINE_FAILED
CONNECTION_LOST = FailureKind.CONNECTION_LOST


@dataclass(frozen=True)
class Failed:
    request_id: int | None
    kind: FailureKind
    message: str  # for the user: what happened and what to do
    detail: str = ""  # traceback or native log tail, for the log file, not the user


# -- the embedding worker (core/engine/embeddings.py): a second, small process ---------------
@dataclass(frozen=True)
class Embed:
    """App → embedding worker: the unit vectors of these texts (each cut to the model's
    context)."""

    request_id: int
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Embedded:
    """Embedding worker → app: float32 rows, one per text, `dim` wide."""

    request_id: int
    vectors: bytes
    dim: int
