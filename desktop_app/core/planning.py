"""Plans as the user sees them, one path for `smallwise plan`, the model manager and the model a
turn loads: for a model that is installed, from its own file (size, shapes, the bytes llama.cpp
repacks: read from the GGUF header); for one not downloaded yet, from the catalog's figures.
An imported model, which the catalog does not know, is described from its header. No Qt here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.core.catalog import CatalogModel, Quant
from desktop_app.core.errors import NotGGUF, UsageError
from desktop_app.core.gguf_info import GGUFHeader, read_header
from desktop_app.core.hardware import HostProfile
from desktop_app.core.planner import Plan, plan


def file_type(header: GGUFHeader) -> str:
    """The quantization a GGUF says it has (general.file_type), e.g. "Q4_K_M"; "" if unknown."""
    from gguf.constants import LlamaFileType

    try:
        name = LlamaFileType(int(header.metadata.get("general.file_type", -1))).name
    except (ValueError, TypeError):
        return ""
    return name.removeprefix("MOSTLY_").removeprefix("ALL_")


def entry_for_file(model_id: str, path: Path, header: GGUFHeader, quant: str = "") -> CatalogModel:
    """A catalog entry for a model file the catalog does not know (an import)."""
    name = str(header.metadata.get("general.name") or model_id)
    quant = quant or file_type(header) or "unknown"
    return CatalogModel(
        model_id,
        name,
        None,
        int(header.arch_value("context_length", 4096) or 4096),
        f"Imported from {path.name}.",
        {},
        (Quant(quant, path.name, header.file_size, None, "import"),),
        {"roles": [], "parameters": 0, "license": {"name": "", "non_commercial": False}},
    )


def plan_for(
    model_id: str,
    catalog: dict[str, CatalogModel],
    host: HostProfile,
    installed: dict[str, Any] | None = None,
    quant: str | None = None,
    n_ctx: int | None = None,
) -> Plan:
    """The plan for `model_id`: from the installed file when there is one (and `quant` does not
    ask for another variant), else from the catalog. `installed` is the store's row."""
    entry = catalog.get(model_id)
    path = Path(installed["path"]) if installed else None
    have = (installed or {}).get("quant") or ""
    if path is not None and path.is_file() and (not quant or quant.upper() == have.upper()):
        try:
            header = read_header(path)
        except NotGGUF:
            if entry is None:
                raise
            header = None  # a damaged file: the catalog's figures, and loading will say why
        if header is not None:
            entry = entry or entry_for_file(model_id, path, header, have)
            return plan(entry, host, quant=have or entry.quants[0].type, n_ctx=n_ctx, header=header)
    if entry is None:
        raise UsageError(
            f"'{model_id}' is not in the catalog and not installed (see `smallwise models list`)."
        )
    return plan(entry, host, quant=quant, n_ctx=n_ctx)
