"""Fuzzing the GGUF header reader: a header is untrusted input. Whatever the bytes, read_header
returns a header or raises NotGGUF with a message, quickly and without a large allocation.

Inputs: mutations of a real tiny GGUF written by the gguf package (bit flips, overwritten counts,
truncations, random bytes after the magic) and generated structures (nested arrays, huge
strings, random key/values and tensor tables)."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest
from ggufs import (
    ARRAY,
    STRING,
    gstr,
    kv,
    nested_array,
    raw_gguf,
    tensor_info,
    u32,
    u64,
    write_tiny_model,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from desktop_app.core.gguf_info import NotGGUF, read_header

FUZZ = settings(
    max_examples=400,
    deadline=None,  # timed below, with a bound that says what failed
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
TIME_LIMIT_S = 1.0
ALLOC_LIMIT = 4 << 20  # Python allocations while reading a file of at most a few 10 kB
HUGE = st.sampled_from([2**63 - 1, 2**64 - 1, 2**62, 2**40, 2**32, 2**31, 2**24, 65536, 4097])


@pytest.fixture(scope="module")
def seed() -> tuple[bytes, int]:
    """A real, small GGUF (~29 kB) and where its header ends."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_tiny_model(Path(folder) / "seed.gguf", n_embd=8, n_layer=1)
        data = path.read_bytes()
        header = read_header(path)
    return data, header.data_start


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "fuzzed.gguf"


def check(path: Path, data: bytes) -> None:
    """The property: a header or NotGGUF with a message, within the time and memory bounds."""
    path.write_bytes(data)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        read_header(path)
        event("a header")
    except NotGGUF as exc:
        assert str(exc).startswith("fuzzed.gguf ") and len(str(exc)) > 40, str(exc)
        event(" ".join(str(exc).split()[1:3]))  # "is damaged", "ends inside", "is incomplete"…
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < TIME_LIMIT_S, f"{elapsed:.2f} s on {len(data)} bytes"
    assert peak < ALLOC_LIMIT, f"{peak:,} bytes allocated for a {len(data):,}-byte file"


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 7)), min_size=1, max_size=8))
def test_bit_flips_in_the_header(seed, scratch, flips) -> None:
    data, header_end = seed
    mutated = bytearray(data)
    for pos, bit in flips:
        mutated[pos % header_end] ^= 1 << bit
    check(scratch, bytes(mutated))


@FUZZ
@given(pos=st.integers(0, 2**31), value=HUGE, width=st.sampled_from([4, 8]))
def test_huge_counts_written_over_the_header(seed, scratch, pos, value, width) -> None:
    data, header_end = seed
    at = pos % (header_end - width)
    field = (value % 2 ** (8 * width)).to_bytes(width, "little")
    check(scratch, data[:at] + field + data[at + width :])


@FUZZ
@given(keep=st.integers(0, 2**31))
def test_truncations(seed, scratch, keep) -> None:
    data, _ = seed
    check(scratch, data[: keep % len(data)])


@FUZZ
@given(tail=st.binary(max_size=4096))
def test_random_bytes_after_the_magic(scratch, tail) -> None:
    check(scratch, b"GGUF" + tail)


@FUZZ
@given(tail=st.binary(min_size=64, max_size=2048), version=st.sampled_from([2, 3]))
def test_random_bytes_after_a_plausible_start(scratch, tail, version) -> None:
    check(scratch, b"GGUF" + u32(version) + u64(1) + u64(3) + tail)


SCALAR_TYPES = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12])
SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


@st.composite
def values(draw) -> bytes:
    """One key/value: a scalar, a string (its length honest or not), or an array (of scalars,
    strings or arrays, nested up to thousands deep), with counts honest or huge."""
    kind = draw(st.sampled_from(["scalar", "string", "array", "strings", "nested", "bad type"]))
    key = draw(st.text(max_size=12))
    if kind == "scalar":
        vtype = draw(SCALAR_TYPES)
        return kv(key, vtype, draw(st.binary(min_size=SIZES[vtype], max_size=SIZES[vtype])))
    if kind == "string":
        text = draw(st.binary(max_size=64))
        return kv(key, STRING, gstr(text, draw(st.one_of(st.none(), HUGE))))
    if kind == "array":
        vtype, count = draw(SCALAR_TYPES), draw(st.one_of(st.integers(0, 16), HUGE))
        return kv(key, ARRAY, u32(vtype) + u64(count) + b"\0" * (SIZES[vtype] * min(count, 16)))
    if kind == "strings":
        count = draw(st.integers(0, 8))
        texts = [gstr(draw(st.binary(max_size=8)), draw(st.none() | HUGE)) for _ in range(count)]
        body = b"".join(texts)
        return kv(key, ARRAY, u32(STRING) + u64(draw(st.just(count) | HUGE)) + body)
    if kind == "nested":
        return kv(key, ARRAY, nested_array(draw(st.integers(1, 6000))))
    return kv(key, draw(st.integers(13, 2**32 - 1)), draw(st.binary(max_size=8)))


@st.composite
def tensors(draw) -> bytes:
    dims = draw(st.lists(st.one_of(st.integers(0, 64), HUGE), max_size=6))
    ggml_type = draw(st.one_of(st.sampled_from([0, 1, 2, 8, 12, 14]), st.integers(0, 2**32 - 1)))
    offset = draw(st.one_of(st.sampled_from([0, 32, 64]), HUGE))
    return tensor_info(draw(st.text(max_size=70)), dims, ggml_type, offset)


@settings(FUZZ, max_examples=250)  # generating a structure costs more than reading it
@given(
    kvs=st.lists(values(), max_size=6),
    infos=st.lists(tensors(), max_size=4),
    n_kv=st.none() | HUGE,
    n_tensors=st.none() | HUGE,
    data=st.binary(max_size=256),
)
def test_generated_headers(scratch, kvs, infos, n_kv, n_tensors, data) -> None:
    check(scratch, raw_gguf(kvs, infos, n_kv=n_kv, n_tensors=n_tensors, data=data))

