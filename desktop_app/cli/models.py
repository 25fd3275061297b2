"""`smallwise models …`, `plan` and `calibrate`: the models on this computer and how they run."""

from __future__ import annotations

import os
import sys
from argparse import Namespace
from collections.abc import Callable
from typing import Any

from desktop_app.cli.output import Output
from desktop_app.core import library
from desktop_app.core.catalog import Catalog, load_catalog
from desktop_app.core.downloads import Progress
from desktop_app.core.engine.build import known
from desktop_app.core.errors import UsageError
from desktop_app.core.hardware import HostProfile, profile
from desktop_app.core.model_choice import adopt_first_model
from desktop_app.core.planning import plan_for
from desktop_app.core.store import Store
from desktop_app.paths import AppPaths
from desktop_app.settings import Settings


def catalog_for(paths: AppPaths) -> Catalog:
    extra = Settings(paths.settings_file)["extra_catalog"] or None
    return load_catalog(extra=extra, last_good=paths.last_good_catalog)


def listing(args: Namespace, paths: AppPaths, out: Output) -> int:
    catalog = catalog_for(paths)
    with Store(paths.database) as store:
        rows = library.listing(catalog, store)
    for problem in catalog.problems:
        out.note(f"warning: {problem}")

    def human() -> None:
        for row in rows:
            have = row["installed"]
            size = row.get("size_bytes", 0) / 1e9
            about = "" if row.get("size_verified", True) else "about "
            state = f"installed {have['quant']}" if have else f"{about}{size:.2f} GB"
            print(f"{row['id']:34} {','.join(row['roles']) or 'imported':22} {state}")

    out.result(rows, human)
    return 0


def download(args: Namespace, paths: AppPaths, out: Output) -> int:
    catalog, token = catalog_for(paths), os.environ.get("HF_TOKEN")
    wanted = library.plan_download(args.spec, catalog, args.quant, token=token)
    out.note(
        f"Downloading {wanted.remote.filename} ({wanted.remote.size / 1e9:.2f} GB) from "
        f"{wanted.remote.repo}"
    )
    try:
        with Store(paths.database) as store:
            row = library.install(
                wanted, paths.models_dir, store, token=token, on_progress=_progress_bar()
            )
    except KeyboardInterrupt:
        out.note("\nsmallwise: download interrupted; run the same command again to resume.")
        return 130
    out.note(f"\ninstalled {row['id']} ({row['quant']}) at {row['path']}")
    _adopt(paths, catalog, row["id"], out)
    out.result(row)
    return 0


def _adopt(paths: AppPaths, catalog: Catalog, model_id: str, out: Output) -> None:
    with Store(paths.database) as store:
        note = adopt_first_model(Settings(paths.settings_file), store, catalog, model_id)
    if note:
        out.note(note)


def check_sizes(args: Namespace, paths: AppPaths, out: Output) -> int:
    checks = library.check_sizes(catalog_for(paths), token=os.environ.get("HF_TOKEN"))
    wrong = library.size_report(checks)
    problems = [f"{c.model_id} {c.quant}: {c.problem}" for c in checks if c.problem]
    out.result(
        [
            {
                "model": c.model_id,
                "quant": c.quant,
                "catalog_bytes": c.catalog_bytes,
                "hub_bytes": c.hub_bytes,
                "problem": c.problem,
            }
            for c in checks
        ],
        [
            *wrong,
            *problems,
            f"{len(checks)} files asked; {len(wrong)} catalog figure(s) wrong; "
            f"{len(problems)} could not be checked.",
        ],
    )
    return 1 if wrong or problems else 0


def _progress_bar() -> Callable[[Progress], None]:
    terminal = sys.stderr.isatty()

    def show(p: Progress) -> None:
        if not terminal:
            return
        share = p.done / p.total if p.total else 0
        eta = f"{p.eta_s:.0f}s" if p.eta_s is not None else "?"
        sys.stderr.write(
            f"\r[{'#' * int(share * 30):30}] {share:6.1%} "
            f"{p.done / 1e6:8.1f}/{p.total / 1e6:.1f} MB "
            f"{p.bytes_per_s / 1e6:6.1f} MB/s ETA {eta:>5} "
        )
        sys.stderr.flush()

    return show


def import_(args: Namespace, paths: AppPaths, out: Output) -> int:
    with Store(paths.database) as store:
        row = library.import_file(
            args.path,
            paths.models_dir,
            store,
            copy=not args.reference,
            chat_format=args.chat_format,
        )
    _adopt(paths, catalog_for(paths), row["id"], out)
    out.result(row, [f"imported {row['id']} ({row['quant'] or 'unknown quant'}) at {row['path']}"])
    return 0


def remove(args: Namespace, paths: AppPaths, out: Output) -> int:
    with Store(paths.database) as store:
        row = library.remove(args.id, paths.models_dir, store)
    out.result(row, [f"removed {row['id']}"])
    return 0


def plan(args: Namespace, paths: AppPaths, out: Output) -> int:
    catalog = catalog_for(paths)
    model = catalog.get(args.model)
    with Store(paths.database) as store:
        installed = store.installed_model(args.model)
    if model is not None and args.quant:
        if args.quant.upper() not in {q.type.upper() for q in model.quants}:
            raise UsageError(
                f"{model.id} has no {args.quant} variant; it has {model.quant_names()}."
            )
    result = plan_for(args.model, catalog, _host(args, paths), installed, args.quant, args.ctx)
    out.result(result.as_dict(), lambda: _print_plan(model.name if model else args.model, result))
    return 0


def _host(args: Namespace, paths: AppPaths) -> HostProfile:
    if not args.host:
        return profile(known(paths.data_dir))
    try:
        return HostProfile.load(args.host)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"cannot read the host profile {args.host}: {exc}") from exc


def _print_plan(name: str, result: Any) -> None:
    print(f"{name}: {result.verdict}")
    print(f"  planned from {'its file' if result.from_file else 'the catalog'}")
    print(
        f"  quant {result.quant}, context {result.n_ctx:,}, GPU layers {result.n_gpu_layers}, "
        f"threads {result.n_threads}"
    )
    for part, size in result.estimate.parts().items():
        print(f"  {part:9} {size / 1e9:6.2f} GB")
    gpu = f", GPU {result.estimate.vram / 1e9:.2f} GB" if result.n_gpu_layers else ""
    print(f"  memory {result.estimate.ram / 1e9:.2f} GB{gpu}")
    print(f"  why: {result.why}")


def calibrate(args: Namespace, paths: AppPaths, out: Output) -> int:
    from desktop_app.cli.chat import choose
    from desktop_app.core.calibrate import calibrate as measure
    from desktop_app.core.calibrate import thread_counts

    settings = Settings(paths.settings_file)
    with Store(paths.database) as store:
        model = choose(args.model, None, store, paths, settings, None, out).model
    out.line(f"Timing {model.id} ({args.tokens}-token answers)…")
    rates = measure(
        model.path,
        model.chat_format,
        thread_counts(),
        tokens=args.tokens,
        log_path=str(paths.log_dir / "engine.log"),
        on_result=lambda n, r: out.line(f"  {n:3} thread{'s' if n > 1 else ' '} {r:7.1f} tokens/s"),
    )
    best = max(rates, key=lambda threads: rates[threads])
    settings["calibrated_threads"] = best
    settings.save()
    out.result(
        {"model": model.id, "tokens_per_s": rates, "fastest": best},
        [f"fastest: {best} thread{'s' if best > 1 else ''}; saved for new answers"],
    )
    return 0
