"""Assistants are data (resources/assistants.json): name, purpose, preferred models, system
prompt, sampling and features. Adding one is adding an entry, not code. This module turns an
assistant and a conversation into the messages a model gets: a system prompt, or, for models
that must not get one (the R1 distills), the same instructions folded into the first user turn.
No Qt here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from desktop_app.core.catalog import Catalog


@dataclass(frozen=True)
class Assistant:
    id: str
    name: str
    icon: str
    purpose: str
    role: str
    preferred_models: tuple[str, ...]
    system_prompt: str
    sampling: dict[str, float]
    features: tuple[str, ...]
    levels: tuple[str, ...] = ()
    default_level: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def instructions(self, level: str | None = None) -> str:
        return self.system_prompt.replace("{level}", level or self.default_level or "")

    def model_for(self, catalog: Catalog, installed: set[str]) -> str | None:
        """The first preferred model that is installed, else any installed one for the role."""
        for model_id in self.preferred_models:
            if model_id in installed:
                return model_id
        for model_id in installed:
            if model_id in catalog and self.role in catalog[model_id].roles:
                return model_id
        return None


@lru_cache(maxsize=4)
def load_assistants(text: str | None = None) -> dict[str, Assistant]:
    """The assistants by id (cached: treat the result as read-only)."""
    if text is None:
        text = resources.files("desktop_app.resources").joinpath("assistants.json").read_text()
    found = {}
    for e in json.loads(text)["assistants"]:
        found[e["id"]] = Assistant(
            e["id"],
            e["name"],
            e.get("icon", ""),
            e["purpose"],
            e["role"],
            tuple(e.get("preferred_models", ())),
            e["system_prompt"],
            dict(e.get("sampling", {})),
            tuple(e.get("features", ())),
            tuple(e.get("levels", ())),
            e.get("default_level", ""),
            e,
        )
    return found


def prompt_messages(
    assistant: Assistant,
    history: list[dict[str, str]],
    accepts_system_prompt: bool,
    level: str | None = None,
) -> list[dict[str, str]]:
    """The messages for the model: instructions as a system message, or folded into the first
    user turn when the model does not take a system prompt."""
    instructions = assistant.instructions(level).strip()
    turns = [m for m in history if m["role"] != "system"]
    if not instructions:
        return turns
    if accepts_system_prompt:
        return [{"role": "system", "content": instructions}, *turns]
    folded, done = [], False
    for message in turns:
        if not done and message["role"] == "user":
            message = {"role": "user", "content": f"{instructions}\n\n{message['content']}"}
            done = True
        folded.append(message)
    return folded
