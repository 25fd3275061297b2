"""Nearest meaning vectors two ways, at the evaluation corpus's size and at 100k passages:
brute force with numpy over vectors kept in memory (what the app does: retrieval.VectorCache),
and sqlite-vec's vec0 table (KNN in SQLite). Random unit vectors of 384 dimensions (the
search cost does not depend on what they mean). sqlite-vec needs an SQLite that may load
extensions: Python's own sqlite3 here cannot (built without it, as some others are), so it is
measured through apsw, which brings its own SQLite.

    .venv/bin/pip install apsw sqlite-vec   # for this benchmark only
    .venv/bin/python benchmarks/vector_search.py
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

DIM, K, QUERIES = 384, 50, 20


def vectors(n: int, seed: int = 1) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def timed(fn, repeat: int = QUERIES) -> float:
    """Median milliseconds of one call."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def numpy_side(folder: Path, data: np.ndarray, queries: np.ndarray) -> dict[str, float]:
    """The app's way: BLOBs in a plain table, loaded once into one matrix, then a product."""
    from desktop_app.core.assistants.retrieval import nearest

    db = sqlite3.connect(folder / "plain.db")
    db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, vector BLOB)")
    rows = ((i, row.tobytes()) for i, row in enumerate(data))
    db.executemany("INSERT INTO v VALUES (?, ?)", rows)
    db.commit()

    def load() -> tuple[np.ndarray, np.ndarray]:
        rows = db.execute("SELECT id, vector FROM v").fetchall()
        ids = np.array([r[0] for r in rows])
        return ids, np.frombuffer(b"".join(r[1] for r in rows), np.float32).reshape(len(rows), -1)

    load_ms = timed(load, 3)
    ids, matrix = load()
    query = iter(queries)
    search_ms = timed(lambda: nearest(next(query), ids, matrix, K))
    return {"load_ms": load_ms, "query_ms": search_ms, "memory_mb": matrix.nbytes / 1e6}


def sqlite_vec_side(folder: Path, data: np.ndarray, queries: np.ndarray) -> dict[str, float]:
    import apsw
    import sqlite_vec

    db = apsw.Connection(str(folder / "vec.db"))
    db.enable_load_extension(True)
    db.load_extension(sqlite_vec.loadable_path())
    db.execute(f"CREATE VIRTUAL TABLE v USING vec0(vector float[{DIM}] distance_metric=cosine)")
    started = time.perf_counter()
    with db:
        db.executemany(
            "INSERT INTO v (rowid, vector) VALUES (?, ?)",
            ((i, row.tobytes()) for i, row in enumerate(data)),
        )
    insert_s = time.perf_counter() - started
    query = iter(queries)
    sql = f"SELECT rowid, distance FROM v WHERE vector MATCH ? AND k = {K} ORDER BY distance"
    search_ms = timed(lambda: db.execute(sql, (next(query).tobytes(),)).fetchall())
    return {"insert_s": insert_s, "query_ms": search_ms}


def main() -> None:
    for n in (6_000, 100_000):
        data, queries = vectors(n), vectors(QUERIES + 5, seed=2)
        with tempfile.TemporaryDirectory() as folder:
            plain = numpy_side(Path(folder), data, queries)
            try:
                vec = sqlite_vec_side(Path(folder), data, queries)
            except ImportError as exc:
                vec = {"missing": str(exc)}
        print(f"{n:>7,} passages  numpy: {plain}  sqlite-vec: {vec}")


if __name__ == "__main__":
    main()
