"""Which model file a conversation runs on, and the engine settings for it. No Qt here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from desktop_app.core.assistants.registry import Assistant
from desktop_app.core.catalog import CatalogModel
from desktop_app.core.engine.protocol import Load, Sampling
from desktop_app.core.errors import ModelNotFound, NotGGUF
from desktop_app.core.hardware import HostProfile, choose_threads, physical_cores
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
    name: str = ""  # for people: the catalog's name, or the file's own (general.name)

    @property
    def title(self) -> str:
        return self.name or self.id

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
        values: dict[str, Any] = {
            k: v for k, v in (self.sampling or {}).items() if k in Sampling.__annotations__
        }
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
        if entry is None:  # an import: the file says what it is
            return _from_file(spec, Path(row["path"]), row["chat_format"], row["quant"] or "")
        return ModelChoice(
            spec,
            Path(row["path"]),
            row["chat_format"],
            row["quant"] or "",
            entry.context_length,
            entry.sampling,
            system_prompt=entry.raw.get("system_prompt", True),
            name=entry.name,
        )
    path = Path(spec).expanduser()
    if path.suffix.lower() == ".gguf" or path.exists():
        if not path.exists():
            raise ModelNotFound(f"There is no file {path}.")
        return _from_file(path.stem, path.resolve(), chat_format, quant_from_name(path.name))
    installed = ", ".join(r["id"] for r in store.installed_models()) or "none"
    raise ModelNotFound(
        f"No installed model is called '{spec}'. Installed: {installed}. Give a model id or the "
        "path of a .gguf file."
    )


def _from_file(model_id: str, path: Path, chat_format: str | None, quant: str) -> ModelChoice:
    """A model the catalog does not know, named and quantized as its header says (a file that
    cannot be read keeps its id: loading it says what is wrong)."""
    from desktop_app.core.planning import describe_file

    facts = describe_file(path, quant)
    if facts is None:
        return ModelChoice(model_id, path, chat_format, quant)
    return ModelChoice(model_id, path, chat_format, facts.quant, name=facts.name)


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


# -- which installed model to use ------------------------------------------------------------
@dataclass(frozen=True)
class Chosen:
    model: ModelChoice
    note: str = ""  # what to tell the user once (a fallback was taken), else ""


def rank_installed(
    installed: list[str],
    catalog: dict[str, CatalogModel],
    host: HostProfile,
    assistant: Assistant | None = None,
) -> list[str]:
    """Installed models, best first for this machine and assistant: never one that won't fit;
    the tiny starter (a base model) last; the assistant's preferred models, then models made for
    its role, then the rest; within each, the planner's verdict (Full GPU before Partial before
    CPU), then the assistant's order, then larger models (more capable, and they fit)."""
    from desktop_app.core.planner import VERDICTS, plan
    from desktop_app.core.starter import STARTER_ID

    preferred = assistant.preferred_models if assistant else ()
    ranked = []
    for model_id in installed:
        entry = catalog.get(model_id)
        if entry is not None and entry.roles == ["embedding"]:
            continue  # it searches documents; it cannot chat
        verdict = plan(entry, host).verdict if entry is not None else "CPU only"
        if verdict == "Won't fit":
            continue
        for_role = entry is not None and assistant is not None and assistant.role in entry.roles
        group = 0 if model_id in preferred else 1 if for_role else 2
        order = preferred.index(model_id) if model_id in preferred else 0
        size = entry.quant().size_bytes if entry is not None else 0
        key = (model_id == STARTER_ID, group, VERDICTS.index(verdict), order, -size)
        ranked.append((*key, model_id))
    return [r[-1] for r in sorted(ranked)]


def with_plan(
    choice: ModelChoice, catalog: dict[str, CatalogModel], host: HostProfile, settings: Settings
) -> ModelChoice:
    """GPU layers and context size for this machine, planned from the model's own file."""
    from desktop_app.core.planning import plan_for

    installed = {"path": str(choice.path), "quant": choice.quant}
    try:
        result = plan_for(choice.id, catalog, host, installed, n_ctx=settings["n_ctx"] or None)
    except NotGGUF:
        return choice  # loading it will say what is wrong with the file
    if result.verdict == "Won't fit":
        return choice  # the load-failure ladder and its messages take it from here
    return replace(choice, gpu_layers=result.n_gpu_layers, planned_ctx=result.n_ctx)


def choose_model(
    store: Store,
    catalog: dict[str, CatalogModel],
    settings: Settings,
    models_dir: Path,
    host: HostProfile,
    spec: str | None = None,
    assistant: Assistant | None = None,
    chat_format: str | None = None,
    on_progress: Callable[[str], None] = lambda text: None,
) -> Chosen:
    """The model to answer with, planned for this machine. The user's choice wins: `spec` (a
    model named for this answer), then the default model they picked ("Use for new answers").
    Without one that is installed, the best installed model for the assistant; with none at
    all, the offline starter when this build has it (StarterMissing otherwise)."""
    from desktop_app.core.starter import STARTER_ID, install_starter

    if spec:
        choice = resolve_model(spec, store, catalog, chat_format)
        return Chosen(with_plan(choice, catalog, host, settings))
    installed = [r["id"] for r in store.installed_models() if Path(r["path"]).is_file()]
    default = settings["default_model"]
    if default and (default in installed or Path(default).suffix.lower() == ".gguf"):
        return Chosen(with_plan(resolve_model(default, store, catalog), catalog, host, settings))
    ranked = rank_installed(installed, catalog, host, assistant)
    if not ranked:
        starter = catalog[STARTER_ID]
        on_progress("Preparing the offline starter model (first run only)…")
        install_starter(models_dir, starter, store)
        ranked = [STARTER_ID]
    pick = ranked[0]
    note = ""
    if default:
        note = f"The default model {default} is not installed; using {pick} instead."
    elif pick != STARTER_ID and settings["announced_model"] != pick:
        what = f"for {assistant.name}" if assistant else "here"
        note = f"Using {pick}, the best installed model {what} on this computer."
    if note:
        settings["announced_model"] = pick
        settings.save()
    return Chosen(with_plan(resolve_model(pick, store, catalog), catalog, host, settings), note)


def adopt_first_model(
    settings: Settings, store: Store, catalog: dict[str, CatalogModel], model_id: str
) -> str:
    """In a build without the starter, the first model the user downloads or imports becomes
    the default model; returns what to tell the user ("" when nothing changed)."""
    from desktop_app.core.starter import STARTER_ID, available

    if settings["default_model"] or (STARTER_ID in catalog and available(catalog[STARTER_ID])):
        return ""
    if model_id in catalog and catalog[model_id].roles == ["embedding"]:
        return ""  # an embedding model is no model to answer with
    others = [r["id"] for r in store.installed_models() if r["id"] != model_id]
    if others:
        return ""
    settings["default_model"] = model_id
    settings["announced_model"] = model_id
    settings.save()
    return f"{model_id} is now the default model: new answers use it."


def remote_model(name: str) -> ModelChoice:
    """A model that runs on a model server (core.engine.remote), known by the server's name."""
    return ModelChoice(name, Path(name), None, quant_from_name(name))
