"""The header reader and file checks, on GGUF files written by the gguf package."""

from __future__ import annotations

from pathlib import Path

import pytest
from ggufs import (
    ARRAY,
    STRING,
    UINT8,
    UINT32,
    gstr,
    kv,
    nested_array,
    raw_gguf,
    tensor_info,
    truncate_copy,
    u32,
    u64,
)

from desktop_app.core.gguf_info import NotGGUF, read_header


def test_reads_the_values_written_into_the_file(tiny_model: Path) -> None:
    h = read_header(tiny_model)
    assert h.architecture == "llama"
    assert h.arch_value("context_length") == 8192
    assert h.arch_value("embedding_length") == 64
    assert h.arch_value("block_count") == 2
    assert h.arch_value("attention.head_count_kv") == 2
    assert h.array_lengths["tokenizer.ggml.tokens"] == 294
    assert h.chat_template.startswith("{% for m in messages %}")
    assert h.data_end == h.file_size == tiny_model.stat().st_size


def test_starter_model_header(starter_model: Path) -> None:
    h = read_header(starter_model)
    assert (h.architecture, h.arch_value("block_count"), h.metadata["general.file_type"]) == (
        "gemma3",
        18,
        15,
    )  # 15 = Q4_K_M
    assert h.array_lengths["tokenizer.ggml.tokens"] == 262144
    assert h.chat_template is None


def test_truncated_file_is_refused(tiny_model: Path, tmp_path: Path) -> None:
    for keep in (0.9, 0.3):  # the header is whole, the weights are not
        cut = truncate_copy(tiny_model, tmp_path / f"cut{keep}.gguf", keep)
        with pytest.raises(NotGGUF, match=r"incomplete \(.* of .* bytes\).*cut short"):
            read_header(cut)


def test_file_cut_inside_its_header_says_so(tiny_model: Path, tmp_path: Path) -> None:
    # A download that stopped in the first kilobytes: every value read is plausible, the file
    # simply ends. That is "cut short" (or damaged), not a malformed header.
    for keep in (0.001, 0.005, 0.01):
        cut = truncate_copy(tiny_model, tmp_path / f"cut{keep}.gguf", keep)
        with pytest.raises(NotGGUF, match="ends inside its GGUF header.*cut short"):
            read_header(cut)


ARCH = kv("general.architecture", STRING, gstr("llama"))


def _write(tmp_path: Path, data: bytes, name: str = "crafted.gguf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_hand_made_header_reads_back(tmp_path: Path) -> None:
    """The byte-level builder the crafted cases below use writes valid files."""
    data = raw_gguf(
        [ARCH, kv("llama.block_count", UINT32, u32(2))],
        [tensor_info("a", [8], 0, 0), tensor_info("b", [4, 2], 0, 32)],
        data=b"\0" * 64,
    )
    h = read_header(_write(tmp_path, data))
    assert (h.architecture, h.arch_value("block_count"), h.n_tensors) == ("llama", 2, 2)
    assert h.tensor_bytes == {"a": 32, "b": 32} and h.data_end == h.file_size == len(data)


CRAFTED = {
    "absurd key count": raw_gguf([ARCH], n_kv=2**60),
    "absurd tensor count": raw_gguf([ARCH], n_tensors=2**62),
    "key longer than any file": raw_gguf([gstr("k", length=2**40) + u32(UINT8) + b"\1"]),
    "unknown value type": raw_gguf([ARCH, kv("x", 13, u32(0))]),
    "absurd array count": raw_gguf([kv("x", ARRAY, u32(UINT8) + u64(2**50))]),
    "array of an unknown type": raw_gguf([kv("x", ARRAY, u32(77) + u64(1) + u32(0))]),
    "string in an array longer than any file": raw_gguf(
        [kv("x", ARRAY, u32(STRING) + u64(1) + gstr("a", length=2**62))]
    ),
    "5,000 nested arrays": raw_gguf([kv("x", ARRAY, nested_array(5000))]),
    "duplicate key": raw_gguf([ARCH, ARCH]),
    "empty key": raw_gguf([ARCH, kv("", UINT32, u32(1))]),
    "alignment zero": raw_gguf([kv("general.alignment", UINT32, u32(0))]),
    "alignment not a power of two": raw_gguf([kv("general.alignment", UINT32, u32(48))]),
    "five dimensions": raw_gguf([ARCH], [tensor_info("t", [1, 1, 1, 1, 1])], data=b"\0" * 32),
    "element count overflows": raw_gguf([ARCH], [tensor_info("t", [2**40, 2**40])]),
    "unknown tensor type": raw_gguf([ARCH], [tensor_info("t", [8], 999)], data=b"\0" * 32),
    "offset beyond the data": raw_gguf([ARCH], [tensor_info("t", [8], 0, 2**60)], data=b"\0" * 32),
    "duplicate tensor": raw_gguf(
        [ARCH], [tensor_info("t", [8]), tensor_info("t", [8], 0, 32)], data=b"\0" * 64
    ),
}


@pytest.mark.parametrize("case", CRAFTED)
def test_crafted_headers_are_called_damaged_not_cut_short(tmp_path: Path, case: str) -> None:
    with pytest.raises(NotGGUF) as info:
        read_header(_write(tmp_path, CRAFTED[case]))
    message = str(info.value)
    assert "crafted.gguf is damaged or not a valid GGUF file" in message, message
    assert "cut short" not in message


def test_nested_arrays_are_refused_as_llama_cpp_does(tmp_path: Path) -> None:
    # llama.cpp's gguf.cpp refuses an array whose elements are arrays ("invalid GGUF type"),
    # so a model holding one could never load: say so before it gets there.
    for depth in (2, 5000):
        path = _write(tmp_path, raw_gguf([ARCH, kv("x", ARRAY, nested_array(depth))]))
        with pytest.raises(NotGGUF, match="array of arrays"):
            read_header(path)
    flat = _write(tmp_path, raw_gguf([ARCH, kv("x", ARRAY, nested_array(1))]), "flat.gguf")
    assert read_header(flat).array_lengths == {"x": 0}


def test_non_gguf_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("just some notes, not a model\n" * 50)
    with pytest.raises(NotGGUF, match="not a GGUF model file"):
        read_header(text)
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(NotGGUF, match="not a GGUF"):
        read_header(empty)
    with pytest.raises(NotGGUF, match="does not exist"):
        read_header(tmp_path / "missing.gguf")
