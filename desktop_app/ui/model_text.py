"""How a model is described on screen: sizes, the plan in words, the memory bar, this computer.
Shared by the model manager and the first-run page. Catalog text and GGUF names are outside
text: every value is escaped into the HTML made here."""

from __future__ import annotations

import html
from typing import Any

from desktop_app.core.planner import Plan
from desktop_app.ui import theme

BAR_PARTS = ("weights", "kv_cache", "compute", "overhead", "free")


def size_text(n: int, approximate: bool = False) -> str:
    if approximate:  # a rounded catalog figure: say so, and claim no more digits than it has
        return f"about {n / 1e9:.1f} GB" if n >= 1e8 else f"about {n / 1e6:.0f} MB"
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


def quant_size(row: dict[str, Any], quant: str) -> str:
    """The size of one quantization of a listing row: the file on disk when that is the one
    installed, else the catalog's figure ("about" when it was not checked against the file)."""
    have = row.get("installed")
    if have and have["present"] and (have["quant"] or "").upper() == quant.upper():
        return size_text(have["size_on_disk"])
    sizes = {q.upper(): s for q, s in (row.get("quant_sizes") or {}).items()}
    found = sizes.get(quant.upper())
    if found is None:
        return size_text(row.get("size_bytes", 0), not row.get("size_verified", True))
    return size_text(found["bytes"], not found["verified"])


def plan_text(plan: Plan) -> str:
    return (
        f"<b>Here: {html.escape(plan.verdict)}</b> with {html.escape(plan.quant)}, context "
        f"{plan.n_ctx:,} — {html.escape(plan.why)}."
    )


def details(row: dict[str, Any], quant: str, plan: Plan | None) -> str:
    """The selected model: what it is, its licence, the plan for `quant` with its memory bar."""
    lines = [f"<b>{html.escape(row['name'])}</b> — {html.escape(row.get('description', ''))}"]
    if row.get("license"):
        warning = " <b>Not for commercial use.</b>" if row.get("non_commercial") else ""
        lines.append(f"Licence: {html.escape(row['license'])}.{warning}")
    if row.get("runs_on"):
        lines.append(
            f"<b>Runs on {html.escape(row['runs_on'])}</b> (Settings: models on another machine)."
        )
    elif plan is not None:
        lines.append(plan_text(plan))
        lines.append(memory_bar(plan))
    have = row["installed"]
    if have:
        what = f" ({html.escape(have['quant'])})" if have.get("quant") else ""
        lines.append(f"Installed{what}: {html.escape(have['path'])}")
    return "<br/>".join(lines)


def memory_bar(planned: Plan, scheme: theme.Scheme | None = None) -> str:
    """A bar of the memory budget: weights / KV cache / compute / overhead / free, in the
    colours of the scheme in use."""
    scheme = scheme or theme.current()
    colours = {part: scheme.colour(f"bar_{part}") for part in BAR_PARTS}
    gpu = planned.n_gpu_layers > 0
    budget = planned.vram_budget if gpu else planned.ram_budget
    parts = planned.estimate.parts()
    total = max(budget, sum(parts.values()), 1)
    parts["free"] = max(0, budget - sum(parts.values()))
    cells = "".join(
        f'<td width="{max(1, round(100 * size / total))}%" bgcolor="{colours[name]}">'
        "&nbsp;</td>"
        for name, size in parts.items()
        if size > 0
    )
    legend = " · ".join(
        f'<span style="color:{colours[n]}">■</span> {n.replace("_", " ")} {size / 1e9:.2f} GB'
        for n, size in parts.items()
    )
    where = "GPU memory" if gpu else "memory for models"
    return (
        f'<table width="100%" cellspacing="0" cellpadding="3"><tr>{cells}</tr></table>'
        f"{legend} (of {budget / 1e9:.1f} GB {where})"
    )


def describe_host(host: Any) -> str:
    cores = f"{host.physical_cores or '?'} cores"
    isa = ", ".join(f for f in host.isa if f in ("avx2", "avx512f", "neon", "amx_tile")) or "basic"
    gpus = (
        "; ".join(
            f"{g.name} ({(g.free_bytes or 0) / 1e9:.1f} of "
            f"{(g.total_bytes or 0) / 1e9:.1f} GB free)"
            for g in host.gpus
        )
        or "no GPU found"
    )
    return (
        f"<b>This computer:</b> {html.escape(host.cpu_model or 'CPU')}, {cores} ({isa}); "
        f"{host.ram_available_bytes / 1e9:.1f} of {host.ram_total_bytes / 1e9:.1f} GB RAM free; "
        f"{html.escape(gpus)}"
    )
