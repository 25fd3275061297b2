"""The evaluations `smallwise eval` runs on the user's own computer, one per assistant, so a user
(or an organisation with its own catalog) sees which installed model does each job best here.

Each evaluation is a function `run(context) -> dict` (JSON-ready figures), registered below
by name as "module:function" and imported only when asked for. To plug one in, add an entry
to REGISTRY (or call `register` from a plug-in). The math and tutor entries call the
functions their helpers expose (math_check.evaluation.evaluate, eval/tutor/run.py evaluate);
where a build lacks them, the command says what it looked for. No Qt here.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.errors import EvaluationError


@dataclass
class Context:
    """What an evaluation gets: where the app keeps things, the model to try (None: the
    retrieval-level figures only), which half of the set, and a way to say how it goes."""

    paths: Any  # AppPaths
    model: Any = None  # a ModelChoice
    half: str = "held_out"
    docs: Path | None = None  # the documents, where the evaluation reads some
    progress: Callable[[str], None] = field(default=lambda line: None)
    embedding_model: Path | None = None  # None: the installed one, if any


Evaluation = Callable[[Context], dict[str, Any]]

REGISTRY: dict[str, str] = {
    "support": "desktop_app.evals.support_run:run",
    "math": "desktop_app.evals:_math",
    "tutor": "desktop_app.evals:_tutor",
}


def register(name: str, target: str | Evaluation) -> None:
    """Add or replace an evaluation ("module:function", or the function itself)."""
    _loaded.pop(name, None)
    if callable(target):
        _loaded[name] = target
    else:
        REGISTRY[name] = target


_loaded: dict[str, Evaluation] = {}


def evaluation(name: str) -> Evaluation:
    if name in _loaded:
        return _loaded[name]
    if name not in REGISTRY:
        raise EvaluationError(f"No evaluation for {name!r}; there are: {', '.join(REGISTRY)}.")
    module, function = REGISTRY[name].split(":")
    return getattr(importlib.import_module(module), function)


# -- the other helpers' evaluations, called as they expose them -------------------------------
SOURCE = Path(__file__).resolve().parents[2]  # the source checkout, when running from one


def _math(context: Context) -> dict[str, Any]:
    try:
        from desktop_app.core.assistants.math_check.evaluation import evaluate
    except ImportError:
        raise EvaluationError(
            "The math evaluation is not in this build (it needs "
            "desktop_app/core/assistants/math_check/evaluation.py and eval/math/)."
        ) from None
    model = str(context.model.path) if context.model is not None else None
    half = "held-out" if context.half == "held_out" else context.half
    return evaluate(model_path=model, which=half, progress=context.progress)


def _tutor(context: Context) -> dict[str, Any]:
    script = SOURCE / "eval" / "tutor" / "run.py"
    if not script.is_file():
        raise EvaluationError(f"The tutor evaluation is not in this build (looked for {script}).")
    if context.model is None:
        raise EvaluationError("The tutor evaluation needs a model: pass --model ID.")
    spec = importlib.util.spec_from_file_location("smallwise_eval_tutor", script)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    split = "report" if context.half == "held_out" else context.half
    return module.evaluate(str(context.model.path), split=split, progress=context.progress)
