"""The user's installed models: download from the catalog or any GGUF on the hub, import a GGUF
the user already has, remove. Shared by the CLI and the model manager. No Qt here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from desktop_app.core import file_lock
from desktop_app.core.catalog import Catalog, CatalogModel
from desktop_app.core.confined import confined, local_name, repo_problem
from desktop_app.core.downloads import (
    PARTIAL_DIR,
    Download,
    DownloadError,
    Progress,
    RemoteFile,
    remote_size,
    resolve,
)
from desktop_app.core.errors import LibraryError, NotGGUF, UnsafePath
from desktop_app.core.gguf_info import read_header
from desktop_app.core.model_choice import quant_from_name
from desktop_app.core.planning import describe_file, file_type
from desktop_app.core.store import Store


@dataclass(frozen=True)
class Wanted:
    """A model to download, resolved on the hub: size and sha256 known before any byte."""

    model_id: str
    quant: str
    remote: RemoteFile
    expected_sha256: str | None
    chat_format: str | None
    source: str


def split_hub_spec(spec: str) -> tuple[str, str] | None:
    """'org/repo/path/file.gguf' → ('org/repo', 'path/file.gguf'); None for a catalog id.
    UnsafePath when the repository is not ORG/NAME or the file would not land as one plain
    file name in the models folder."""
    parts = spec.split("/")
    if len(parts) < 3 or not spec.lower().endswith(".gguf"):
        return None
    repo, filename = "/".join(parts[:2]), "/".join(parts[2:])
    if (problem := repo_problem(repo)) is not None:
        raise UnsafePath(f"Refused {spec!r}: it is not a plain file name on the hub ({problem}).")
    local_name(filename)
    return repo, filename


def plan_download(
    spec: str, catalog: Catalog, quant: str | None = None, token: str | None = None
) -> Wanted:
    """Resolve a catalog id (with an optional quant) or REPO/FILE.gguf; raises LibraryError or
    DownloadError with a message for the user."""
    hub = split_hub_spec(spec)
    if hub is not None:
        repo, filename = hub
        remote = resolve(repo, filename, token=token)
        return Wanted(
            Path(filename).stem.lower(),
            quant_from_name(filename),
            remote,
            remote.sha256,
            None,
            f"hub:{repo}",
        )
    entry = catalog.get(spec)
    if entry is None:
        raise LibraryError(
            f"'{spec}' is not in the catalog. Give a catalog id (see `smallwise "
            "models list`) or a hub file as ORG/REPO/FILE.gguf."
        )
    variant = _variant(entry, quant)
    if variant.source != "hub":
        raise LibraryError(f"{entry.name} ships with Smallwise; there is nothing to download.")
    remote = resolve(variant.repo, variant.filename, revision=variant.revision, token=token)
    return Wanted(
        entry.id, variant.type, remote, variant.sha256, entry.chat_format, f"hub:{variant.repo}"
    )


def _variant(entry: CatalogModel, quant: str | None):
    try:
        return entry.quant(quant)
    except ValueError as exc:
        raise LibraryError(str(exc)) from exc


def install(
    wanted: Wanted,
    models_dir: Path,
    store: Store,
    token: str | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_start: Callable[[Download], None] | None = None,
) -> dict[str, Any]:
    """Download, verify, check the GGUF header, register. Blocks; cancel through on_start's
    Download.cancel()."""
    download = Download(
        wanted.remote,
        models_dir,
        token=token,
        expected_sha256=wanted.expected_sha256,
        on_progress=on_progress,
    )
    if on_start:
        on_start(download)
    path = download.run()
    try:
        read_header(path)
    except NotGGUF as exc:
        path.unlink(missing_ok=True)
        raise DownloadError(f"The downloaded file is not a usable model: {exc}") from exc
    previous = store.installed_model(wanted.model_id)
    store.register_model(
        wanted.model_id,
        path,
        quant=wanted.quant,
        chat_format=wanted.chat_format,
        source=wanted.source,
        size_bytes=wanted.remote.size,
        sha256=wanted.remote.sha256,
    )
    if previous and Path(previous["path"]) != path and Path(previous["path"]).parent == models_dir:
        Path(previous["path"]).unlink(missing_ok=True)  # the quant it replaces
    return _registered(store, wanted.model_id)


def import_file(
    path: Path, models_dir: Path, store: Store, copy: bool = True, chat_format: str | None = None
) -> dict[str, Any]:
    """Add a GGUF the user already has: copied into the models folder, or referenced in place."""
    path = path.expanduser().resolve()
    try:
        header = read_header(path)
    except NotGGUF as exc:
        raise LibraryError(str(exc)) from exc
    if header.chat_template is None and chat_format is None:
        raise LibraryError(
            f"{path.name} carries no chat template. Say which chat format it "
            "uses (for example --chat-format chatml), or the model would be "
            "prompted wrongly."
        )
    target = _copy_in(path, models_dir) if copy else path
    model_id = _free_id(store, path.stem.lower())
    store.register_model(
        model_id,
        target,
        quant=quant_from_name(path.name) or file_type(header),  # the name may not say
        chat_format=chat_format,
        source="import" if copy else "reference",
        size_bytes=target.stat().st_size,
    )
    return _registered(store, model_id)


def _registered(store: Store, model_id: str) -> dict[str, Any]:
    row = store.installed_model(model_id)
    if row is None:  # another Smallwise removed it in between
        raise LibraryError(f"{model_id} was removed while it was being installed; try again.")
    return row


def _copy_in(path: Path, models_dir: Path) -> Path:
    """Copy a GGUF into the models folder under its own (plain) name, one copy at a time: a
    download or another import of the same name holds the same lock."""
    target = confined(models_dir, path.name)
    partial = confined(models_dir, path.name + ".import", PARTIAL_DIR)
    partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        with file_lock.exclusive(confined(models_dir, path.name + ".lock", PARTIAL_DIR)):
            if target.exists():
                raise LibraryError(f"{target.name} is already in the models folder.")
            partial.unlink(missing_ok=True)  # never write through a link left there
            shutil.copyfile(path, partial)
            os.chmod(partial, 0o600)
            os.replace(partial, target)
    except file_lock.Busy:
        raise LibraryError(
            f"{path.name} is already being copied or downloaded into the models folder by "
            "another Smallwise window or terminal; wait for it to finish."
        ) from None
    return target


def _free_id(store: Store, base: str) -> str:
    candidate, n = base, 2
    while store.installed_model(candidate) is not None:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def remove(model_id: str, models_dir: Path, store: Store) -> dict[str, Any]:
    """Unregister a model; delete its file when it lives in the models folder."""
    row = store.installed_model(model_id)
    if row is None:
        raise LibraryError(f"No installed model is called '{model_id}'.")
    path = Path(row["path"])
    if path.parent.resolve() == models_dir.resolve():
        path.unlink(missing_ok=True)
    store.remove_model(model_id)
    return row


def listing(catalog: Catalog, store: Store) -> list[dict[str, Any]]:
    """Catalog entries with their installed state, then installed models not in the catalog
    (named and described from their GGUF header). Reads headers: never on the GUI thread."""
    installed = {row["id"]: row for row in store.installed_models()}
    rows = []
    for entry in catalog.values():
        row = installed.pop(entry.id, None)
        rows.append(
            {
                "id": entry.id,
                "name": entry.name,
                "roles": entry.roles,
                "recommended_quant": entry.default_quant,
                "size_bytes": entry.quant().size_bytes,
                "size_verified": entry.quant().size_verified,
                "license": entry.license["name"],
                "non_commercial": entry.license["non_commercial"],
                "description": entry.description,
                "quants": [q.type for q in entry.quants],
                "quant_sizes": {
                    q.type: {"bytes": q.size_bytes, "verified": q.size_verified}
                    for q in entry.quants
                },
                "installed": _installed_state(row),
            }
        )
    rows += [_imported_row(row) for row in installed.values()]
    return rows


def _imported_row(row: dict[str, Any]) -> dict[str, Any]:
    """A model the catalog does not know, as its own file describes it."""
    state = _file_state(row)
    about = describe_file(Path(row["path"]), row["quant"] or "") if state["present"] else None
    quant = about.quant if about else (row["quant"] or "")
    state["quant"], size = quant, state["size_on_disk"]
    return {
        "id": row["id"],
        "name": about.name if about and about.name else row["id"],
        "roles": [],
        "catalog": False,
        "recommended_quant": quant,
        "size_bytes": size,
        "size_verified": True,
        "description": about.description if about else "The file is missing.",
        "quants": [quant] if quant else [],
        "quant_sizes": {quant: {"bytes": size, "verified": True}} if quant else {},
        "installed": state,
    }


def _installed_state(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else _file_state(row)


def _file_state(row: dict[str, Any]) -> dict[str, Any]:
    path = Path(row["path"])
    return {
        "quant": row["quant"],
        "path": str(path),
        "present": path.exists(),
        "size_on_disk": path.stat().st_size if path.exists() else 0,
        "source": row["source"],
    }


@dataclass(frozen=True)
class SizeCheck:
    """A catalog figure against the size the hub gives for the same file."""

    model_id: str
    quant: str
    catalog_bytes: int
    hub_bytes: int | None  # None when the hub could not say: see problem
    problem: str | None = None

    @property
    def wrong(self) -> bool:
        return self.hub_bytes is not None and self.hub_bytes != self.catalog_bytes


def check_sizes(
    catalog: Catalog, token: str | None = None, timeout: float = 10.0, workers: int = 4
) -> list[SizeCheck]:
    """One HEAD per hub file of the catalog, at its pinned revision (for `smallwise models
    check-sizes` or a "Check sizes" action; blocks, so never on the GUI thread). A file the hub
    cannot answer for is reported in its SizeCheck, never raised."""
    files = [(m.id, q) for m in catalog.values() for q in m.quants if q.source == "hub" and q.repo]

    def check(item: tuple[str, Any]) -> SizeCheck:
        model_id, q = item
        try:
            size = remote_size(q.repo, q.filename, q.revision, token=token, timeout=timeout)
        except DownloadError as exc:
            return SizeCheck(model_id, q.type, q.size_bytes, None, str(exc))
        return SizeCheck(model_id, q.type, q.size_bytes, size)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sizes") as pool:
        return list(pool.map(check, files))


def size_report(checks: Iterable[SizeCheck]) -> list[str]:
    """One line per catalog figure the hub contradicts, for the user."""
    return [
        f"{c.model_id} {c.quant}: the catalog says {c.catalog_bytes:,} bytes, the file on the "
        f"hub has {c.hub_bytes:,} bytes."
        for c in checks
        if c.wrong
    ]


def with_hub_sizes(catalog: Catalog, checks: Iterable[SizeCheck]) -> Catalog:
    """The catalog with the sizes the hub gave (marked verified), for plans made from now on."""
    found = {(c.model_id, c.quant): c.hub_bytes for c in checks if c.hub_bytes is not None}
    models = {}
    for model_id, model in catalog.items():
        quants = tuple(
            replace(q, size_bytes=found[(model_id, q.type)], size_verified=True)
            if (model_id, q.type) in found
            else q
            for q in model.quants
        )
        models[model_id] = replace(model, quants=quants)
    return Catalog(models, list(catalog.problems))
