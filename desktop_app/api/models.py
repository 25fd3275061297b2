"""Which model and assistant answer an API request: an installed model by its id, or a specialist
(`smallwise/tutor`, `smallwise/math`, `smallwise/support`, `smallwise/chat`) on the model the
app would choose for it; with a remote engine, the server's own models. No Qt here."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.assistants.registry import Assistant, load_assistants
from desktop_app.core.catalog import CatalogModel
from desktop_app.core.engine.remote import RemoteEngine
from desktop_app.core.errors import ApiRequestError, EngineError, SmallwiseError
from desktop_app.core.hardware import HostProfile
from desktop_app.core.model_choice import ModelChoice, choose_model, remote_model
from desktop_app.settings import Settings

PREFIX = "smallwise/"
SPECIALISTS = ("chat", "tutor", "math", "support")
FRESH_S = 10.0  # how long a resolved model stays good (models can be added or removed meanwhile)


@dataclass(frozen=True)
class Target:
    """What answers a request: the model, and the specialist around it (None: the plain model)."""

    model: ModelChoice
    assistant: Assistant | None


class ApiModels:
    def __init__(
        self,
        store: Any,
        settings: Settings,
        catalog: dict[str, CatalogModel],
        models_dir: Path,
        host: HostProfile,
        engine: Callable[[], Any],
        default: str | None = None,
    ):
        self.store, self.settings, self.catalog = store, settings, catalog
        self.models_dir, self.host, self.default = models_dir, host, default
        self.engine = engine  # the engine in use now (it may become remote while serving)
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Target]] = {}

    def listing(self) -> list[dict[str, Any]]:
        """GET /v1/models: the installed (or the server's) models, then the specialists."""
        remote = self._remote()
        if remote is not None:
            ids = [e["id"] for e in remote.models()]
            owner = remote.server
        else:
            ids, owner = list(self._local()), "smallwise"
        assistants = load_assistants()
        specialists = [PREFIX + a for a in SPECIALISTS if a in assistants]
        return [{"id": i, "object": "model", "created": 0, "owned_by": owner} for i in ids] + [
            {"id": i, "object": "model", "created": 0, "owned_by": "smallwise"}
            for i in specialists
        ]

    def resolve(self, model_id: str) -> Target:
        """The Target for a request's `model`; ApiRequestError 404 when nothing answers to it."""
        with self._lock:
            cached = self._cache.get(model_id)
            if cached is not None and time.monotonic() - cached[0] < FRESH_S:
                return cached[1]
        target = self._resolve(model_id)
        with self._lock:
            self._cache[model_id] = (time.monotonic(), target)
        return target

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def _resolve(self, model_id: str) -> Target:
        assistant, remote = None, self._remote()
        spec: str | None = model_id
        if model_id.startswith(PREFIX):
            assistant = load_assistants().get(model_id[len(PREFIX) :])
            if assistant is None:
                raise self._not_found(model_id)
            spec = self.default
        elif remote is None:
            spec = self._local().get(model_id)
            if spec is None:
                raise self._not_found(model_id)
        try:
            if remote is not None:
                return Target(remote_model(remote.pick(spec)), assistant)
            chosen = choose_model(
                self.store, self.catalog, self.settings, self.models_dir, self.host, spec=spec,
                assistant=assistant,
            )
        except EngineError as exc:
            raise ApiRequestError(str(exc), 404, "model", "model_not_found") from None
        except ApiRequestError:
            raise
        except SmallwiseError as exc:
            raise ApiRequestError(
                str(exc), 503, "model", "model_unavailable", "server_error"
            ) from None
        return Target(chosen.model, assistant)

    def _local(self) -> dict[str, str]:
        """Model id → what choose_model takes: the installed models, and the model the server
        was started with (`--model FILE.gguf` need not be installed)."""
        ids = {r["id"]: r["id"] for r in self.store.installed_models() if Path(r["path"]).is_file()}
        if self.default:
            path = Path(self.default)
            name = path.stem if path.suffix.lower() == ".gguf" else self.default
            ids.setdefault(name, self.default)
        return ids

    def _remote(self) -> RemoteEngine | None:
        engine = self.engine()
        return engine if isinstance(engine, RemoteEngine) else None

    def _not_found(self, model_id: str) -> ApiRequestError:
        names = ", ".join(m["id"] for m in self.listing()[:20])
        return ApiRequestError(
            f"The model '{model_id}' does not exist here. Models: {names}.",
            404,
            "model",
            "model_not_found",
        )
