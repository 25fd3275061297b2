"""Arrows point down: ui → services → core. core never imports Qt; services never import ui."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import desktop_app.core


def modules(package) -> list[str]:
    return [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


def imported_by(names: list[str]) -> set[str]:
    code = (
        f"import importlib, sys\nfor n in {names!r}: importlib.import_module(n)\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_imports_no_qt() -> None:
    loaded = imported_by(modules(desktop_app.core))
    assert not {m for m in loaded if m.startswith("PySide6")}


def test_services_import_no_widgets_of_ours() -> None:
    import desktop_app.services

    loaded = imported_by(modules(desktop_app.services))
    assert not {m for m in loaded if m.startswith("desktop_app.ui")}
