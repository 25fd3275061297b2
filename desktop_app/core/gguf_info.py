"""Reads a GGUF file's header (metadata and tensor table) without loading weights, and checks
that the file is whole. Used to refuse non-GGUF and truncated files with a clear message before
llama.cpp sees them. No Qt here.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.errors import NotGGUF

GGUF_MAGIC = b"GGUF"
_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


@dataclass
class GGUFHeader:
    version: int
    metadata: dict[str, Any]
    array_lengths: dict[str, int]  # arrays are skipped; only their length is kept
    n_tensors: int
    data_end: int  # bytes the file must have to hold every tensor
    file_size: int
    tensor_types: dict[int, int] = field(default_factory=dict)  # ggml type → count
    type_bytes: dict[int, int] = field(default_factory=dict)  # ggml type → bytes of weights
    tensor_bytes: dict[str, int] = field(default_factory=dict)  # tensor name → bytes

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def chat_template(self) -> str | None:
        return self.metadata.get("tokenizer.chat_template")

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)


class _Reader:
    """Reads from a memory map by offset: skipping a 262k-token vocabulary stays fast."""

    def __init__(self, buf: mmap.mmap):
        self.buf, self.pos = buf, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.buf):
            raise EOFError
        data = self.buf[self.pos : self.pos + n]
        self.pos += n
        return data

    def scalar(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise EOFError
        value = struct.unpack_from(fmt, self.buf, self.pos)[0]
        self.pos += size
        return value

    def string(self) -> str:
        return self.take(self.scalar("<Q")).decode("utf-8", errors="replace")

    def value(self, vtype: int) -> Any:
        if vtype == _STRING:
            return self.string()
        if vtype in _SCALARS:
            return self.scalar(_SCALARS[vtype])
        raise ValueError(f"unknown GGUF value type {vtype}")

    def skip_array(self) -> int:
        etype, count = self.scalar("<I"), self.scalar("<Q")
        if etype == _STRING:
            buf, pos, unpack = self.buf, self.pos, struct.unpack_from
            for _ in range(count):
                pos += 8 + unpack("<Q", buf, pos)[0]
            self.pos = pos
        elif etype == _ARRAY:
            for _ in range(count):
                self.skip_array()
        else:
            self.pos += struct.calcsize(_SCALARS[etype]) * count
        if self.pos > len(self.buf):
            raise EOFError
        return count


def read_header(path: Path | str) -> GGUFHeader:
    """Parse the header; raise NotGGUF with a user-facing message if the file is unusable."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size < 4:
            raise NotGGUF(f"{path.name} is not a GGUF model file (it holds {size} bytes).")
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _parse(_Reader(buf), size, path)
    except FileNotFoundError as exc:
        raise NotGGUF(f"{path} does not exist.") from exc
    except EOFError as exc:
        raise NotGGUF(_truncated(path)) from exc
    except (OSError, struct.error, ValueError, KeyError) as exc:
        if isinstance(exc, NotGGUF):
            raise
        raise NotGGUF(f"{path.name} is damaged: its GGUF header cannot be read ({exc}).") from exc


def _parse(r: _Reader, size: int, path: Path) -> GGUFHeader:
    if r.take(4) != GGUF_MAGIC:
        raise NotGGUF(
            f"{path.name} is not a GGUF model file. Smallwise runs models in the GGUF format "
            "(files ending in .gguf, as published for llama.cpp)."
        )
    version = r.scalar("<I")
    if version < 2:
        raise NotGGUF(f"{path.name} uses GGUF version {version}, too old; convert it again.")
    n_tensors, n_kv = r.scalar("<Q"), r.scalar("<Q")
    metadata: dict[str, Any] = {}
    arrays: dict[str, int] = {}
    for _ in range(n_kv):
        key, vtype = r.string(), r.scalar("<I")
        if vtype == _ARRAY:
            arrays[key] = r.skip_array()
        else:
            metadata[key] = r.value(vtype)
    tensors = [_tensor_info(r) for _ in range(n_tensors)]
    align = int(metadata.get("general.alignment", 32))
    data_start = -(-r.pos // align) * align
    sizes = _type_sizes()
    end, types, type_bytes, tensor_bytes = data_start, {}, {}, {}
    for name, dims, ggml_type, offset in tensors:
        block, type_size = sizes[ggml_type]
        n = 1
        for d in dims:
            n *= d
        nbytes = n // block * type_size
        end = max(end, data_start + offset + nbytes)
        types[ggml_type] = types.get(ggml_type, 0) + 1
        type_bytes[ggml_type] = type_bytes.get(ggml_type, 0) + nbytes
        tensor_bytes[name] = nbytes
    header = GGUFHeader(
        version, metadata, arrays, n_tensors, end, size, types, type_bytes, tensor_bytes
    )
    if size < end:
        raise NotGGUF(_truncated(path, size, end))
    return header


def _tensor_info(r: _Reader) -> tuple[str, list[int], int, int]:
    name = r.string()
    dims = [r.scalar("<Q") for _ in range(r.scalar("<I"))]
    return name, dims, r.scalar("<I"), r.scalar("<Q")


def _truncated(path: Path, size: int | None = None, need: int | None = None) -> str:
    have = f" ({size:,} of {need:,} bytes)" if size is not None else ""
    return (
        f"{path.name} is incomplete{have}: the download or copy was cut short. "
        "Download or import it again."
    )


def _type_sizes() -> dict[int, tuple[int, int]]:
    # gguf-py is llama.cpp's own table of (block size, bytes per block) for every ggml type.
    from gguf.constants import GGML_QUANT_SIZES

    return {int(t): v for t, v in GGML_QUANT_SIZES.items()}
