"""Realistic conversations for the long-chat benchmark: short questions, answers with Markdown,
code blocks, LaTeX (inline and display), reasoning folds, cited sources, math checks, and a few
long answers. Deterministic (a seeded generator), written with the Store API directly (fast).
"""

from __future__ import annotations

import random
from typing import Any

WORDS = (
    "the model answer context memory quantization token layer weights prompt window thread "
    "question simple value result because therefore example function list string number "
    "compute check local private offline file folder start stop speed fast slow small large"
).split()
LANGS = ("python", "bash", "json", "rust", "")
FORMULAS = [
    r"x^2 + y^2 = r^2",
    r"\frac{a}{b} + \frac{c}{d} = \frac{ad + bc}{bd}",
    r"\int_0^1 x^2 \, dx = \frac{1}{3}",
    r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}",
    r"e^{i\pi} + 1 = 0",
    r"\sqrt{2} \approx 1.414",
    r"\binom{n}{k} = \frac{n!}{k!(n-k)!}",
    r"\lim_{x \to 0} \frac{\sin x}{x} = 1",
    r"a^2 - b^2 = (a - b)(a + b)",
    r"\nabla \cdot E = \frac{\rho}{\varepsilon_0}",
    r"p(x) = \frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{(x-\mu)^2}{2\sigma^2}}",
    r"\det A = ad - bc",
]
CODE = {
    "python": "def mean(values):\n    total = sum(values)\n    return total / len(values)\n\n"
    "print(mean([1, 2, 3]))\n",
    "bash": "python -m venv .venv\n. .venv/bin/activate\npip install -e .[dev]\n",
    "json": '{\n  "model": "qwen2.5-1.5b",\n  "n_ctx": 4096,\n  "threads": 4\n}\n',
    "rust": 'fn main() {\n    let v = vec![1, 2, 3];\n'
    '    println!("{}", v.iter().sum::<i32>());\n}\n',
    "": "plain text block\n  indented line\n",
}


def sentence(rng: random.Random, words: int = 12) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    parts = [sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.4:
        parts.insert(1, f"It is **{rng.choice(WORDS)}**, not *{rng.choice(WORDS)}*.")
    if rng.random() < 0.25:
        parts.append(f"Here ${rng.choice(FORMULAS)}$ holds.")
    if rng.random() < 0.2:
        parts.append(f"Use `{rng.choice(WORDS)}()` for that.")
    return " ".join(parts)


def code_block(rng: random.Random) -> str:
    lang = rng.choice(LANGS)
    return f"```{lang}\n{CODE[lang]}```"


def answer_text(rng: random.Random, blocks: int) -> str:
    out = []
    for _ in range(blocks):
        kind = rng.random()
        if kind < 0.55:
            out.append(paragraph(rng))
        elif kind < 0.7:
            out.append("\n".join(f"- {sentence(rng, 6)}" for _ in range(rng.randint(2, 5))))
        elif kind < 0.85:
            out.append(code_block(rng))
        elif kind < 0.93:
            out.append(f"$${rng.choice(FORMULAS)}$$")
        else:
            out.append(f"### {sentence(rng, 4)[:-1]}")
    return "\n\n".join(out)


def question(rng: random.Random) -> str:
    text = sentence(rng, rng.randint(5, 20))[:-1] + "?"
    if rng.random() < 0.1:
        text += "\n\n" + code_block(rng)
    return text


def answer_row(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """An answer's text and the metadata stored with it."""
    long = rng.random() < 0.03  # a few long answers (≈ 6–15 k characters)
    text = answer_text(rng, rng.randint(40, 90) if long else rng.randint(1, 6))
    meta: dict[str, Any] = {
        "model_id": "qwen2.5-1.5b-instruct",
        "quant": "Q4_K_M",
        "n_ctx": 4096,
        "tokens_per_s": round(rng.uniform(8, 40), 1),
        "ttft_s": round(rng.uniform(0.2, 3.0), 2),
        "prompt_tokens": rng.randint(50, 3000),
        "completion_tokens": len(text) // 4,
        "finish_reason": "stop",
        "assistant_id": rng.choice(("chat", "math", "tutor", "support")),
    }
    if rng.random() < 0.08:
        text = f"<think>{paragraph(rng)}</think>{text}"
    if rng.random() < 0.08:
        meta["extras"] = {"math_check": "1 check passed", "checks": [{"ok": True}]}
    elif rng.random() < 0.08:
        meta["extras"] = {
            "sources": [{"path": "/home/me/docs/router.md", "heading": "Reset", "score": 1.0}]
        }
    return text, meta


def fill(store: Any, conversation_id: int, messages: int, seed: int = 7) -> None:
    """Add `messages` messages (user and assistant in turn) to a conversation."""
    rng = random.Random(seed)
    for i in range(messages):
        if i % 2 == 0:
            store.add_message(conversation_id, "user", question(rng))
            continue
        text, meta = answer_row(rng)
        extras = meta.pop("extras", None)
        message_id = store.add_message(conversation_id, "assistant", text, **meta)
        if extras:
            store.set_extras(message_id, extras)
