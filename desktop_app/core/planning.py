"""Plans as the user sees them, one path for `smallwise plan`, the model manager and the model a
turn loads: for a model that is installed, from its own file (size, shapes, the bytes llama.cpp
repacks: read from the GGUF header); for one not downloaded yet, from the catalog's figures.
An imported model, which the catalog does not know, is described from its header. No Qt here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class FileFacts:
    """What a model file says about itself, cleaned for showing as plain text."""

    name: str  # general.name ("" when the file has none)
    quant: str  # the given quant, else general.file_type ("" when unknown)
    description: str


def describe_file(path: Path, quant: str = "") -> FileFacts | None:
    """Name, quantization and a one-line description from a GGUF's header (bounded reading);
    None when the file cannot be read as a GGUF."""
    try:
        header = read_header(path)
    except (NotGGUF, OSError):
        return None
    name = _plain(header.metadata.get("general.name"))
    quant = quant or file_type(header)
    size = _plain(header.metadata.get("general.size_label"))
    what = ", ".join(
        part
        for part in (
            _plain(header.architecture) and f"{_plain(header.architecture)} architecture",
            size and f"{size} parameters",
            quant,
            f"context up to {int(header.arch_value('context_length', 0) or 0):,} tokens",
        )
        if part
    )
    return FileFacts(name, quant, f"Imported from {_plain(path.name)}: {what}.")


def _plain(value: Any) -> str:
    """Outside text for one line: a string, control characters removed, bounded in length."""
    if not isinstance(value, str):
        return ""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", value).strip()[:MAX_NAME_CHARS]


def entry_for_file(model_id: str, path: Path, header: GGUFHeader, quant: str = "") -> CatalogModel:
    """A catalog entry for a model file the catalog does not know (an import)."""
    name = _plain(header.metadata.get("general.name")) or model_id
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


def plans_by_quant(
    model_id: str,
    catalog: dict[str, CatalogModel],
    host: HostProfile,
    installed: dict[str, Any] | None = None,
) -> tuple[Plan, dict[str, Plan]]:
    """The planner's choice, and a plan for every quantization the user may pick instead (the
    installed one planned from its file), so that a change of choice is shown at once."""
    chosen = plan_for(model_id, catalog, host, installed)
    plans = {chosen.quant: chosen}
    entry = catalog.get(model_id)
    for q in entry.quants if entry else ():
        if q.type.upper() not in {k.upper() for k in plans}:
            plans[q.type] = plan_for(model_id, catalog, host, installed, quant=q.type)
    return chosen, plans
