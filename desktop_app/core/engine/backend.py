"""What the conversation flow needs from an engine, whether it is the local worker process
(client.EngineClient) or a model server elsewhere (remote.RemoteEngine). No Qt here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from desktop_app.core.engine import protocol as p


class Engine(Protocol):
    loaded: p.Loaded | None  # what answers now; None until a load (or after a failure)

    def load(self, request: p.Load) -> p.Loaded:
        """Make `request`'s model ready; raise EngineError with a message for the user."""
        ...

    def alive(self) -> bool:
        """Whether the loaded model can answer without another load."""
        ...

    def chat(self, messages: list[dict[str, str]], sampling: p.Sampling) -> Iterator[Any]:
        """Started, Token…, then Done or Failed; never raises."""
        ...

    def cancel(self) -> None:
        """Stop the answer being generated within one token; from any thread; never blocks."""
        ...

    def shutdown(self, timeout: float = 3.0) -> None: ...
