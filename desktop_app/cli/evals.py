"""`smallwise eval`: the assistants' evaluation sets, run on this computer with any installed
model, so the figures say which model does each job best here (desktop_app/evals)."""

from __future__ import annotations

from argparse import Namespace
from typing import Any

from desktop_app.cli.output import Output
from desktop_app.core.model_choice import resolve_model
from desktop_app.core.store import Store
from desktop_app.evals import REGISTRY, Context, evaluation
from desktop_app.paths import AppPaths


def run(args: Namespace, paths: AppPaths, out: Output) -> int:
    names = [args.assistant] if args.assistant else list(REGISTRY)
    model = None
    if args.model:
        from desktop_app.cli.models import catalog_for

        with Store(paths.database) as store:
            model = resolve_model(args.model, store, catalog_for(paths))
    results: dict[str, Any] = {}
    for name in names:
        context = Context(paths, model, args.half, args.docs, out.note, args.embedding_model)
        out.note(f"{name}: running…")
        results[name] = evaluation(name)(context)
    out.result(results, [line for name in names for line in summary(name, results[name])])
    return 0


def summary(name: str, result: dict[str, Any]) -> list[str]:
    """The headline figures of one evaluation, for people."""
    if name != "support":
        return [f"{name}: " + ", ".join(f"{k} {v}" for k, v in _flat(result)[:12])]
    lines = [
        f"support ({result['half']} half, {result['passages']} passages of {result['corpus']})"
    ]
    for method in ("before", "bm25", "hybrid"):
        if method in result:
            f = result[method]
            lines.append(
                f"  {method:7} recall@3 {f['recall_at_3']}  not-covered precision "
                f"{f['not_covered_precision']} recall {f['not_covered_recall']}  "
                f"(wrong refusals {f['wrong_not_covered']}, would invent {f['invented_risk']})"
            )
    if "answers" in result:
        a = result["answers"]
        lines.append(
            f"  answers by {a['model']}: cite a source {a['cited_share']}, decline when the "
            f"passages don't answer {a['declined_share']}"
        )
    return lines


def _flat(result: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in result.items() if isinstance(v, int | float | str)]
