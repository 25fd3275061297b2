"""Opening the conversation database: a private SQLite file, checked before it is used, and
brought to the schema this version knows by migrations, each in one transaction (after
qutebrowser's misc/sql.py). A database that cannot be read, or was written by a newer
Smallwise, is reported and left untouched. No Qt here.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

from desktop_app.core.errors import StoreError


def _import_sqlite_utils() -> ModuleType:
    """sqlite-utils imports numpy (~0.1 s of a cold start) only for type adapters this app never
    uses: it is imported with numpy marked absent for that one import, and numpy stays importable
    for whatever needs it later (gguf reads GGUF headers with it)."""
    if "numpy" in sys.modules:
        import sqlite_utils
    else:
        sys.modules["numpy"] = None  # type: ignore[assignment]
        try:
            import sqlite_utils
        finally:
            del sys.modules["numpy"]
    return sqlite_utils


sqlite_utils = _import_sqlite_utils()


MEMORY = ":memory:"  # a database that is never written to disk


def connect(path: Path) -> sqlite3.Connection:
    if str(path) == MEMORY:
        return sqlite3.connect(MEMORY, check_same_thread=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(
            f"The conversation database {path} is not readable and writable by you. It was left "
            "untouched. Fix its permissions (chmod 600) or set SMALLWISE_HOME to another folder."
        )
    try:
        # check_same_thread=False: the service layer confines a Store to one thread of its own,
        # which is not the thread that opened it.
        conn = sqlite3.connect(path, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"The conversation database {path} cannot be opened ({exc}).") from exc
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def migrate(
    conn: sqlite3.Connection, path: Path, migrations: dict[int, str], schema_version: int
) -> None:
    """Bring the database to `schema_version`, one transaction per migration."""
    version = _version(conn, path)
    if version > schema_version:
        conn.close()
        raise StoreError(
            f"The conversation database {path} was written by a newer Smallwise "
            f"(schema {version}, this version knows {schema_version}). It was left untouched. "
            "Update Smallwise, or set SMALLWISE_HOME to use another profile folder."
        )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    for target in range(version + 1, schema_version + 1):
        # executescript would COMMIT first; run the statements ourselves in one transaction.
        conn.execute("BEGIN")
        try:
            for statement in statements(migrations[target]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    make_private(path)


def _version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"The conversation database {path} cannot be read ({exc}). It was left "
            "untouched. Restore it from a backup, or move it aside to start with an empty one."
        ) from exc


def statements(script: str) -> list[str]:
    """The statements of a migration script, split at the semicolons that end one (a trigger
    body holds semicolons of its own)."""
    found, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending)
            pending = ""
    if pending.strip(" \n;"):
        found.append(pending)
    return found


def make_private(path: Path) -> None:
    if str(path) == MEMORY:
        return
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            os.chmod(p, 0o600)
