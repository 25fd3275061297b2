"""A long answer is shown in parts cut between Markdown blocks (core/blocks.py): each part
rendered alone must show what the whole would, and the cuts of a growing (streamed) text must
stay where they were. Code blocks get a Copy link (core/render.py)."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.blocks import cut_points, parts
from desktop_app.core.render import FormulaBudget, render_markdown, render_with_code

BLOCKS = [
    "A paragraph with **bold** and `code`.",
    "Two lines\nin one paragraph.",
    "- one\n- two\n\n- three after a blank line",
    "1. first\n\n2. second\n\n3. third",
    "```python\nx = 1\n\n\ny = 2\n```",
    "~~~\nunclosed tilde fence\n\nstill code",
    "    indented code\n\n    more of it",
    "$$\na^2\n\n+ b^2\n$$",
    "\\[ x \\]",
    "> quoted\n\n> again",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "### A heading",
    "---",
    "Text\n===",
    "*emphasis that\n\ndoes not close",
    "- item\n\n  continued inside the item",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=14), st.integers(1, 80))
def test_parts_rendered_alone_show_what_the_whole_shows(blocks: list[str], size: int) -> None:
    text = "\n\n".join(blocks)
    pieces = parts(text, size)
    assert "".join(pieces) == text
    assert "".join(render_markdown(p) for p in pieces) == render_markdown(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=12), st.integers(1, 60))
def test_cuts_of_a_growing_text_stay_where_they_were(blocks: list[str], size: int) -> None:
    text = "\n\n".join(blocks)
    final = cut_points(text, size)
    for end in range(len(text) + 1):
        assert set(cut_points(text[:end], size)) <= set(final)


def test_a_scan_can_start_at_an_earlier_cut() -> None:
    text = "\n\n".join(BLOCKS * 20)
    cuts = cut_points(text, 200)
    assert len(cuts) > 10
    assert cut_points(text, 200, start=cuts[4]) == cuts[5:]


def test_a_short_answer_is_one_part_and_a_long_one_is_cut_in_bounded_time() -> None:
    assert parts("Just a short answer.\n\nWith two paragraphs.") == [
        "Just a short answer.\n\nWith two paragraphs."
    ]
    long = "\n\n".join(BLOCKS * 400)  # ≈ 0.5 MB
    started = time.perf_counter()
    pieces = parts(long)
    assert time.perf_counter() - started < 2.0
    assert len(pieces) > 20 and all(len(p) >= 3000 for p in pieces[:-1])


def test_each_code_block_gets_a_copy_link_for_its_source() -> None:
    html, blocks = render_with_code(
        "Run `this`:\n\n```bash\necho $HOME\n```\n\nthen\n\n    indented $x$\n"
    )
    assert blocks == ["echo $HOME\n", "indented $x$\n"]
    assert '<a href="copy-code:0">Copy code</a>' in html and 'href="copy-code:1"' in html
    assert "copy-code" not in render_markdown("```\ncode\n```")  # only where asked


def test_the_parts_of_one_answer_share_the_formula_budget() -> None:
    budget = FormulaBudget()
    formulas = [f"$y_{{{i}}}^3$" for i in range(400)]
    drawn = 0
    for start in range(0, 400, 40):  # ten parts of forty formulas
        html, _ = render_with_code(" ".join(formulas[start : start + 40]), budget)
        drawn += html.count("<img")
    assert 0 < drawn < 400 and budget.drawn == drawn
    again, _ = render_with_code(formulas[0], budget)  # shown again (a re-render): still drawn
    assert "<img" in again
