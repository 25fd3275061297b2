"""The GUI thread gets the GIL back quickly. Python threads of the window (rendering ahead,
the store, the knowledge index) run Python code for long stretches; the GUI thread lets the
GIL go on many binding calls and, to take it back, waits for the running thread to give it up:
after the switch interval, 5 ms by default. A frame makes hundreds of such calls, so with a
busy thread beside it one frame took 40–110 ms (benchmarks/long_chat.py, scrolling a long
conversation while the messages above were rendered ahead: p99 27–29 ms at 2,000 messages;
with 0.5 ms, 12–14 ms). A shorter interval costs the threads a little throughput (a switch is
a few microseconds), never the GUI."""

from __future__ import annotations

import sys

GUI_SWITCH_S = 0.0005


def favour_the_gui() -> None:
    """Call once at start, before any thread runs Python code beside the GUI."""
    sys.setswitchinterval(GUI_SWITCH_S)
