"""How a model is described on screen: sizes, the plan in words, the memory bar, this computer,
what it runs and how long a download takes. Shared by the model manager and the first-run page.
Catalog text and GGUF names are outside text: every value is escaped into the HTML made here.
Every word goes through Qt's translation (context "ModelText"), numbers in the language's
format."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from desktop_app.core.first_run import REFERENCE_MBIT, Survey
from desktop_app.core.planner import Plan
from desktop_app.settings import QT_TRANSLATE_NOOP
from desktop_app.ui import theme

BAR_PARTS = ("weights", "kv_cache", "compute", "overhead", "free")
BAR_NAMES = {
    "weights": QT_TRANSLATE_NOOP("ModelText", "weights"),
    "kv_cache": QT_TRANSLATE_NOOP("ModelText", "KV cache"),
    "compute": QT_TRANSLATE_NOOP("ModelText", "compute"),
    "overhead": QT_TRANSLATE_NOOP("ModelText", "overhead"),
    "free": QT_TRANSLATE_NOOP("ModelText", "free"),
}
# Words that come from the planner and the assistants file, shown translated when known.
VERDICTS = (
    QT_TRANSLATE_NOOP("Verdicts", "Full GPU"),
    QT_TRANSLATE_NOOP("Verdicts", "Partial GPU"),
    QT_TRANSLATE_NOOP("Verdicts", "CPU only"),
    QT_TRANSLATE_NOOP("Verdicts", "Won't fit"),
)
ASSISTANT_NAMES = (
    QT_TRANSLATE_NOOP("Assistants", "General chat"),
    QT_TRANSLATE_NOOP("Assistants", "Tutor"),
    QT_TRANSLATE_NOOP("Assistants", "Math"),
    QT_TRANSLATE_NOOP("Assistants", "Support"),
)


def verdict_text(verdict: str) -> str:
    return QCoreApplication.translate("Verdicts", verdict)


def assistant_name(name: str) -> str:
    """A shipped assistant's name in the window's language (a user's own stays as written)."""
    return QCoreApplication.translate("Assistants", name)


def number(value: float, decimals: int = 0) -> str:
    """`value` written the way the window's language writes numbers (1.5 / 1,5; 4,096 / 4.096)."""
    if decimals == 0:
        return QLocale().toString(round(value))
    return QLocale().toString(float(value), "f", decimals)


def size_text(n: int, approximate: bool = False) -> str:
    gb, mb = n >= 1e8, n / 1e6
    if approximate:  # a rounded catalog figure: say so, and claim no more digits than it has
        if gb:
            return QCoreApplication.translate("ModelText", "about {n} GB").format(
                n=number(n / 1e9, 1)
            )
        return QCoreApplication.translate("ModelText", "about {n} MB").format(n=number(mb))
    return f"{number(n / 1e9, 2)} GB" if gb else f"{number(mb)} MB"


def download_time(size_bytes: int, mbit: float = REFERENCE_MBIT) -> str:
    """How long a download takes at `mbit` megabits a second, in plain words."""
    seconds = size_bytes * 8 / (mbit * 1e6)
    speed = number(mbit, 0 if mbit == int(mbit) else 1)
    if seconds < 60:
        text = QCoreApplication.translate("ModelText", "under a minute at {speed} Mbit/s")
    elif seconds < 90 * 60:
        text = QCoreApplication.translate("ModelText", "≈ {minutes} min at {speed} Mbit/s")
    else:
        text = QCoreApplication.translate("ModelText", "≈ {hours} h at {speed} Mbit/s")
    return text.format(speed=speed, minutes=number(seconds / 60), hours=number(seconds / 3600, 1))


def capacity_text(found: Survey) -> str:
    """The planner's verdict on this computer, in a sentence or two."""
    translate = QCoreApplication.translate
    if found.cpu_bytes < 300e6:
        return translate(
            "ModelText",
            "This computer has little free memory right now: only the smallest models run. "
            "Closing other programs frees memory for larger ones.",
        ) + _unused_gpu(found)
    if found.gpu_bytes:
        text = translate(
            "ModelText",
            "This computer runs models up to about {cpu} on the CPU, and up to about {gpu} "
            "fully on its GPU ({name}).",
        )
    else:
        text = translate("ModelText", "This computer runs models up to about {cpu} on the CPU.")
    cpu, gpu = _rough_size(found.cpu_bytes), _rough_size(found.gpu_bytes)
    return text.format(cpu=cpu, gpu=gpu, name=found.gpu_name) + _unused_gpu(found)


def _unused_gpu(found: Survey) -> str:
    if not found.gpu_unused:
        return ""
    text = QCoreApplication.translate(
        "ModelText", " It has a GPU ({name}), but this build of Smallwise runs on the CPU only."
    )
    return text.format(name=found.gpu_name)


def _rough_size(n: int) -> str:
    return f"{number(n / 1e9, 1)} GB" if n >= 1e9 else f"{number(n / 1e6)} MB"


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
    text = QCoreApplication.translate(
        "ModelText", "<b>Here: {verdict}</b> with {quant}, context {context} — {why}."
    )
    return text.format(
        verdict=html.escape(verdict_text(plan.verdict)),
        quant=html.escape(plan.quant),
        context=number(plan.n_ctx),
        why=html.escape(plan.why),
    )


def details(row: dict[str, Any], quant: str, plan: Plan | None) -> str:
    """The selected model: what it is, its licence, the plan for `quant` with its memory bar."""
    translate = QCoreApplication.translate
    lines = [f"<b>{html.escape(row['name'])}</b> — {html.escape(row.get('description', ''))}"]
    if row.get("license"):
        licence = translate("ModelText", "Licence: {licence}.").format(
            licence=html.escape(row["license"])
        )
        if row.get("non_commercial"):
            licence += " <b>" + translate("ModelText", "Not for commercial use.") + "</b>"
        lines.append(licence)
    if row.get("runs_on"):
        text = translate(
            "ModelText", "<b>Runs on {server}</b> (Settings: models on another machine)."
        )
        lines.append(text.format(server=html.escape(row["runs_on"])))
    elif plan is not None:
        lines.append(plan_text(plan))
        lines.append(memory_bar(plan))
    have = row["installed"]
    if have:
        text = (
            translate("ModelText", "Installed ({quant}): {path}")
            if have.get("quant")
            else translate("ModelText", "Installed: {path}")
        )
        lines.append(text.format(quant=html.escape(have.get("quant") or ""),
                                 path=html.escape(have["path"])))
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
        f'<span style="color:{colours[n]}">■</span> {_bar_name(n)} {number(size / 1e9, 2)} GB'
        for n, size in parts.items()
    )
    where = (
        QCoreApplication.translate("ModelText", "(of {budget} GB GPU memory)")
        if gpu
        else QCoreApplication.translate("ModelText", "(of {budget} GB memory for models)")
    )
    return (
        f'<table width="100%" cellspacing="0" cellpadding="3"><tr>{cells}</tr></table>'
        f"{legend} {where.format(budget=number(budget / 1e9, 1))}"
    )


def _bar_name(part: str) -> str:
    name = BAR_NAMES.get(part)
    return QCoreApplication.translate("ModelText", name) if name else part.replace("_", " ")


def describe_host(host: Any) -> str:
    translate = QCoreApplication.translate
    isa = ", ".join(f for f in host.isa if f in ("avx2", "avx512f", "neon", "amx_tile"))
    gpus = "; ".join(
        translate("ModelText", "{name} ({free} of {total} GB free)").format(
            name=g.name,
            free=number((g.free_bytes or 0) / 1e9, 1),
            total=number((g.total_bytes or 0) / 1e9, 1),
        )
        for g in host.gpus
    )
    text = translate(
        "ModelText",
        "<b>This computer:</b> {cpu}, {cores} cores ({isa}); {free} of {total} GB RAM free; "
        "{gpus}",
    )
    return text.format(
        cpu=html.escape(host.cpu_model or "CPU"),
        cores=host.physical_cores or "?",
        isa=isa or translate("ModelText", "basic"),
        free=number(host.ram_available_bytes / 1e9, 1),
        total=number(host.ram_total_bytes / 1e9, 1),
        gpus=html.escape(gpus or translate("ModelText", "no GPU found")),
    )
