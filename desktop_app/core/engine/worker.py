"""The engine worker process: owns the one llama_cpp.Llama object and serves requests from the
app over a pipe. Nothing here may touch Qt or the store; a crash here ends only this process.
"""

from __future__ import annotations

import faulthandler
import functools
import os
import sys
import time
import traceback
from collections import deque
from multiprocessing.connection import Connection
from typing import Any

from desktop_app.core.engine import protocol as p
from desktop_app.core.gguf_info import NotGGUF, read_header

# Named chat formats for models whose GGUF carries no template (llama_chat_format functions).
FORMATTERS = {
    "gemma": "format_gemma",
    "chatml": "format_chatml",
    "llama-3": "format_llama3",
    "llama-2": "format_llama2",
    "mistral-instruct": "format_mistral_instruct",
    "qwen": "format_qwen",
    "zephyr": "format_zephyr",
    "alpaca": "format_alpaca",
}
TEMPLATE = "template"
# Special tokens that open or close a turn: a model that emits one has finished its answer
# (base models otherwise run on into an invented next turn; these tokens print nothing).
TURN_TOKENS = {
    "gemma": ("<start_of_turn>", "<end_of_turn>"),
    "chatml": ("<|im_start|>", "<|im_end|>"),
    "qwen": ("<|im_start|>", "<|im_end|>"),
    "llama-3": ("<|start_header_id|>", "<|eot_id|>"),
}


class PromptTooLong(Exception):
    pass


def serve(conn: Connection, log_path: str | None = None) -> None:
    """Process entry point."""
    _redirect_output(log_path)
    Worker(conn).run()


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
        if isinstance(msg, p.Load):
            self.load(msg)
        elif isinstance(msg, p.Chat):
            self.chat(msg)
        elif isinstance(msg, p.Unload):
            self.unload()
        # A Cancel that arrives when nothing runs has nothing to stop.
        return True

    def send(self, event: Any) -> None:
        self.conn.send(event)

    # -- load ------------------------------------------------------------------------------
    def load(self, req: p.Load) -> None:
        self.unload()
        started = time.perf_counter()
        try:
            header = read_header(req.model_path)
        except NotGGUF as exc:
            self.send(p.Failed(None, p.BAD_MODEL, str(exc)))
            return
        chat_format = TEMPLATE if header.chat_template else req.chat_format
        if chat_format != TEMPLATE and chat_format not in FORMATTERS:
            self.send(p.Failed(None, p.NO_CHAT_FORMAT, _no_format_message(req, chat_format)))
            return
        try:
            import llama_cpp

            _libggml()  # the backends of a GGML_BACKEND_DL build, before the model needs them
            self.llm = llama_cpp.Llama(
                model_path=req.model_path,
                n_ctx=req.n_ctx,
                n_threads=req.n_threads,
                n_threads_batch=req.n_threads_batch,
                n_gpu_layers=req.n_gpu_layers,
                n_batch=req.n_batch,
                verbose=False,
            )
        except Exception as exc:  # llama.cpp reports every load failure as ValueError
            self.send(
                p.Failed(
                    None,
                    p.LOAD_FAILED,
                    (
                        f"llama.cpp could not load {os.path.basename(req.model_path)} ({exc}). "
                        "The file may be damaged, too large for the free memory, or need a "
                        "newer llama.cpp."
                    ),
                    traceback.format_exc(),
                )
            )
            return
        self.n_ctx = self.llm.n_ctx()
        self.formatter = self._make_formatter(chat_format, header.chat_template)
        self.turn_token_ids = self._single_tokens(TURN_TOKENS.get(chat_format, ()))
        device = _offload_device(req.n_gpu_layers)
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

    def _make_formatter(self, chat_format: str, template: str | None) -> Any:
        from llama_cpp import llama_chat_format as fmt

        if chat_format != TEMPLATE:
            return getattr(fmt, FORMATTERS[chat_format])
        eos, bos = self.llm.token_eos(), self.llm.token_bos()
        return fmt.Jinja2ChatFormatter(
            template=template,
            eos_token=self.llm._model.token_get_text(eos) if eos != -1 else "",
            bos_token=self.llm._model.token_get_text(bos) if bos != -1 else "",
            stop_token_ids=[eos],
        )

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
        if isinstance(self.interrupt, p.Cancel):
            finish = "cancelled"
        elif self.interrupt is not None:
            finish = "cancelled"
            self.pending.appendleft(self.interrupt)
        self.send(p.Done(req.request_id, finish, len(tokens), counter.count, ttft, counter.rate()))

    def fit(self, messages: list[dict[str, str]], max_tokens: int) -> tuple[list[int], int, Any]:
        """Tokenize the prompt; leave out the oldest turns if the conversation outgrew the
        context, always keeping the system message and the newest user message."""
        reserve = min(max_tokens, self.n_ctx // 2)
        budget = self.n_ctx - reserve
        system = [m for m in messages[:1] if m["role"] == "system"]
        turns = messages[len(system) :]
        starts = [i for i, m in enumerate(turns) if m["role"] == "user"] or [0]
        for start in starts:
            tokens, result = self.render(system + turns[start:])
            if len(tokens) <= budget:
                return tokens, start, result
        raise PromptTooLong(
            f"Your message is about {len(tokens):,} tokens long, but this model can read "
            f"{budget:,} tokens at once with the current settings (context {self.n_ctx:,}, "
            f"{reserve:,} kept for the answer). Shorten or split the message, or raise the "
            "context size in Settings."
        )

    def render(self, messages: list[dict[str, str]]) -> tuple[list[int], Any]:
        result = self.formatter(messages=messages)
        tokens = self.llm.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
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


def _no_format_message(req: p.Load, chat_format: str | None) -> str:
    name = os.path.basename(req.model_path)
    if chat_format:
        return f"Unknown chat format '{chat_format}' for {name}. Known: {', '.join(FORMATTERS)}."
    return (
        f"{name} carries no chat template, and no chat format is set for it. Without one the "
        "model would be prompted in the wrong format and answer nonsense. Pick its chat format "
        "(for example chatml or gemma) when you import it."
    )


DEVICE_TYPES = ("cpu", "gpu", "igpu", "accel", "meta")  # enum ggml_backend_dev_type


@functools.cache  # declares the signatures and loads DL backends once per process
def _libggml() -> Any:
    """ggml's functions as libllama sees them. On Linux the wheel carries libggml twice (libggml.so
    and libggml.so.0, files, not links), and opening the first by path would load a second copy
    with a registry of its own; looking the symbols up through libllama's handle finds the copy
    it linked. Windows has one ggml.dll, and GetProcAddress searches only the DLL it is given."""
    import ctypes

    import llama_cpp.llama_cpp

    if sys.platform == "win32":
        from llama_cpp._ggml import libggml as lib
    else:
        lib = llama_cpp.llama_cpp._lib
    vp, size = ctypes.c_void_p, ctypes.c_size_t
    for name, restype, argtypes in (
        ("ggml_backend_load_all_from_path", None, [ctypes.c_char_p]),
        ("ggml_backend_reg_count", size, []),
        ("ggml_backend_reg_get", vp, [size]),
        ("ggml_backend_reg_name", ctypes.c_char_p, [vp]),
        ("ggml_backend_dev_count", size, []),
        ("ggml_backend_dev_get", vp, [size]),
        ("ggml_backend_dev_name", ctypes.c_char_p, [vp]),
        ("ggml_backend_dev_description", ctypes.c_char_p, [vp]),
        ("ggml_backend_dev_type", ctypes.c_int, [vp]),
        ("ggml_backend_dev_memory", None, [vp, ctypes.POINTER(size), ctypes.POINTER(size)]),
    ):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    if lib.ggml_backend_reg_count() == 0:
        # A build with loadable backends (GGML_BACKEND_DL: the GPU variants) registers none
        # until asked. A module that cannot load here (the CUDA one without the NVIDIA driver)
        # is skipped, and the CPU one still runs.
        lib.ggml_backend_load_all_from_path(
            os.path.dirname(llama_cpp.llama_cpp._lib._name).encode()
        )
    return lib


def ggml_backends() -> list[str]:
    """The backends compiled into this llama.cpp build: ["CPU"], ["CUDA", "CPU"], ["Metal", …],
    whether or not a device for them is present. How the app finds out which build it got."""
    lib = _libggml()
    count = lib.ggml_backend_reg_count()
    return [lib.ggml_backend_reg_name(lib.ggml_backend_reg_get(i)).decode() for i in range(count)]


def ggml_devices() -> list[dict[str, Any]]:
    """The devices those backends could open: "CPU" always; "CUDA0", "Metal", "Vulkan0", …
    where the build has the backend and the machine has the GPU and its driver."""
    import ctypes

    lib, size = _libggml(), ctypes.c_size_t
    devices = []
    for i in range(lib.ggml_backend_dev_count()):
        dev = lib.ggml_backend_dev_get(i)
        free, total = size(0), size(0)
        lib.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
        kind = lib.ggml_backend_dev_type(dev)
        devices.append(
            {
                "name": lib.ggml_backend_dev_name(dev).decode(),
                "description": (lib.ggml_backend_dev_description(dev) or b"").decode().strip(),
                "type": DEVICE_TYPES[kind] if 0 <= kind < len(DEVICE_TYPES) else str(kind),
                "memory_free_bytes": free.value,
                "memory_total_bytes": total.value,
            }
        )
    return devices


CPU_BACKENDS = {"CPU", "BLAS", "AMX", "RPC"}  # run on the CPU, or (RPC) not a local GPU


def build_label(backends: list[str]) -> str:
    """The GPU backends of the build ("CUDA", "Metal", "Vulkan", …), or "CPU" if it has none."""
    return ", ".join(b for b in backends if b not in CPU_BACKENDS) or "CPU"


def _offload_device(n_gpu_layers: int) -> str:
    """Where layers asked for the GPU really go: the first GPU device, else the CPU."""
    if not n_gpu_layers:
        return "CPU"
    try:
        gpus = [d for d in ggml_devices() if d["type"] in ("gpu", "igpu")]
    except (AttributeError, OSError):  # an older build without the device registry
        return "CPU"
    return f"{gpus[0]['name']} ({gpus[0]['description']})" if gpus else "CPU"


def probe() -> dict[str, Any]:
    """What the installed llama.cpp build offers; run in a throw-away process (a broken build
    can crash on import)."""
    import llama_cpp

    backends = ggml_backends()
    return {
        "llama_cpp_python": llama_cpp.__version__,
        "build": build_label(backends),
        "backends": backends,
        "devices": ggml_devices(),
        "system_info": llama_cpp.llama_print_system_info().decode().strip(),
        "gpu_offload": bool(llama_cpp.llama_supports_gpu_offload()),
    }
