"""Long conversations in the transcript (pytest-qt, offscreen): only what is near the visible
area has widgets; scrolling up brings older messages, far ones are let go; the view follows the
newest text while at the bottom. Open time and memory are printed by benchmarks/long_chat.py,
not asserted here: these tests assert what a user would notice."""

from __future__ import annotations

import time
from typing import Any

import pytest

from desktop_app.core.turn import left_out_ids
from desktop_app.ui.message_view import ChatView

MAX_WIDGETS = 80  # far below one per message; a few screens' worth


def conversation(n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, n + 1):
        if i % 2:
            rows.append({"id": i, "role": "user", "content": f"Question {i}: why?"})
        else:
            answer = f"Answer {i}: **because**.\n\n- one\n- two\n\n```python\nprint({i})\n```"
            rows.append({"id": i, "role": "assistant", "content": answer})
        rows[-1]["status"] = "complete"
    return rows


@pytest.fixture
def view(qtbot) -> ChatView:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(700, 500)
    chat.show()
    qtbot.waitExposed(chat)
    return chat


def settle(qtbot, view: ChatView) -> None:
    """Let the view finish what it does between frames."""
    qtbot.waitUntil(lambda: not view.busy(), timeout=10_000)
    qtbot.wait(20)


def at_bottom(view: ChatView) -> bool:
    bar = view.verticalScrollBar()
    return bar.value() == bar.maximum()


def visible_ids(view: ChatView) -> list[int]:
    top, bottom = view.verticalScrollBar().value(), view.verticalScrollBar().value()
    bottom += view.viewport().height()
    return [
        w.row["id"]
        for w in view.shown_messages()
        if w.y() + w.height() > top and w.y() < bottom and w.isVisible()
    ]


def scroll_until(qtbot, view: ChatView, done, step: int = -1, limit_s: float = 120) -> int:
    """Scroll a screen at a time (up: step -1), as a user would, until `done()`; returns the
    most widgets there were at once."""
    most = len(view.widgets)
    bar = view.verticalScrollBar()
    deadline = time.monotonic() + limit_s
    while not done():
        assert time.monotonic() < deadline, "scrolling never got there"
        bar.setValue(bar.value() + step * view.viewport().height())
        qtbot.wait(5)
        most = max(most, len(view.widgets))
    return most


def scroll_up_until(qtbot, view: ChatView, done) -> int:
    return scroll_until(qtbot, view, done, -1)


def test_opening_2000_messages_creates_widgets_only_near_the_bottom(qtbot, view) -> None:
    view.show_messages(conversation(2000))
    settle(qtbot, view)
    assert 0 < len(view.widgets) <= MAX_WIDGETS
    assert at_bottom(view) and 2000 in visible_ids(view)
    shown = [w.row["id"] for w in view.shown_messages()]
    assert shown == list(range(shown[0], 2001))  # the newest ones, in order, none missing
    assert "earlier" in view.older_note.text() and not view.older_note.isHidden()


def test_scrolling_up_brings_older_messages_and_lets_far_ones_go(qtbot, view) -> None:
    view.show_messages(conversation(400))
    settle(qtbot, view)
    first_shown = view.shown_messages()[0].row["id"]
    most = scroll_up_until(qtbot, view, lambda: 1 in visible_ids(view))
    assert most <= MAX_WIDGETS  # never one per message
    assert 400 not in view.widgets  # the newest, far below now, was let go
    shown = [w.row["id"] for w in view.shown_messages()]
    assert shown[0] == 1 and shown == list(range(1, shown[-1] + 1)) and shown[-1] < first_shown
    assert view.older_note.isHidden()
    # back down to the newest: made again, and the oldest let go
    most = scroll_until(qtbot, view, lambda: 400 in visible_ids(view) and at_bottom(view), +1)
    assert most <= MAX_WIDGETS and 1 not in view.widgets


def test_what_the_user_reads_stays_in_place_while_older_messages_load(qtbot, view) -> None:
    view.show_messages(conversation(2000))
    settle(qtbot, view)
    bar = view.verticalScrollBar()
    bar.setValue(0)  # the top of what has widgets: older ones load above it
    reading = view.shown_messages()[0]
    offset = reading.y() - bar.value()
    settle(qtbot, view)
    assert view.shown_messages()[0] is not reading  # older ones were put above it…
    assert reading.y() - bar.value() == offset  # …and it did not move on screen


def test_streaming_follows_the_newest_text_at_the_bottom_only(qtbot, view) -> None:
    view.show_messages(conversation(2000))
    view.add_message({"id": 2001, "role": "assistant", "content": "", "status": "streaming"})
    settle(qtbot, view)
    line = "A line of the answer that is long enough to wrap in the window, more or less. "
    for _ in range(40):
        view.append_text(2001, line * 3 + "\n\n")
        qtbot.wait(10)
        assert at_bottom(view)
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() - 300)  # the user scrolls up to read
    settle(qtbot, view)
    before = bar.value()
    for _ in range(20):
        view.append_text(2001, line * 3 + "\n\n")
        qtbot.wait(10)
    assert bar.value() == before and not at_bottom(view)
    assert view.widgets[2001].text.count("\n\n") == 60


def test_text_streamed_into_a_message_without_a_widget_is_shown_when_it_comes_back(
    qtbot, view
) -> None:
    view.show_messages(conversation(2000))
    view.add_message({"id": 2001, "role": "assistant", "content": "", "status": "streaming"})
    settle(qtbot, view)
    scroll_up_until(qtbot, view, lambda: 2001 not in view.widgets)
    view.append_text(2001, "written while you read older messages")
    view.set_row(2001, {"status": "complete", "tokens_per_s": 12.5})
    view.scroll_to_bottom()
    settle(qtbot, view)
    widget = view.widgets[2001]
    assert "written while you read" in widget.body.text() and "12.5 tokens/s" in widget.toolTip()


def test_a_new_message_while_far_up_goes_back_to_the_bottom(qtbot, view) -> None:
    view.show_messages(conversation(2000))
    settle(qtbot, view)
    scroll_up_until(qtbot, view, lambda: 2000 not in view.widgets)
    view.add_message({"id": 2001, "role": "user", "content": "A new question"})
    settle(qtbot, view)
    assert at_bottom(view) and 2001 in visible_ids(view) and len(view.widgets) <= MAX_WIDGETS


def test_left_out_marks_reach_messages_created_later(qtbot, view) -> None:
    rows = conversation(300)
    view.show_messages(rows)
    view.mark_left_out(left_out_ids(rows, 200))
    settle(qtbot, view)
    assert all(w.left_out_note.isHidden() for w in view.shown_messages())  # the newest are seen
    scroll_up_until(qtbot, view, lambda: 1 in visible_ids(view))
    assert not view.widgets[1].left_out_note.isHidden()


def test_removing_and_reopening_keep_the_order(qtbot, view) -> None:
    rows = conversation(300)
    view.show_messages(rows)
    settle(qtbot, view)
    view.remove_message(300)
    settle(qtbot, view)
    assert 300 not in view.widgets and view.shown_messages()[-1].row["id"] == 299
    view.show_messages(rows[:10])
    settle(qtbot, view)
    assert [w.row["id"] for w in view.shown_messages()] == list(range(1, 11))
    assert view.older_note.isHidden()


def test_messages_made_while_scrolling_were_rendered_off_the_gui_thread(qtbot, monkeypatch) -> None:
    import threading

    from desktop_app.services.rendering import RenderAhead
    from desktop_app.ui import message_body

    on_gui_thread: list[str] = []
    render = message_body.render_with_code

    def counted(text, budget=None, dark=False):
        if threading.current_thread() is threading.main_thread():
            on_gui_thread.append(text)
        return render(text, budget, dark)

    monkeypatch.setattr(message_body, "render_with_code", counted)
    view = ChatView(ahead=RenderAhead())
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    view.show_messages(conversation(600))
    settle(qtbot, view)
    assert on_gui_thread  # what the window shows at once is rendered at once…
    on_gui_thread.clear()
    first = view.shown_messages()[0].row["id"]
    bar = view.verticalScrollBar()
    for _ in range(10):  # …what comes into view later was rendered ahead, off this thread
        bar.setValue(max(0, bar.value() - view.viewport().height()))
        settle(qtbot, view)
    assert view.shown_messages()[0].row["id"] < first - 20
    assert on_gui_thread == []
    view.ahead.shutdown()


def test_a_long_streamed_answer_redraws_only_its_end_and_ends_as_it_opens_later(
    qtbot, view, monkeypatch
) -> None:
    from desktop_app.ui.message_widget import MessageWidget
    from desktop_app.ui.safe_text import SafeText

    drawn: list[SafeText] = []
    set_text = SafeText.setText

    def counted(part: SafeText, html: str) -> None:
        drawn.append(part)
        set_text(part, html)

    monkeypatch.setattr(SafeText, "setText", counted)
    text = "\n\n".join(f"Paragraph {i}: " + "words that go on " * 25 for i in range(60))
    chunks = [text[i : i + 40] for i in range(0, len(text), 40)]
    view.add_message({"id": 1, "role": "assistant", "content": "", "status": "streaming"})
    body = view.widgets[1].content
    for chunk in chunks[: len(chunks) // 2]:
        view.append_text(1, chunk)
    # A slow machine redraws a slow part less often: the newest text shows a moment later.
    qtbot.waitUntil(lambda: "Paragraph 29" in body.text())
    settled = body.parts[:-2]  # the last two may still change
    assert len(settled) >= 2
    drawn.clear()
    for chunk in chunks[len(chunks) // 2 :]:
        view.append_text(1, chunk)
    qtbot.waitUntil(lambda: "Paragraph 59" in body.text())
    assert drawn and not any(part in drawn for part in settled)  # only the end was redrawn
    view.set_row(1, {"content": text, "status": "complete"})
    reopened = MessageWidget({"id": 1, "role": "assistant", "content": text, "status": "complete"})
    qtbot.addWidget(reopened)
    assert len(body.parts) > 3 and body.text() == reopened.content.text()


def long_answer(mark: str, paragraphs: int = 40) -> str:
    """An answer of many parts (core/blocks.py cuts it every few thousand characters)."""
    return "\n\n".join(
        f"{mark} paragraph {i}: " + "words that go on " * 25 for i in range(paragraphs)
    )


def test_a_long_answer_made_ahead_is_shown_in_stages_its_end_first_when_above(qtbot) -> None:
    from desktop_app.ui.message_body import MarkdownBody, Stage, pieces

    body = MarkdownBody()
    qtbot.addWidget(body)
    body.show_markdown(long_answer("A"), stage=Stage(deadline=0.0, from_end=True))
    assert len(pieces(long_answer("A"))) >= 4 and body.unfinished()
    rendered = [part for part in body.parts if part.text()]
    assert rendered == [body.parts[-1]]  # one part in the time given: the end, nearest
    assert all(part.isHidden() for part in body.parts[:-1])  # the others take no room yet
    # …and have no widget yet but the first (made with the body): making a dozen of them at
    # once took a frame's time while the view scrolled
    assert len(body.parts) == 2
    assert body.finish(deadline=0.0)  # one more per call while time is short…
    assert body.parts[-2].text() and not body.parts[0].text()
    assert not body.finish()  # …and the rest at once without a deadline
    whole = MarkdownBody()
    qtbot.addWidget(whole)
    whole.show_markdown(long_answer("A"))
    assert body.text() == whole.text() and not any(p.isHidden() for p in body.parts)


def test_a_staged_answer_is_finished_before_its_unshown_side_is_seen(qtbot, view) -> None:
    from desktop_app.ui.message_view import TICK_S

    rows = conversation(300)
    rows[99]["content"] = long_answer("Long")  # id 100, far above the bottom
    view.show_messages(rows)
    settle(qtbot, view)
    staged_seen: list[int] = []
    staged: set[int] = set()
    bar = view.verticalScrollBar()
    deadline = time.monotonic() + 60
    while 100 not in view.widgets or view.widgets[100].y() < bar.value():
        assert time.monotonic() < deadline
        bar.setValue(bar.value() - 60)  # a wheel's worth at a time, up
        for widget in view.shown_messages():
            if widget.unfinished():
                staged.add(widget.row["id"])
                if bar.value() <= widget.y() <= bar.value() + view.height():
                    staged_seen.append(widget.row["id"])  # its missing top is on screen
        qtbot.wait(int(TICK_S * 1000))
    assert 100 in staged  # made in stages…
    assert staged_seen == []  # …and never seen unfinished
    settle(qtbot, view)
    made = view.widgets[100].content
    assert not made.unfinished() and "Long paragraph 0:" in made.text()
    assert "Long paragraph 39:" in made.text()


def test_finishing_a_staged_answer_above_keeps_what_the_user_reads_in_place(qtbot, view) -> None:
    rows = conversation(300)
    for i in range(1, 300, 2):  # every answer long: each is made in stages above the reader
        rows[i]["content"] = long_answer(f"A{i}", 12)
    view.show_messages(rows)
    settle(qtbot, view)
    bar = view.verticalScrollBar()
    moved, staged = [], 0
    while bar.value() > 0 and len(moved) < 40:
        bar.setValue(max(0, bar.value() - 300))
        reading = next(w for w in view.shown_messages() if w.y() + w.height() > bar.value())
        offset = reading.y() - bar.value()
        above = sum(w.unfinished() for w in view.shown_messages())
        qtbot.wait(1)  # a turn of the loop: some parts of answers above are rendered
        if above and reading.row["id"] in view.widgets:
            staged += 1
            moved.append(reading.y() - bar.value() - offset)
    assert staged > 0  # answers above were being finished while the user read…
    assert all(m == 0 for m in moved)  # …and what was read never moved


def test_a_new_colour_scheme_keeps_the_place_read(qtbot, view) -> None:
    """Switching to the dark scheme while reading far up jumped to the end of the
    conversation (a new user's trial)."""
    view.show_messages(conversation(400))
    settle(qtbot, view)
    scroll_up_until(qtbot, view, lambda: view._lo < 300)  # noqa: SLF001
    settle(qtbot, view)
    reading = visible_ids(view)[0]
    view.set_dark(True)  # what the window does on scheme_changed
    settle(qtbot, view)
    assert not at_bottom(view) and reading in visible_ids(view)
