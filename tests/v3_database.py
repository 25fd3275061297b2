"""A populated database as Smallwise wrote it at schema 3 (before messages kept extras, before
branches and search), built with the v3 schema from store.MIGRATIONS, for migration tests and
benchmarks."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from desktop_app.core import database
from desktop_app.core.store import MIGRATIONS

WORDS = (
    "train station airport ticket museum garden temple river bridge market coffee tea bread "
    "recipe oven flour water salt yeast python function error list loop class import module "
    "matrix vector integral derivative limit proof theorem lemma planet orbit moon star light "
    "history empire king queen war peace treaty music piano guitar violin concert melody "
    "garden tomato potato carrot winter summer holiday mountain lake forest hiking boots"
).split()


def make_v3_database(path: Path, conversations: int = 3, messages: int = 6, seed: int = 1) -> Path:
    """`conversations` conversations of `messages` messages each, their messages interleaved in
    time (ids), as people use several conversations at once."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    for version in (1, 2, 3):
        for statement in database.statements(MIGRATIONS[version]):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    stamp = "2025-01-0{}T10:00:00.000000+00:00"
    now = stamp.format(2)
    for c in range(conversations):
        conn.execute(
            "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
            (f"Old conversation {c + 1} about {WORDS[c % len(WORDS)]}", stamp.format(1), now),
        )
    for n in range(messages):
        for c in range(conversations):
            role = "user" if n % 2 == 0 else "assistant"
            text = " ".join(rng.choice(WORDS) for _ in range(12))
            conn.execute(
                "INSERT INTO messages (conversation_id, role, content, status, model_id, quant, "
                "completion_tokens, finish_reason, assistant_id, created_at) "
                "VALUES (?, ?, ?, 'complete', ?, ?, ?, ?, ?, ?)",
                (
                    c + 1,
                    role,
                    f"c{c + 1} m{n + 1} {text}",
                    "old-model" if role == "assistant" else None,
                    "Q4_K_M" if role == "assistant" else None,
                    12 if role == "assistant" else None,
                    "stop" if role == "assistant" else None,
                    "chat" if role == "assistant" else None,
                    stamp.format(1),
                ),
            )
    conn.commit()
    conn.close()
    return path
