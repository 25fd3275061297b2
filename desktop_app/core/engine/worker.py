"""The engine worker process: owns the one llama_cpp.Llama object and serves requests from the
app over a pipe. Nothing here may touch Qt or the store; a crash here ends only this process,
and this process ends with the app (it watches a lifeline pipe, and on Linux asks the kernel).
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
import time
import traceback
from collections import deque
from multiprocessing.connection import Connection
from typing import Any

from desktop_app.core.engine import protocol as p
from desktop_app.core.engine import templates
from desktop_app.core.engine.build import build_label, libggml, offload_device, probe
from desktop_app.core.engine.templates import TEMPLATE, TURN_TOKENS, TemplateFailed
from desktop_app.core.gguf_info import NotGGUF, read_header

__all__ = ["Worker", "build_label", "probe", "serve"]  # probe, build_label: doctor's imports
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PER_MESSAGE = 8  # tokens a chat template adds around a message, at most for most templates
CHARS_PER_TOKEN_MAX = 32  # no tokenizer packs more characters into one token


class PromptTooLong(Exception):
    pass


def serve(
    conn: Connection,
    log_path: str | None = None,
    lifeline: Connection | None = None,
    parent_pid: int | None = None,
    pdeathsig: bool = False,
) -> None:
    """Process entry point."""
    _llama_first()
    if pdeathsig:
        _die_with_parent(parent_pid)
    if lifeline is not None:
        threading.Thread(
            target=_watch_parent, args=(lifeline, parent_pid), name="lifeline", daemon=True
        ).start()
    _redirect_output(log_path)
    Worker(conn).run()


def _llama_first() -> None:
    """Load llama.cpp's libraries before anything here imports numpy (gguf does, reading the
    header): on a GPU machine whose numpy had loaded its OpenBLAS first, every model load of a
    CUDA build crashed (SIGSEGV), on the GPU and on the CPU alike (benchmarks/gpu_offload.py).
    A build that cannot load is reported when the model is loaded, as before."""
    try:
        import llama_cpp  # noqa: F401
    except Exception:
        pass


def _die_with_parent(parent_pid: int | None) -> None:
    """Linux: the kernel sends SIGKILL when the thread that started this process ends, even
    while Python here is stuck in native code or never lets the lifeline thread run."""
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(0)  # the parent died before the request took effect


def _watch_parent(lifeline: Connection, parent_pid: int | None) -> None:
    """Every platform: the app holds the other end of the lifeline and never writes to it; when
    the app dies the pipe reaches EOF, and the worker ends at once, whatever it was doing (an
    endless chat template included). A changed parent pid (POSIX reparenting) says the same."""
    while True:
        try:
            if lifeline.poll(1.0):
                break  # EOF: the app never writes to it, so readable means closed
        except OSError:
            break
        except MemoryError:  # a template at its memory cap, in the main thread: keep watching
            continue
        if parent_pid is not None and sys.platform != "win32" and os.getppid() != parent_pid:
            break
    os._exit(0)


def _redirect_output(log_path: str | None) -> None:
    # llama.cpp writes to fds 1 and 2; keep that (and native crash traces) in the log file.
    if not log_path:
        return
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = sys.stderr = os.fdopen(os.dup(fd), "w", buffering=1)
    faulthandler.enable(sys.stderr)


class Worker:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.llm: Any = None
        self.formatter: Any = None
        self.model = ""  # the model's name, for messages
        self.turn_token_ids: set[int] = set()
        self.n_ctx = 0
        self.pending: deque[Any] = deque()
        self.interrupt: Any = None  # the message that stopped the current generation

    def run(self) -> None:
        try:
            while self.serve_one():
                pass
        except (EOFError, OSError):
            pass  # the app is gone (closed pipe): nobody to answer, so end quietly
        finally:
            self.unload()

    def serve_one(self) -> bool:
        msg = self.pending.popleft() if self.pending else self.conn.recv()
        if isinstance(msg, p.Shutdown):
            return False
        try:
            if isinstance(msg, p.Load):
                self.load(msg)
            elif isinstance(msg, p.Chat):
                self.chat(msg)
            elif isinstance(msg, p.Unload):
                self.unload()
            # A Cancel that arrives when nothing runs has nothing to stop.
        except (EOFError, OSError):
            raise  # the pipe to the app broke
        except Exception as exc:  # a bug here must not end the worker: report it, carry on
            request_id = msg.request_id if isinstance(msg, p.Chat) else None
            message = f"Something went wrong in the model process ({exc}). See the log."
            self.send(p.Failed(request_id, p.ENGINE_FAILED, message, traceback.format_exc()))
        return True

    def send(self, event: Any) -> None:
        self.conn.send(event)

    # -- load ------------------------------------------------------------------------------
    def load(self, req: p.Load) -> None:
        self.unload()
        started = time.perf_counter()
        self.model = req.model_id or os.path.basename(req.model_path)
        checked = self._check(req)
        if checked is None or not self._open(req):
            return
        template, chat_format = checked
        if chat_format == TEMPLATE and template is not None:
            self.formatter = templates.template_formatter(template, self.llm)
        else:
            self.formatter = templates.named_formatter(chat_format)
        self.n_ctx = self.llm.n_ctx()
        self.turn_token_ids = self._single_tokens(TURN_TOKENS.get(chat_format, ()))
        device = offload_device(req.n_gpu_layers)
        self.send(
            p.Loaded(
                req.model_path,
                self.n_ctx,
                req.n_threads,
                chat_format,
                time.perf_counter() - started,
                device,
                req.n_gpu_layers if device != "CPU" else 0,
            )
        )

    def _check(self, req: p.Load) -> tuple[str | None, str] | None:
        """The file's chat template and the format to use, or None after sending why the
        model cannot be used: not a sound GGUF, no way to format a chat, a broken template."""
        try:
            header = read_header(req.model_path)
        except NotGGUF as exc:
            self.send(p.Failed(None, p.BAD_MODEL, str(exc)))
            return None
        chat_format = TEMPLATE if header.chat_template else req.chat_format
        if chat_format != TEMPLATE and chat_format not in templates.FORMATTERS:
            message = templates.no_format_message(self.model, chat_format)
            self.send(p.Failed(None, p.NO_CHAT_FORMAT, message))
            return None
        try:
            templates.check_compiles(header.metadata, self.model)
        except TemplateFailed as exc:
            self.send(p.Failed(None, p.TEMPLATE_FAILED, str(exc), traceback.format_exc()))
            return None
        return header.chat_template, chat_format

    def _open(self, req: p.Load) -> bool:
        """Load the weights into self.llm; False after sending why llama.cpp could not."""
        try:
            import llama_cpp

            libggml()  # the backends of a GGML_BACKEND_DL build, before the model needs them
            self.llm = llama_cpp.Llama(
                model_path=req.model_path,
                n_ctx=req.n_ctx,
                n_threads=req.n_threads,
                n_threads_batch=req.n_threads_batch,
                n_gpu_layers=req.n_gpu_layers,
                n_batch=req.n_batch,
                verbose=False,
            )
            return True
        except Exception as exc:  # llama.cpp reports every load failure as ValueError
            message = (
                f"llama.cpp could not load {os.path.basename(req.model_path)} ({exc}). The file "
                "may be damaged, too large for the free memory, or need a newer llama.cpp."
            )
            self.send(p.Failed(None, p.LOAD_FAILED, message, traceback.format_exc()))
            return False

    def _single_tokens(self, texts: tuple[str, ...]) -> set[int]:
        ids = set()
        for text in texts:
            tokens = self.llm.tokenize(text.encode(), add_bos=False, special=True)
            if len(tokens) == 1:
                ids.add(tokens[0])
        return ids

    def unload(self) -> None:
        if self.llm is not None:
            self.llm.close()
            self.llm = self.formatter = None

    # -- chat ------------------------------------------------------------------------------
    def chat(self, req: p.Chat) -> None:
        if self.llm is None:
            self.send(p.Failed(req.request_id, p.NOT_LOADED, "No model is loaded."))
            return
        started = time.perf_counter()
        try:
            tokens, left_out, result = self.fit(req.messages, req.sampling.max_tokens)
        except PromptTooLong as exc:
            self.send(p.Failed(req.request_id, p.PROMPT_TOO_LONG, str(exc)))
            return
        except TemplateFailed as exc:
            self.send(
                p.Failed(req.request_id, p.TEMPLATE_FAILED, str(exc), traceback.format_exc())
            )
            return
        self.send(p.Started(req.request_id, len(tokens), left_out))
        try:
            self._generate(req, tokens, result, started)
        except OSError:
            raise  # the pipe to the app broke
        except Exception as exc:
            self.send(
                p.Failed(
                    req.request_id,
                    p.GENERATION_FAILED,
                    f"The model failed while answering ({exc}).",
                    traceback.format_exc(),
                )
            )

    def _generate(self, req: p.Chat, tokens: list[int], result: Any, started: float) -> None:
        from llama_cpp import StoppingCriteriaList

        s = req.sampling
        counter = _TokenCounter(self, req.request_id)
        criteria = StoppingCriteriaList([counter])
        if self.turn_token_ids:
            criteria.append(_StopAtTurnToken(self.turn_token_ids))
        if result.stopping_criteria is not None:
            criteria.extend(result.stopping_criteria)
        stop = (
            result.stop if isinstance(result.stop, list) else [result.stop] if result.stop else []
        )
        stop = [*stop, *(text for text in s.stop if text)]  # the template's, then the caller's
        self.interrupt, ttft, finish = None, 0.0, "stop"
        stream = self.llm.create_completion(
            prompt=tokens,
            stream=True,
            max_tokens=min(s.max_tokens, self.n_ctx - len(tokens)),
            temperature=s.temperature,
            top_p=s.top_p,
            top_k=s.top_k,
            min_p=s.min_p,
            repeat_penalty=s.repeat_penalty,
            seed=s.seed,
            stop=stop,
            stopping_criteria=criteria,
        )
        for chunk in stream:
            choice = chunk["choices"][0]
            if choice["text"]:
                ttft = ttft or time.perf_counter() - started
                self.send(p.Token(req.request_id, choice["text"]))
            finish = choice["finish_reason"] or finish
        finish_reason: p.FinishReason = "length" if finish == "length" else "stop"
        if isinstance(self.interrupt, p.Cancel):
            finish_reason = "cancelled"
        elif self.interrupt is not None:
            finish_reason = "cancelled"
            self.pending.appendleft(self.interrupt)
        self.send(
            p.Done(req.request_id, finish_reason, len(tokens), counter.count, ttft, counter.rate())
        )

    def fit(self, messages: list[dict[str, str]], max_tokens: int) -> tuple[list[int], int, Any]:
        """Tokenize the prompt; leave out the oldest turns if the conversation outgrew the
        context, always keeping the system message and the newest user message."""
        reserve = min(max_tokens, self.n_ctx // 2)
        budget = self.n_ctx - reserve
        system = [m for m in messages[:1] if m["role"] == "system"]
        turns = messages[len(system) :]
        starts = [i for i, m in enumerate(turns) if m["role"] == "user"] or [0]
        # Rendering from each user turn in turn, oldest first, cost the square of the length:
        # 2,000 messages outran the 30 s template limit. Counted message by message from the
        # newest instead (never more than fills the context), then rendered from there: a
        # few renders, each of what fits.
        guess = self._first_fitting(system, turns, starts, budget)
        tokens, result = self.render(system + turns[starts[guess] :])
        if len(tokens) <= budget:
            while guess > 0:  # the count errs on the safe side: earlier turns may fit too
                more, more_result = self.render(system + turns[starts[guess - 1] :])
                if len(more) > budget:
                    break
                guess, tokens, result = guess - 1, more, more_result
            return tokens, starts[guess], result
        for start in starts[guess + 1 :]:
            tokens, result = self.render(system + turns[start:])
            if len(tokens) <= budget:
                return tokens, start, result
        raise PromptTooLong(
            f"Your message is about {len(tokens):,} tokens long, but this model can read "
            f"{budget:,} tokens at once with the current settings (context {self.n_ctx:,}, "
            f"{reserve:,} kept for the answer). Shorten or split the message, or raise the "
            "context size in Settings."
        )

    def _first_fitting(
        self,
        system: list[dict[str, str]],
        turns: list[dict[str, str]],
        starts: list[int],
        budget: int,
    ) -> int:
        """Which of `starts` the prompt may begin at, counted from the newest message back:
        its text's tokens and a template's few per message (more than most use)."""
        used = sum(self._count(m["content"], budget) + PER_MESSAGE for m in system)
        first = len(turns)
        while first > 0 and used <= budget:
            first -= 1
            used += self._count(turns[first]["content"], budget) + PER_MESSAGE
        if used > budget:
            first += 1  # that message did not fit
        return next((i for i, start in enumerate(starts) if start >= first), len(starts) - 1)

    def _count(self, text: str, budget: int) -> int:
        if len(text) > CHARS_PER_TOKEN_MAX * budget:  # more than fits, without tokenizing it
            return budget + 1
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def render(self, messages: list[dict[str, str]]) -> tuple[list[int], Any]:
        """The prompt's tokens. Messages that end with an answer ask to continue it: the prompt
        opens the answer's turn and the text so far follows, unclosed (llama-server's
        "assistant prefill"), so the model goes on from its last word."""
        prefill = ""
        if messages and messages[-1]["role"] == "assistant":
            prefill, messages = messages[-1]["content"], messages[:-1]
        result = templates.render(self.formatter, messages, self.model)
        tokens = self.llm.tokenize(
            (result.prompt + prefill).encode("utf-8"),
            add_bos=not result.added_special,
            special=True,
        )
        return tokens, result

    def check_messages(self, request_id: int) -> bool:
        """Between tokens: True when a message arrived that must stop this generation."""
        while self.conn.poll():
            msg = self.conn.recv()
            if isinstance(msg, p.Cancel) and msg.request_id != request_id:
                continue
            self.interrupt = msg
            return True
        return False


class _TokenCounter:
    """A stopping criterion that counts sampled tokens and checks the pipe after each one, so a
    Cancel stops generation within one token."""

    def __init__(self, worker: Worker, request_id: int):
        self.worker, self.request_id = worker, request_id
        self.count, self.first, self.last, self.seen = 0, 0.0, 0.0, -1

    def __call__(self, input_ids: Any, logits: Any) -> bool:
        # llama-cpp-python calls this once per sampled token (input_ids grows by one each time)
        # and once more after the loop with the same length: count only growth.
        if len(input_ids) != self.seen:
            self.seen = len(input_ids)
            self.last = time.perf_counter()
            self.first = self.first or self.last
            self.count += 1
        return self.worker.check_messages(self.request_id)

    def rate(self) -> float:
        span = self.last - self.first
        return (self.count - 1) / span if self.count > 1 and span > 0 else 0.0


class _StopAtTurnToken:
    """Stops when the token just sampled opens or closes a turn (it is the last of input_ids
    on the next call, so check the tail)."""

    def __init__(self, ids: set[int]):
        self.ids = ids

    def __call__(self, input_ids: Any, logits: Any) -> bool:
        return len(input_ids) > 0 and int(input_ids[-1]) in self.ids
