"""Tiny random-weight GGUF models, written with the `gguf` package, that the real llama.cpp
loads in milliseconds. They speak nonsense quickly, which is what engine tests need."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _vocab() -> tuple[list[str], list[float], list[int]]:
    kind = gguf.TokenType
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [kind.UNKNOWN, kind.CONTROL, kind.CONTROL] + [kind.BYTE] * 256
    words = (
        [chr(c) for c in range(ord("a"), ord("z") + 1)]
        + ["\u2581" + w for w in ("the", "a", "hello", "world", "model", "cat", "is", "and")]
        + ["\u2581"]
    )
    tokens += words
    types += [kind.NORMAL] * len(words)
    scores = [0.0] * 259 + [-float(i) for i in range(len(words))]
    return tokens, scores, [int(t) for t in types]


def write_tiny_model(
    path: Path,
    chat_template: str | None = CHATML,
    n_ctx: int = 8192,
    n_embd: int = 64,
    n_layer: int = 2,
    seed: int = 0,
    n_head: int = 4,
) -> Path:
    """A llama-shaped model; larger `n_embd`, `n_layer` and `n_head` make one big enough to
    time (benchmarks/gpu_offload.py)."""
    rng = np.random.default_rng(seed)
    tokens, scores, types = _vocab()
    n_vocab, n_head_kv, n_ff = len(tokens), max(1, n_head // 2), n_embd * 2
    head_dim = n_embd // n_head
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("tiny-test-model")
    w.add_context_length(n_ctx)
    w.add_embedding_length(n_embd)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    w.add_rope_dimension_count(head_dim)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    w.add_add_bos_token(True)
    if chat_template:
        w.add_chat_template(chat_template)

    def t(name: str, *shape: int, scale: float = 0.2) -> None:
        w.add_tensor(name, (rng.standard_normal(shape) * scale).astype(np.float32))

    t("token_embd.weight", n_vocab, n_embd, scale=1.0)
    w.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    out = (rng.standard_normal((n_vocab, n_embd)) * 3).astype(np.float32)
    # Control and byte tokens get zero logits, so answers are words (valid UTF-8 that streams
    # token by token) and never end early on </s>: they run to max_tokens.
    out[:259] = 0.0
    w.add_tensor("output.weight", out)
    for i in range(n_layer):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        t(f"blk.{i}.attn_q.weight", n_embd, n_embd)
        t(f"blk.{i}.attn_k.weight", n_head_kv * head_dim, n_embd)
        t(f"blk.{i}.attn_v.weight", n_head_kv * head_dim, n_embd)
        t(f"blk.{i}.attn_output.weight", n_embd, n_embd)
        t(f"blk.{i}.ffn_gate.weight", n_ff, n_embd)
        t(f"blk.{i}.ffn_up.weight", n_ff, n_embd)
        t(f"blk.{i}.ffn_down.weight", n_embd, n_ff)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def truncate_copy(src: Path, dst: Path, keep: float = 0.6) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


# -- hand-made headers, byte by byte, for crafted and damaged files ---------------------------
UINT8, UINT32, STRING, ARRAY, UINT64 = 0, 4, 8, 9, 10


def u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def u64(n: int) -> bytes:
    return n.to_bytes(8, "little")


def gstr(text: str | bytes, length: int | None = None) -> bytes:
    """A GGUF string; `length` overrides the length field (to claim more than is there)."""
    data = text.encode() if isinstance(text, str) else text
    return u64(len(data) if length is None else length) + data


def kv(key: str, vtype: int, payload: bytes) -> bytes:
    return gstr(key) + u32(vtype) + payload


def nested_array(depth: int) -> bytes:
    """The payload of an array holding an array holding … (`depth` levels), innermost empty."""
    return (u32(ARRAY) + u64(1)) * (depth - 1) + u32(UINT8) + u64(0)


def tensor_info(name: str, dims: list[int], ggml_type: int = 0, offset: int = 0) -> bytes:
    shape = u32(len(dims)) + b"".join(u64(d) for d in dims)
    return gstr(name) + shape + u32(ggml_type) + u64(offset)


def raw_gguf(
    kvs: list[bytes] = (),
    tensors: list[bytes] = (),
    n_kv: int | None = None,
    n_tensors: int | None = None,
    version: int = 3,
    data: bytes = b"",
    align: int = 32,
) -> bytes:
    """A GGUF file: header, key/values, tensor table, padding, then `data` as tensor bytes."""
    head = b"GGUF" + u32(version)
    head += u64(len(tensors) if n_tensors is None else n_tensors)
    head += u64(len(kvs) if n_kv is None else n_kv)
    head += b"".join(kvs) + b"".join(tensors)
    return head + b"\0" * (-len(head) % align) + data
