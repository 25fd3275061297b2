"""Chat formats in the engine worker: the model's own chat template, or a named format for a
GGUF without one. A template comes from the model file: untrusted code. It runs only in the
worker, in llama_cpp's sandboxed Jinja2 environment (ImmutableSandboxedEnvironment: no access
to Python internals, ranges capped); whatever it raises is reported as the template's fault,
never as a crash. A template that never finishes is the client's to stop (render deadline).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

RENDER_MEMORY = 1 << 30  # what a template may allocate while it renders (Linux)

# Named chat formats for models whose GGUF carries no template (llama_chat_format functions).
FORMATTERS = {
    "gemma": "format_gemma",
    "chatml": "format_chatml",
    "llama-3": "format_llama3",
    "llama-2": "format_llama2",
    "mistral-instruct": "format_mistral_instruct",
    "qwen": "format_qwen",
    "zephyr": "format_zephyr",
    "alpaca": "format_alpaca",
}
TEMPLATE = "template"
# Special tokens that open or close a turn: a model that emits one has finished its answer
# (base models otherwise run on into an invented next turn; these tokens print nothing).
TURN_TOKENS = {
    "gemma": ("<start_of_turn>", "<end_of_turn>"),
    "chatml": ("<|im_start|>", "<|im_end|>"),
    "qwen": ("<|im_start|>", "<|im_end|>"),
    "llama-3": ("<|start_header_id|>", "<|eot_id|>"),
}


class TemplateFailed(Exception):
    """The model's chat template is broken; str() is the message for the user."""


def named_formatter(chat_format: str) -> Any:
    from llama_cpp import llama_chat_format as fmt

    return getattr(fmt, FORMATTERS[chat_format])


def check_compiles(metadata: dict[str, Any], model: str) -> None:
    """TemplateFailed if a chat template in the file does not compile. llama-cpp-python
    compiles every one of them (tokenizer.chat_template and tokenizer.chat_template.<name>)
    when it loads the model, whatever chat format is asked for, so a broken one makes the
    model unusable: say so, before the weights are read."""
    from llama_cpp import llama_chat_format as fmt

    for key, value in metadata.items():
        if key == "tokenizer.chat_template" or key.startswith("tokenizer.chat_template."):
            try:
                fmt.Jinja2ChatFormatter(template=str(value), eos_token="", bos_token="")
            except Exception as exc:  # jinja2's TemplateSyntaxError, or what a crafted one raises
                raise TemplateFailed(
                    f"The chat template inside {model} is broken ({_brief(exc)}), so the "
                    "conversation cannot be put into the form the model expects. Use another "
                    "model, or a copy of this one converted again."
                ) from exc


def template_formatter(template: str, llm: Any) -> Any:
    """The model's own template (compiled by check_compiles already)."""
    from llama_cpp import llama_chat_format as fmt

    eos, bos = llm.token_eos(), llm.token_bos()
    return fmt.Jinja2ChatFormatter(
        template=template,
        eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
        bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
        stop_token_ids=[eos],
    )


def render(formatter: Any, messages: list[dict[str, str]], model: str) -> Any:
    """The prompt for `messages`; TemplateFailed with a message if the template raises or
    allocates more than RENDER_MEMORY (a string doubled in a loop fills any memory)."""
    try:
        with _memory_cap(RENDER_MEMORY):
            return formatter(messages=messages)
    except MemoryError as exc:
        raise TemplateFailed(
            f"The chat template inside {model} tried to use more than "
            f"{RENDER_MEMORY >> 30} GB of memory to build a prompt, and was stopped. The "
            "template is broken: use another model."
        ) from exc
    except Exception as exc:  # raise_exception(), TypeError, UndefinedError, SecurityError, …
        raise TemplateFailed(
            f"The chat template inside {model} failed on this conversation ({_brief(exc)}). "
            "The template is broken, or refuses this kind of conversation (some accept no "
            "system message, or no two messages in a row from the same side). Start a new "
            "conversation or use another model."
        ) from exc


@contextlib.contextmanager
def _memory_cap(extra: int) -> Iterator[None]:
    """Linux: cap this process's address space at its present size plus `extra` for the
    duration, so an allocation beyond it raises MemoryError here instead of taking the
    computer's memory. Elsewhere (no /proc/self/statm), or under a tighter limit, no cap."""
    size = _address_space()
    if size is None:
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + extra
    if any(lim != resource.RLIM_INFINITY and lim <= cap for lim in (soft, hard)):
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def no_format_message(model: str, chat_format: str | None) -> str:
    if chat_format:
        return f"Unknown chat format '{chat_format}' for {model}. Known: {', '.join(FORMATTERS)}."
    return (
        f"{model} carries no chat template, and no chat format is set for it. Without one the "
        "model would be prompted in the wrong format and answer nonsense. Pick its chat format "
        "(for example chatml or gemma) when you import it."
    )


def _brief(exc: Exception) -> str:
    """The exception in one short line: it may quote the untrusted template."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
