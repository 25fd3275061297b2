"""Which model file a conversation runs on, and the engine settings for it. No Qt here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.catalog import CatalogModel
from desktop_app.core.engine.protocol import Load, Sampling
from desktop_app.core.errors import ModelNotFound
from desktop_app.core.hardware import choose_threads, physical_cores
from desktop_app.core.store import Store
from desktop_app.settings import Settings

DEFAULT_CTX = 4096


@dataclass(frozen=True)
class ModelChoice:
    id: str
    path: Path
    chat_format: str | None
    quant: str
    context_length: int | None = None
    sampling: dict[str, float] | None = None
    gpu_layers: int = 0  # from the planner
    planned_ctx: int = 0  # from the planner; used when the user has not fixed one
    system_prompt: bool = True  # False: instructions go into the first user turn (R1 distills)

    def load_request(self, settings: Settings) -> Load:
        n_ctx = settings["n_ctx"] or self.planned_ctx or DEFAULT_CTX
        if self.context_length:
            n_ctx = min(n_ctx, self.context_length)
        threads = settings["n_threads"] or choose_threads(calibrated=settings["calibrated_threads"])
        return Load(
            model_path=str(self.path),
            chat_format=self.chat_format,
            n_ctx=n_ctx,
            n_threads=threads,
            n_threads_batch=max(threads, physical_cores()),
            n_gpu_layers=self.gpu_layers,
            model_id=self.id,
            quant=self.quant,
        )

    def sampling_for(self, settings: Settings, **overrides: float | int | None) -> Sampling:
        values = {k: v for k, v in (self.sampling or {}).items() if k in Sampling.__annotations__}
        values.update(max_tokens=settings["max_tokens"], temperature=settings["temperature"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return Sampling(**values)


def resolve_model(
    spec: str, store: Store, catalog: dict[str, CatalogModel], chat_format: str | None = None
) -> ModelChoice:
    """`spec` is an installed model id or a path to a .gguf file."""
    row = store.installed_model(spec)
    if row is not None:
        entry = catalog.get(spec)
        return ModelChoice(
            spec,
            Path(row["path"]),
            row["chat_format"],
            row["quant"] or "",
            entry.context_length if entry else None,
            entry.sampling if entry else None,
            system_prompt=entry.raw.get("system_prompt", True) if entry else True,
        )
    path = Path(spec).expanduser()
    if path.suffix.lower() == ".gguf" or path.exists():
        if not path.exists():
            raise ModelNotFound(f"There is no file {path}.")
        return ModelChoice(path.stem, path.resolve(), chat_format, quant_from_name(path.name))
    installed = ", ".join(r["id"] for r in store.installed_models()) or "none"
    raise ModelNotFound(
        f"No installed model is called '{spec}'. Installed: {installed}. Give a model id or the "
        "path of a .gguf file."
    )


def quant_from_name(name: str) -> str:
    upper = name.upper()
    for q in (
        "Q8_0",
        "Q6_K",
        "Q5_K_M",
        "Q5_K_S",
        "Q4_K_M",
        "Q4_K_S",
        "Q4_0",
        "Q3_K_M",
        "Q2_K",
        "IQ4_XS",
        "F16",
        "BF16",
        "F32",
    ):
        if q in upper:
            return q
    return ""
