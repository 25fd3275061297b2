"""Reads a GGUF file's header (metadata and tensor table) without loading weights, and checks
that the file is whole. Used to refuse non-GGUF, cut-short and damaged files with a clear message
before llama.cpp sees them. No Qt here.

A header is untrusted input. Every count and length in it is checked against the bytes left in
the file and against what llama.cpp's own reader (ggml/src/gguf.cpp) accepts before anything is
read or looped over, so a crafted header cannot recurse, allocate gigabytes or loop for long.
Three verdicts besides a header: the file ends inside its header, or before the weights the
header describes (cut short); or the header breaks the format (damaged).
"""

from __future__ import annotations

import functools
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
_STRING, _ARRAY, _UINT32 = 8, 9, 4
_U64 = struct.Struct("<Q")
# What llama.cpp refuses: more than GGML_MAX_DIMS dimensions, names of GGML_MAX_NAME bytes or
# more, element counts beyond int64, arrays of arrays (any nesting: "invalid GGUF type"), empty
# or repeated keys, repeated tensor names, a non-uint32 or non-power-of-two alignment, tensors
# that do not follow each other in the data.
MAX_DIMS, MAX_NAME, MAX_ELEMENTS = 4, 64, 2**63 - 1
# Beyond these a header is no real model's (the largest have ~100 keys, a few thousand tensors,
# vocabularies of ~260k tokens and a few MB of embedded tokenizer JSON): it is damaged, not cut
# short. MAX_STRINGS (all the strings in arrays, together) bounds the one loop that walks the
# file to about 3 s; a real 262k-token vocabulary takes 0.1 s.
MAX_KV, MAX_TENSORS = 1 << 16, 1 << 18
MAX_STRING, MAX_ARRAY, MAX_STRINGS = 1 << 28, 1 << 40, 1 << 23
MAX_DATA = 1 << 46  # 64 TiB of weights
# The fewest bytes one entry can take: a metadata key/value (empty key, type, one byte), a tensor
# (empty name, no dimensions, type, offset).
_MIN_KV, _MIN_TENSOR = 8 + 4 + 1, 8 + 4 + 4 + 8


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
    data_start: int = 0  # where the tensor data begins (the header's end, aligned)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def chat_template(self) -> str | None:
        template = self.metadata.get("tokenizer.chat_template")
        return template if isinstance(template, str) else None

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)


class _Damaged(Exception):
    """The header breaks the format; the argument says how, in words for the user."""


class _Reader:
    """Reads from a memory map by offset: skipping a 262k-token vocabulary stays fast. Raises
    EOFError when the file ends before a value it is asked for, _Damaged for absurd values."""

    def __init__(self, buf: mmap.mmap):
        self.buf, self.pos, self.size = buf, 0, len(buf)
        self.strings_left = MAX_STRINGS  # in arrays, over the whole header

    def need(self, n: int) -> None:
        if self.pos + n > self.size:
            raise EOFError

    def take(self, n: int) -> bytes:
        self.need(n)
        data = self.buf[self.pos : self.pos + n]
        self.pos += n
        return data

    def scalar(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        self.need(size)
        value = struct.unpack_from(fmt, self.buf, self.pos)[0]
        self.pos += size
        return value

    def count(self, what: str, limit: int, min_bytes_each: int) -> int:
        """A count from the header, refused when absurd, and EOFError when the entries it
        announces cannot fit in what is left of the file (checked before any loop)."""
        n = self.scalar("<Q")
        if n > limit:
            raise _Damaged(f"it claims {n:,} {what}")
        self.need(n * min_bytes_each)
        return n

    def string(self, what: str = "text", limit: int = MAX_STRING) -> str:
        n = self.scalar("<Q")
        if n >= limit:
            raise _Damaged(f"it holds a {what} of {n:,} bytes")
        return self.take(n).decode("utf-8", errors="replace")

    def value(self, vtype: int, key: str) -> Any:
        if vtype == _STRING:
            return self.string(f"text (in {_shown(key)})")
        if vtype in _SCALARS:
            return self.scalar(_SCALARS[vtype])
        raise _Damaged(f"{_shown(key)} has an unknown value type ({vtype})")

    def skip_array(self, key: str) -> int:
        etype = self.scalar("<I")
        if etype == _ARRAY:
            raise _Damaged(f"{_shown(key)} holds an array of arrays, which llama.cpp refuses")
        if etype == _STRING:
            return self._skip_strings(key)
        if etype not in _SCALARS:
            raise _Damaged(f"{_shown(key)} is an array of an unknown type ({etype})")
        width = struct.calcsize(_SCALARS[etype])
        count = self.count(f"values in {_shown(key)}", MAX_ARRAY, width)
        self.pos += width * count
        return count

    def _skip_strings(self, key: str) -> int:
        count = self.count(f"texts in {_shown(key)}", self.strings_left, 8)
        self.strings_left -= count
        buf, pos, end, unpack = self.buf, self.pos, self.size, _U64.unpack_from
        for _ in range(count):
            if pos + 8 > end:
                raise EOFError
            (n,) = unpack(buf, pos)
            if n >= MAX_STRING:
                raise _Damaged(f"it holds a text of {n:,} bytes (in {_shown(key)})")
            pos += 8 + n
        if pos > end:
            raise EOFError
        self.pos = pos
        return count


def read_header(path: Path | str) -> GGUFHeader:
    """Parse the header; raise NotGGUF with a user-facing message if the file is unusable."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size < 4:
            raise NotGGUF(f"{path.name} is not a GGUF model file (it holds {size} bytes).")
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _parse(_Reader(buf), size, path.name)
    except FileNotFoundError as exc:
        raise NotGGUF(f"{path} does not exist.") from exc
    except EOFError as exc:
        raise NotGGUF(
            f"{path.name} ends inside its GGUF header (after {size:,} bytes): the download or "
            "copy was cut short, or the file is damaged. Download or import it again."
        ) from exc
    except _Damaged as exc:
        raise NotGGUF(
            f"{path.name} is damaged or not a valid GGUF file: {exc}. Download it again, or use "
            "another file."
        ) from exc
    except OSError as exc:
        raise NotGGUF(f"{path.name} cannot be read ({exc}).") from exc


def _parse(r: _Reader, size: int, name: str) -> GGUFHeader:
    if r.take(4) != GGUF_MAGIC:
        raise NotGGUF(
            f"{name} is not a GGUF model file. Smallwise runs models in the GGUF format "
            "(files ending in .gguf, as published for llama.cpp)."
        )
    version = _version(r.scalar("<I"), name)
    n_tensors = r.count("tensors", MAX_TENSORS, _MIN_TENSOR)
    n_kv = r.count("metadata entries", MAX_KV, _MIN_KV)
    metadata, arrays = _metadata(r, n_kv)
    align = _alignment(metadata)
    tensors = _tensor_table(r, n_tensors)
    start = -(-r.pos // align) * align
    header = GGUFHeader(version, metadata, arrays, n_tensors, start, size, data_start=start)
    _layout(header, tensors, align)
    if size < header.data_end:
        raise NotGGUF(
            f"{name} is incomplete ({size:,} of {header.data_end:,} bytes): the download or "
            "copy was cut short. Download or import it again."
        )
    return header


def _version(version: int, name: str) -> int:
    if version in (2, 3):
        return version
    if version == 1:
        raise NotGGUF(f"{name} uses GGUF version 1, too old; convert it again.")
    if version & 0xFFFF == 0:  # what llama.cpp checks: a file written on a big-endian machine
        raise _Damaged(f"its version reads {version:#x}, as a big-endian file's would")
    if 3 < version < 256:
        raise NotGGUF(
            f"{name} uses GGUF version {version}, newer than this llama.cpp reads. Update "
            "Smallwise, or use a file converted for GGUF version 3."
        )
    raise _Damaged(f"its GGUF version is {version:,}")


def _metadata(r: _Reader, n_kv: int) -> tuple[dict[str, Any], dict[str, int]]:
    metadata: dict[str, Any] = {}
    arrays: dict[str, int] = {}
    for _ in range(n_kv):
        key, vtype = r.string("key"), r.scalar("<I")
        if not key or key in metadata or key in arrays:  # llama.cpp refuses both
            raise _Damaged(f"the key {_shown(key)} is empty or appears twice")
        if vtype == _ARRAY:
            arrays[key] = r.skip_array(key)
            continue
        if key == "general.alignment" and vtype != _UINT32:
            # llama.cpp reads it as a uint32 and aborts the process on any other type
            raise _Damaged(f"its alignment has value type {vtype}, not uint32")
        metadata[key] = r.value(vtype, key)
    return metadata, arrays


def _alignment(metadata: dict[str, Any]) -> int:
    align = metadata.get("general.alignment", 32)
    if align == 0 or align & (align - 1):
        raise _Damaged(f"its alignment ({align}) is not a power of two")
    return align


def _tensor_table(r: _Reader, n_tensors: int) -> list[tuple[str, list[int], int, int]]:
    tensors, names = [], set()
    for _ in range(n_tensors):
        name = r.string("tensor name", MAX_NAME)
        if name in names:
            raise _Damaged(f"the tensor {_shown(name)} appears twice")
        names.add(name)
        n_dims = r.scalar("<I")
        if n_dims > MAX_DIMS:
            raise _Damaged(f"the tensor {_shown(name)} has {n_dims:,} dimensions (at most 4)")
        dims = [r.scalar("<q") for _ in range(n_dims)]
        elements = 1
        for d in dims:
            elements *= d
            # 0 too: llama.cpp's shape check divided by each dimension until recently (a zero
            # crashed it); no real model has an empty tensor.
            if d <= 0 or elements > MAX_ELEMENTS:
                raise _Damaged(f"the tensor {_shown(name)} has the impossible shape {dims}")
        tensors.append((name, dims, r.scalar("<I"), r.scalar("<Q")))
    return tensors


def _layout(h: GGUFHeader, tensors: list[tuple[str, list[int], int, int]], align: int) -> None:
    """Size every tensor and check that each starts where the one before it ends (padded to
    the alignment), as llama.cpp requires; h.data_end becomes the file size the weights need."""
    sizes, expected, end = _type_sizes(), 0, 0
    for name, dims, ggml_type, offset in tensors:
        if ggml_type not in sizes:
            raise _Damaged(f"the tensor {_shown(name)} has an unknown type ({ggml_type})")
        block, type_size = sizes[ggml_type]
        if (dims[0] if dims else 1) % block:
            raise _Damaged(f"the tensor {_shown(name)} has rows that do not fill its blocks")
        elements = 1
        for d in dims:
            elements *= d
        nbytes = elements // block * type_size
        if offset != expected:
            raise _Damaged(
                f"the tensor {_shown(name)} starts at byte {offset:,} of the data, where the "
                f"tensors before it end at byte {expected:,}"
            )
        end = offset + nbytes
        expected = -(-end // align) * align
        if end > MAX_DATA:
            raise _Damaged(f"its tensors claim {end:,} bytes of weights")
        h.tensor_types[ggml_type] = h.tensor_types.get(ggml_type, 0) + 1
        h.type_bytes[ggml_type] = h.type_bytes.get(ggml_type, 0) + nbytes
        h.tensor_bytes[name] = nbytes
    h.data_end = h.data_start + end


def _shown(key: str) -> str:
    """A key or name from the file, quoted and cut, for a message (it is untrusted text)."""
    return repr(key if len(key) <= 60 else key[:60] + "…")


@functools.cache
def _type_sizes() -> dict[int, tuple[int, int]]:
    # gguf-py is llama.cpp's own table of (block size, bytes per block) for every ggml type.
    from gguf.constants import GGML_QUANT_SIZES

    return {int(t): v for t, v in GGML_QUANT_SIZES.items()}
