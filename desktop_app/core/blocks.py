"""Where a Markdown text may be cut so that each part, rendered on its own, shows what the whole
would: between two top-level blocks only (after a blank line, outside fenced code and display
math, never inside a list). A long answer is shown in such parts, so a streamed answer
re-renders only its last part and each update costs the same however long the answer grows.
A cut is only made before a line that is complete or long enough to tell whether it starts a
list item, so the cuts of a growing text never move: streamed, an answer gets the parts it
gets when opened later. One pass over the lines: linear time. No Qt here.
"""

from __future__ import annotations

import re

PART_CHARS = 3000  # ≈ 5–10 ms to render and lay out; answers shorter than this are one part
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
LIST_MARK_CHARS = 11  # "123456789. " is the longest list marker
MATH_MARKS = re.compile(r"(?<!\\)(\$\$|\\[\[\]()])")  # $$, \[ \] and \( \) (which may span lines)
OPENING = ("\\[", "\\(")


class _Scan:
    """What the lines so far leave open: a code fence, display math."""

    def __init__(self) -> None:
        self.fence: str | None = None  # the opening marker, e.g. "```"
        self.math = False
        self.blank_before = False

    def may_cut_before(self, line: str) -> bool:
        """A new top-level block starts here, with nothing left open above it."""
        return (
            (line.endswith("\n") or len(line) > LIST_MARK_CHARS)
            and self.blank_before
            and self.fence is None
            and not self.math
            and not line[:1].isspace()
            and LIST_ITEM.match(line) is None  # a list goes on: its numbering too
        )

    def read(self, line: str) -> None:
        if self.fence is not None:
            closing = FENCE.match(line)
            marker = closing.group(1) if closing else ""
            if closing and marker[:1] == self.fence[:1] and len(marker) >= len(self.fence):
                if not line[closing.end() :].strip():
                    self.fence = None
            self.blank_before = False
            return
        if not line.strip():
            self.blank_before = True
            return
        self.blank_before = False
        opening = FENCE.match(line)
        if opening and not self.math:
            self.fence = opening.group(1)
            return
        for mark in MATH_MARKS.findall(line):
            self.math = mark in OPENING or (mark == "$$" and not self.math)


def cut_points(text: str, size: int = PART_CHARS, start: int = 0) -> list[int]:
    """Offsets where `text` may be cut, at least `size` characters apart, from `start` on
    (0 or a cut found before in the same text, or in a shorter beginning of it: nothing is
    left open at a cut, so the scan can begin there)."""
    scan, cuts, offset, last = _Scan(), [], start, start
    for line in text[start:].splitlines(keepends=True):
        if offset - last >= size and scan.may_cut_before(line):
            cuts.append(offset)
            last = offset
        scan.read(line)
        offset += len(line)
    return cuts


def parts(text: str, size: int = PART_CHARS) -> list[str]:
    """`text` in parts of at least `size` characters (the last may be shorter), cut only where
    rendering each part alone shows the same as rendering the whole."""
    bounds = [0, *cut_points(text, size), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a] or [""]
