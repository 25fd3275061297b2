"""The header reader and file checks, on GGUF files written by the gguf package."""

from __future__ import annotations

from pathlib import Path

import pytest
from ggufs import truncate_copy

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
    for keep in (0.9, 0.3, 0.001):
        cut = truncate_copy(tiny_model, tmp_path / f"cut{keep}.gguf", keep)
        with pytest.raises(NotGGUF, match="incomplete"):
            read_header(cut)


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
