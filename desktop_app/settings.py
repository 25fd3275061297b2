"""Every user option, declared once: name, type, default, label; with versioned upgrades.

Stored as JSON in the config folder. No Qt here: the UI reads labels from OPTIONS and
translates them (context "Settings") when it shows them.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1


@dataclass(frozen=True)
class Option:
    name: str
    type: type
    default: Any
    label: str
    minimum: float | None = None
    maximum: float | None = None
    user: bool = True  # shown in the Settings dialog (False: saved by the app itself)
    section: str = ""  # the heading it is shown under in the Settings dialog
    choices: tuple[str, ...] = ()  # the only values a str option may take (a list to pick from)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks a label for the translation tool (pyside6-lupdate knows this name); the Settings
    dialog translates it when it shows it. No Qt here, so the marker is our own."""
    return text


API = QT_TRANSLATE_NOOP("Settings", "Local API server")
REMOTE = QT_TRANSLATE_NOOP("Settings", "Models on another machine")
OPTIONS: dict[str, Option] = {
    o.name: o
    for o in [
        Option("default_model", str, "", QT_TRANSLATE_NOOP(
            "Settings", "Model (installed id or .gguf path; empty: starter)")),
        Option("extra_catalog", str, "", QT_TRANSLATE_NOOP(
            "Settings", "Your organisation's catalog file (JSON; optional)")),
        Option("n_ctx", int, 0, QT_TRANSLATE_NOOP(
            "Settings", "Context size in tokens (0: chosen for this computer)"), 0, 131072),
        Option("n_threads", int, 0, QT_TRANSLATE_NOOP(
            "Settings", "CPU threads (0: choose automatically)"), 0, 256),
        Option("max_tokens", int, 1024, QT_TRANSLATE_NOOP(
            "Settings", "Longest answer in tokens"), 16, 32768),
        Option("temperature", float, 0.7, QT_TRANSLATE_NOOP(
            "Settings", "Temperature (0: always the likeliest word)"), 0, 2),
        # Issue 15: the OpenAI-compatible API beside the window, and models on another machine.
        Option("api_server", bool, False, QT_TRANSLATE_NOOP(
            "Settings", "Serve an OpenAI-compatible API"), section=API),
        Option("api_host", str, "127.0.0.1", QT_TRANSLATE_NOOP(
            "Settings", "Address (not 127.0.0.1: key needed)"), section=API),
        Option("api_port", int, 8765, QT_TRANSLATE_NOOP("Settings", "Port"), 1, 65535, section=API),
        Option("api_key", str, "", QT_TRANSLATE_NOOP(
            "Settings", "API key (clients send it as a Bearer token)"), section=API),
        Option("api_store", bool, False, QT_TRANSLATE_NOOP(
            "Settings", "Keep API conversations"), section=API),
        Option("engine_url", str, "", QT_TRANSLATE_NOOP(
            "Settings", "Server address (empty: this computer)"), section=REMOTE),
        Option("engine_key", str, "", QT_TRANSLATE_NOOP(
            "Settings", "Server API key (optional)"), section=REMOTE),
        Option("engine_model", str, "", QT_TRANSLATE_NOOP(
            "Settings", "Model on the server (empty: its first)"), section=REMOTE),
        Option("theme", str, "system", QT_TRANSLATE_NOOP("Settings", "Colours"),
               choices=("system", "light", "dark")),
        # Issue 14: the window's language; "system" follows the system's locale.
        Option("language", str, "system", QT_TRANSLATE_NOOP(
            "Settings", "Language (applies at the next start)"), choices=("system", "en", "de")),
        Option("calibrated_threads", int, 0, "Fastest thread count measured", 0, 256, user=False),
        Option("assistant", str, "chat", "Assistant for new answers", user=False),
        Option("announced_model", str, "", "Model the user was last told about", user=False),
        Option("window_geometry", str, "", "Main window geometry", user=False),
        Option("splitter_state", str, "", "Conversation list width", user=False),
        Option("welcomed", bool, False, "The first-run page was shown", user=False),
    ]
}

# Upgrades from version N to N+1; each takes and returns the raw dict.
UPGRADES: dict[int, Any] = {}


class Settings:
    def __init__(self, path: Path):
        self.path = path
        self._values: dict[str, Any] = {}
        self._load()

    def __getitem__(self, name: str) -> Any:
        option = OPTIONS[name]
        return self._values.get(name, option.default)

    def __setitem__(self, name: str, value: Any) -> None:
        option = OPTIONS[name]
        if option.type is bool and not isinstance(value, bool):
            raise TypeError(f"{option.label}: true or false")  # bool("false") would be True
        value = option.type(value)
        if option.minimum is not None and value < option.minimum:
            raise ValueError(f"{option.label}: at least {option.minimum}")
        if option.maximum is not None and value > option.maximum:
            raise ValueError(f"{option.label}: at most {option.maximum}")
        if option.choices and value not in option.choices:
            raise ValueError(f"{option.label}: one of {', '.join(option.choices)}")
        self._values[name] = value

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", self.path, exc)
            return
        version = int(raw.pop("version", 1))
        while version < SETTINGS_VERSION:
            raw = UPGRADES[version](raw)
            version += 1
        for name, value in raw.items():
            if name in OPTIONS:
                try:
                    self[name] = value
                except (TypeError, ValueError):
                    log.warning("setting %s=%r ignored: not a %s", name, value, OPTIONS[name].type)

    def save(self) -> None:
        data = {"version": SETTINGS_VERSION, **self._values}
        tmp = self.path.with_suffix(".tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
        os.replace(tmp, self.path)
