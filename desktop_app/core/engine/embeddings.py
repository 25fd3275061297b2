"""Meaning vectors from an embedding model (a BERT-like GGUF, e.g. all-MiniLM-L6-v2), computed
by llama.cpp in a small process of its own beside the chat engine: the chat model stays loaded,
and a crash in native code ends only that process (the next call starts it again). Which
installed model embeds is decided here too. Never loads llama_cpp in the app's process. No Qt.
"""

from __future__ import annotations

import functools
import itertools
import logging
import multiprocessing as mp
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop_app.core.engine import protocol as p
from desktop_app.core.errors import EmbeddingError

log = logging.getLogger(__name__)
# Architectures llama.cpp runs as encoders that pool a sentence into one vector.
EMBEDDING_ARCHITECTURES = {"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "modern-bert"}
MAX_TOKENS = 512  # a passage is cut here (every supported model reads at least this much)
BETTER_RETRIEVAL = (
    "Search matches words only. For search that also understands meaning, install an embedding "
    "model: Models → Models… → Embedding (e.g. all-MiniLM-L6-v2, 25 MB), or "
    "`smallwise models download all-minilm-l6-v2`."
)


def is_embedding_model(path: Path) -> bool:
    """Whether a GGUF file holds an embedding model (by its header, whatever its name)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return _is_embedding(str(path), stat.st_size, stat.st_mtime)


@functools.lru_cache(maxsize=64)
def _is_embedding(path: str, size: int, mtime: float) -> bool:
    from desktop_app.core.gguf_info import NotGGUF, read_header

    try:
        header = read_header(path)
    except (NotGGUF, OSError):
        return False
    return header.architecture in EMBEDDING_ARCHITECTURES or (
        header.arch_value("pooling_type") is not None
    )


def find_embedding_model(store: Any) -> Path | None:
    """The installed embedding model (the newest, if several), or None. `store`: a Store, or
    an sqlite3 connection to the app's database."""
    if hasattr(store, "installed_models"):
        paths = [row["path"] for row in store.installed_models()]
    else:
        paths = [p for (p,) in store.execute("SELECT path FROM models ORDER BY added_at")]
    for path in map(Path, reversed(paths)):
        if path.is_file() and is_embedding_model(path):
            return path
    return None


_shared: dict[str, EmbeddingClient] = {}
_shared_lock = threading.Lock()


def shared_embedder(store: Any, log_path: str | None = None) -> EmbeddingClient | None:
    """One embedding worker per model for the whole app (the window's indexing thread and its
    answers share it), for the installed embedding model; None when there is none."""
    path = find_embedding_model(store)
    if path is None:
        return None
    with _shared_lock:
        client = _shared.get(str(path))
        if client is None or client.model_key != model_key(path):
            client = _shared[str(path)] = EmbeddingClient(path, log_path)
        return client


def model_key(path: Path) -> str:
    """Names a model file exactly enough that vectors of another model are never mixed in."""
    stat = path.stat()
    return f"{path.name}#{stat.st_size}"


class EmbeddingClient:
    """Embeds texts in the embedding worker; thread-safe (one request at a time)."""

    timeout_s = 120.0  # one batch; a worker that takes longer is ended

    def __init__(self, model_path: Path, log_path: str | None = None, n_threads: int = 1):
        self.model_path = Path(model_path)
        self.model_key = model_key(self.model_path)
        self.log_path, self.n_threads = log_path, n_threads
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Any = None
        self._ids = itertools.count(1)

    def embed(self, texts: Sequence[str]) -> Any:
        """Unit vectors, one row per text (numpy float32). Raises EmbeddingError."""
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        with self._lock:
            reply = self._request(p.Embed(next(self._ids), tuple(texts)))
        return np.frombuffer(reply.vectors, dtype=np.float32).reshape(len(texts), reply.dim)

    def _request(self, request: p.Embed) -> p.Embedded:
        if self._proc is None or not self._proc.is_alive():
            self._start()
        try:
            self._conn.send(request)
            if not self._conn.poll(self.timeout_s):
                self._stop()
                raise EmbeddingError(
                    f"The embedding model took longer than {self.timeout_s:g} s; it was stopped."
                )
            reply = self._conn.recv()
        except (EOFError, OSError) as exc:
            code = self._proc.exitcode if self._proc is not None else None
            self._stop()
            raise EmbeddingError(
                f"The embedding model {self.model_path.name} stopped (exit code {code}); search "
                "uses word matching until it works again."
            ) from exc
        if isinstance(reply, p.Failed):
            raise EmbeddingError(reply.message)
        return reply

    def _start(self) -> None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(
            target=serve,
            args=(child, str(self.model_path), self.n_threads, self.log_path, os.getpid()),
            name="smallwise-embeddings",
            daemon=True,
        )
        self._proc.start()
        child.close()
        self._conn = parent

    def _stop(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join(2)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send(p.Shutdown())
                    self._proc.join(2)
                except (OSError, ValueError):
                    pass
            self._stop()


# -- the worker process -----------------------------------------------------------------------
def serve(conn: Any, model_path: str, n_threads: int, log_path: str | None, parent: int) -> None:
    """Process entry point: load the model on the first request, then answer Embed requests."""
    from desktop_app.core.engine.worker import _llama_first, _redirect_output

    _llama_first()
    if sys.platform.startswith("linux"):
        from desktop_app.core.engine.worker import _die_with_parent

        _die_with_parent(parent)  # ends with the app, even stuck in native code
    _redirect_output(log_path)
    llm = None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if not isinstance(msg, p.Embed):
            return  # Shutdown
        try:
            llm = llm or _load(model_path, n_threads)
            conn.send(_embed(llm, msg))
        except Exception as exc:  # a bug or a refused model: told, and the worker lives on
            message = f"The embedding model could not embed ({exc})."
            conn.send(p.Failed(msg.request_id, p.ENGINE_FAILED, message, traceback.format_exc()))


def _load(model_path: str, n_threads: int) -> Any:
    import llama_cpp

    from desktop_app.core.engine.build import libggml
    from desktop_app.core.gguf_info import read_header

    header = read_header(model_path)
    if not is_embedding_model(Path(model_path)):
        raise ValueError(f"{Path(model_path).name} is not an embedding model")
    trained = int(header.arch_value("context_length", MAX_TOKENS) or MAX_TOKENS)
    n = min(MAX_TOKENS, trained)  # an encoder reads one batch whole: batch = context
    libggml()
    return llama_cpp.Llama(
        model_path=model_path,
        embedding=True,
        n_ctx=n,
        n_batch=n,
        n_ubatch=n,
        n_threads=n_threads,
        n_threads_batch=n_threads,
        verbose=False,
    )


def _embed(llm: Any, msg: p.Embed) -> p.Embedded:
    import numpy as np

    texts = [text if text.strip() else "." for text in msg.texts]  # an empty input has no pool
    vectors = np.asarray(llm.embed(texts, normalize=True, truncate=True), dtype=np.float32)
    return p.Embedded(msg.request_id, vectors.tobytes(), vectors.shape[1])
