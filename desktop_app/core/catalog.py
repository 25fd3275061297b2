"""The curated catalog (models_manifest.json) as typed entries, checked against its JSON Schema.

A broken catalog is reported with the entry and the field at fault, and the app carries on with
the last good one. An organisation's own catalog (SMALLWISE_CATALOG) is checked the same way and
merged over the shipped one, entry by entry. A catalog is untrusted input: its size is bounded,
and every file name and repository is checked again in code (core/confined.py), so that the
schema and the code that writes files agree. No Qt here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from desktop_app.core.confined import name_problem, repo_problem
from desktop_app.core.errors import CatalogError
from desktop_app.paths import AppPaths
from desktop_app.settings import Settings

ROLES = ("chat", "tutor", "math", "support", "code", "embedding")  # embedding: not for chat
MAX_CATALOG_BYTES = 4 << 20  # the shipped one is ~25 kB


@dataclass(frozen=True)
class Quant:
    type: str
    filename: str
    size_bytes: int
    sha256: str | None
    source: str  # "hub" or "pypi"
    package: str | None = None
    repo: str | None = None
    size_verified: bool = False
    revision: str = "main"  # a pinned commit where the catalog gives one


@dataclass(frozen=True)
class CatalogModel:
    id: str
    name: str
    chat_format: str | None
    context_length: int
    description: str
    sampling: dict[str, float]
    quants: tuple[Quant, ...]
    raw: dict[str, Any]

    @property
    def roles(self) -> list[str]:
        return self.raw["roles"]

    @property
    def license(self) -> dict[str, Any]:
        return self.raw["license"]

    @property
    def default_quant(self) -> str:
        return self.raw.get("default_quant") or self.quants[0].type

    def quant(self, name: str | None = None) -> Quant:
        name = name or self.default_quant
        for q in self.quants:
            if q.type.lower() == name.lower():
                return q
        raise CatalogError(f"{self.id} has no {name} variant; it has {self.quant_names()}.")

    def quant_names(self) -> str:
        return ", ".join(q.type for q in self.quants)


class Catalog(dict[str, CatalogModel]):
    """Models by id, plus the problems found while loading (for the user to see)."""

    def __init__(self, models: dict[str, CatalogModel], problems: list[str] | None = None):
        super().__init__(models)
        self.problems = problems or []

    def by_role(self) -> dict[str, list[CatalogModel]]:
        return {role: [m for m in self.values() if role in m.roles] for role in ROLES}


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("desktop_app.resources").joinpath("models_manifest.schema.json")
    return jsonschema.Draft202012Validator(json.loads(text.read_text()))


def problems_in(text: str, origin: str) -> list[str]:
    """Every schema violation, naming the entry and the field; [] when the catalog is good."""
    data, problem = _parse(text, origin)
    if problem:
        return [problem]
    found, seen = [], set()
    for error in sorted(_validator().iter_errors(data), key=lambda e: _order(e.absolute_path)):
        path = list(error.absolute_path)
        seen.add(tuple(path))
        found.append(_describe(data, path, error.message, origin))
    for path, message in _unsafe_names(data):
        if tuple(path) not in seen:
            found.append(_describe(data, path, message, origin))
    return found


def _parse(text: str, origin: str) -> tuple[Any, str | None]:
    if len(text) > MAX_CATALOG_BYTES:
        return None, f"{origin} is larger than {MAX_CATALOG_BYTES >> 20} MB; it is not a catalog."
    try:
        return json.loads(text, parse_constant=_no_constant), None
    except (ValueError, RecursionError) as exc:
        return None, f"{origin} is not valid JSON ({str(exc)[:200]})."


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _order(path: Any) -> list[tuple[bool, Any]]:
    return [(isinstance(p, str), p) for p in path]  # ints and strs never compared


def _describe(data: Any, path: list[Any], message: str, origin: str) -> str:
    entry = ""
    if len(path) >= 2 and path[0] == "models" and isinstance(path[1], int):
        model = data["models"][path[1]]
        ident = model.get("id") if isinstance(model, dict) else None
        entry = f"entry '{str(ident)[:80] if ident else '#' + str(path[1])}', "
        path = path[2:]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return f"{origin}: {entry}field {field or '(top level)'}: {message[:300]}"


def _unsafe_names(data: Any) -> list[tuple[list[Any], str]]:
    """File names and repositories the code that writes files would refuse, checked here too
    so that a catalog is refused as a whole, not one download at a time."""
    found = []
    models = data.get("models") if isinstance(data, dict) else None
    for i, model in enumerate(models if isinstance(models, list) else []):
        quants = model.get("quants") if isinstance(model, dict) else None
        for j, quant in enumerate(quants if isinstance(quants, list) else []):
            if not isinstance(quant, dict):
                continue
            name, repo = quant.get("filename"), quant.get("repo")
            if isinstance(name, str) and (problem := name_problem(name)):
                found.append((["models", i, "quants", j, "filename"], f"{problem}"))
            if isinstance(repo, str) and (problem := repo_problem(repo)):
                found.append((["models", i, "quants", j, "repo"], f"{problem}"))
    return found


def shipped_text() -> str:
    return resources.files("desktop_app.resources").joinpath("models_manifest.json").read_text()


def load_catalog(
    text: str | None = None, *, extra: Path | str | None = None, last_good: Path | None = None
) -> Catalog:
    """The shipped catalog (or `text`), merged with an extra one (default: $SMALLWISE_CATALOG).

    A broken shipped catalog falls back to `last_good`; a broken extra one is left out. Either
    way the problems are listed on the result. CatalogError only when nothing usable is left."""
    text = shipped_text() if text is None else text
    problems = problems_in(text, "The model catalog")
    if problems:
        text = _last_good(last_good, problems)
    elif last_good is not None:
        _remember(last_good, text)
    models = _entries(json.loads(text))
    extra = extra or os.environ.get("SMALLWISE_CATALOG")
    if extra:
        models.update(_extra_entries(Path(extra), problems))
    return Catalog(models, problems)


def for_profile(paths: AppPaths, settings: Settings) -> Catalog:
    """The catalog this profile uses: the shipped one, with the organisation's extra one from
    the settings (or $SMALLWISE_CATALOG), and the last good copy as the fallback."""
    return load_catalog(extra=settings["extra_catalog"] or None, last_good=paths.last_good_catalog)


def _last_good(last_good: Path | None, problems: list[str]) -> str:
    if last_good is not None and last_good.exists():
        text = last_good.read_text()
        if not problems_in(text, "saved"):
            problems.append("Using the last good catalog until this is fixed.")
            return text
    raise CatalogError("\n".join(problems))


def _remember(last_good: Path, text: str) -> None:
    try:
        if not last_good.exists() or last_good.read_text() != text:
            last_good.write_text(text)
    except OSError:
        pass  # only a fallback copy


def _extra_entries(path: Path, problems: list[str]) -> dict[str, CatalogModel]:
    origin = f"The extra catalog {path}"
    try:
        with path.open("rb") as fh:
            text = fh.read(MAX_CATALOG_BYTES + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        problems.append(f"{origin} cannot be read ({reason}); it is left out.")
        return {}
    found = problems_in(text, origin)
    if found:
        problems.extend(found + [f"{origin} is left out until this is fixed."])
        return {}
    return _entries(json.loads(text))


def _entries(data: dict[str, Any]) -> dict[str, CatalogModel]:
    return {e["id"]: _entry(e) for e in data["models"]}


def _entry(e: dict[str, Any]) -> CatalogModel:
    quants = tuple(
        Quant(
            q["type"],
            q["filename"],
            int(q["size_bytes"]),
            q.get("sha256"),
            q["source"],
            q.get("package"),
            q.get("repo"),
            q.get("verified", {}).get("size", False),
            q.get("revision", "main"),
        )
        for q in e["quants"]
    )
    return CatalogModel(
        e["id"],
        e["name"],
        e.get("chat_format"),
        int(e["context_length"]),
        e["description"],
        dict(e.get("sampling", {})),
        quants,
        e,
    )
