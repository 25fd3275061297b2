"""Search benchmark: time per query of `Store.search` (SQLite FTS5 over titles and messages)
over a profile of 100,000 messages in 1,000 conversations, as the window and `smallwise search`
run it. Target (issue 12): < 50 ms per query.

Messages are drawn word by word from real English (the licence texts Debian ships in
/usr/share/common-licenses, with their word frequencies), 10 to 300 words each. Each query
runs REPEAT times on the warm database; the median and the slowest are printed.

Run: .venv/bin/python benchmarks/search.py [--messages N] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.core.store import Store, now  # noqa: E402

LICENSES = Path("/usr/share/common-licenses")
REPEAT = 15
QUERIES = {
    "common word": "the",
    "frequent word": "software",
    "rare word": "warranty merchantability",
    "two words": "source code",
    "typing a word (prefix)": "licen",
    "typing, 4 letters": "cont",
    "punctuation and operators": 'copy "NOT" (AND) OR*',
    "no match": "zebra quantum",
}


def corpus(seed: int = 7) -> tuple[list[str], list[int]]:
    text = " ".join(p.read_text(errors="ignore") for p in sorted(LICENSES.glob("*")) if p.is_file())
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text) or ["word"]
    counts: dict[str, int] = {}
    for w in words:
        counts[w.lower()] = counts.get(w.lower(), 0) + 1
    return list(counts), list(counts.values())


def fill(store: Store, messages: int, per_conversation: int = 100) -> float:
    vocab, weights = corpus()
    rng = random.Random(11)
    started = time.perf_counter()
    conn = store.db.conn
    with conn:
        for _ in range(messages // per_conversation):
            title = " ".join(rng.choices(vocab, weights, k=5))
            cid = conn.execute(
                "INSERT INTO conversations (title, created_at, updated_at, named) "
                "VALUES (?, ?, ?, 1)",
                (title, now(), now()),
            ).lastrowid
            parent = None
            for n in range(per_conversation):
                text = " ".join(rng.choices(vocab, weights, k=rng.randint(10, 300)))
                parent = conn.execute(
                    "INSERT INTO messages (conversation_id, parent_id, role, content, status, "
                    "created_at) VALUES (?, ?, ?, ?, 'complete', ?)",
                    (cid, parent, "user" if n % 2 == 0 else "assistant", text, now()),
                ).lastrowid
    return time.perf_counter() - started


def measure(store: Store) -> dict[str, dict[str, float]]:
    figures = {}
    for name, query in QUERIES.items():
        store.search(query)  # warm
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            hits = store.search(query)
            times.append((time.perf_counter() - start) * 1000)
        figures[name] = {
            "query": query,
            "hits": len(hits),
            "median_ms": round(statistics.median(times), 2),
            "max_ms": round(max(times), 2),
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--database", type=Path, help="keep the profile here (reused if there)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.database or Path(folder) / "smallwise.db"
        reused = path.exists()
        with Store(path) as store:
            filled = 0.0 if reused else fill(store, args.messages)
            figures = measure(store)
        size_mb = path.stat().st_size / 1e6
    if args.json:
        print(json.dumps({"messages": args.messages, "fill_s": filled, "queries": figures}))
        return
    print(f"{args.messages:,} messages, indexed while written in {filled:.1f} s; "
          f"database {size_mb:.0f} MB (WAL not counted)")
    print(f"{'query':28} {'hits':>5} {'median ms':>10} {'max ms':>8}")
    for name, f in figures.items():
        print(f"{name:28} {f['hits']:5} {f['median_ms']:10.2f} {f['max_ms']:8.2f}")
    worst = max(f["median_ms"] for f in figures.values())
    print(f"slowest median {worst:.1f} ms: {'meets' if worst < 50 else 'MISSES'} < 50 ms")


if __name__ == "__main__":
    main()
