"""Splits streamed text into reasoning (<think>…</think>) and answer, even when a tag arrives
cut across chunks. R1-style models often start already inside the reasoning (their template
opens <think>), so the splitter can start there. No Qt here."""

from __future__ import annotations

OPEN, CLOSE = "<think>", "</think>"


class ThinkSplitter:
    def __init__(self, start_in_think: bool = False):
        self.in_think = start_in_think
        self.pending = ""
        self.thinking = ""
        self.answer = ""

    def feed(self, chunk: str) -> list[tuple[str, str]]:
        """Returns (kind, text) pieces, kind "think" or "answer", in order."""
        text, pieces = self.pending + chunk, list[tuple[str, str]]()
        self.pending = ""
        while text:
            tag = CLOSE if self.in_think else OPEN
            at = text.find(tag)
            if at >= 0:
                self._emit(pieces, text[:at])
                text = text[at + len(tag) :]
                self.in_think = not self.in_think
                continue
            keep = _partial_tag_suffix(text, tag)  # "<thi" may be the start of a tag
            self._emit(pieces, text[: len(text) - keep])
            self.pending = text[len(text) - keep :]
            break
        return pieces

    def finish(self) -> list[tuple[str, str]]:
        pieces: list[tuple[str, str]] = []
        self._emit(pieces, self.pending)
        self.pending = ""
        return pieces

    def _emit(self, pieces: list[tuple[str, str]], text: str) -> None:
        if not text:
            return
        kind = "think" if self.in_think else "answer"
        if kind == "think":
            self.thinking += text
        else:
            self.answer += text
        pieces.append((kind, text))


def _partial_tag_suffix(text: str, tag: str) -> int:
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


def split(text: str, start_in_think: bool = False) -> tuple[str, str]:
    """(reasoning, answer) of a whole text."""
    splitter = ThinkSplitter(start_in_think)
    splitter.feed(text)
    splitter.finish()
    return splitter.thinking, splitter.answer


def split_answer(text: str) -> tuple[str, str]:
    """(reasoning, answer) of a model's text, however it came: R1-style models often start
    inside the reasoning (their template opened <think>), which shows as a lone </think>."""
    return split(text, start_in_think=CLOSE in text and OPEN not in text)
