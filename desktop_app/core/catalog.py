"""The curated catalog (models_manifest.json) as typed entries. No Qt here.

The catalog issue adds schema validation and the full list; this reads what the engine needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class Quant:
    type: str
    filename: str
    size_bytes: int
    sha256: str | None
    source: str  # "hub" or "pypi"
    package: str | None = None
    repo: str | None = None


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

    def quant(self, name: str | None = None) -> Quant:
        for q in self.quants:
            if name is None or q.type.lower() == name.lower():
                return q
        raise CatalogError(f"{self.id} has no {name} variant; it has {self.quant_names()}.")

    def quant_names(self) -> str:
        return ", ".join(q.type for q in self.quants)


def load_catalog(text: str | None = None) -> dict[str, CatalogModel]:
    if text is None:
        text = resources.files("desktop_app.resources").joinpath("models_manifest.json").read_text()
    data = json.loads(text)
    models = {}
    for i, entry in enumerate(data.get("models", [])):
        try:
            model = _entry(entry)
        except (KeyError, TypeError) as exc:
            raise CatalogError(
                f"catalog entry {entry.get('id', i)!r}: missing field {exc}"
            ) from exc
        models[model.id] = model
    return models


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
