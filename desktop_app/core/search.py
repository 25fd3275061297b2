"""Search across all conversations: SQLite FTS5 over titles and messages (every branch), kept in
step by triggers. A query is the user's words, never FTS5 syntax: each word is quoted, so
quotes, operators (AND, OR, NOT, NEAR), column filters and stars are just text, and any text
works; the last word also matches as a prefix while it is being typed. Newest messages come
first: FTS5 walks its lists from the end and stops at the limit, where ranking by relevance
would score every match (0.8 s for a common word over 100,000 messages).

Snippets are outside text (what a model wrote): they come back plain, with the matched spans as
offsets (`highlights`); a front end escapes the text and marks the spans itself. The markers
FTS5 puts around a match carry a random nonce per query, so no message can forge one.
No Qt here.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from typing import Any

LIMIT = 30
MAX_QUERY_CHARS = 500
MAX_TERMS = 16
# A last word this long also matches longer words ("photo" finds "photosynthesis"). Shorter
# prefixes would merge the lists of too many words: 90-140 ms for "the*" over 100,000
# messages, against < 35 ms from 4 letters on (benchmarks/search.py).
PREFIX_FROM = 4
SNIPPET_TOKENS = 14
TOKENIZE = "porter unicode61 remove_diacritics 2"

MIGRATION = f"""
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content='messages', content_rowid='id', tokenize='{TOKENIZE}'
);
CREATE VIRTUAL TABLE titles_fts USING fts5(
    title, content='conversations', content_rowid='id', tokenize='{TOKENIZE}'
);
CREATE TRIGGER messages_fts_added AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_deleted AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_changed AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER titles_fts_added AFTER INSERT ON conversations BEGIN
    INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER titles_fts_deleted AFTER DELETE ON conversations BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER titles_fts_changed AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
END;
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
INSERT INTO titles_fts(titles_fts) VALUES ('rebuild')
"""

_WORD = re.compile(r"\w", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # FTS5 ends a string at NUL: a space instead

_MESSAGES = """
SELECT m.id, m.conversation_id, m.role, m.created_at, c.title, hit.snippet
FROM (
    SELECT rowid, snippet(messages_fts, 0, :open, :close, '…', :tokens) AS snippet
    FROM messages_fts WHERE messages_fts MATCH :query ORDER BY rowid DESC LIMIT :limit
) AS hit
JOIN messages m ON m.id = hit.rowid
JOIN conversations c ON c.id = m.conversation_id
ORDER BY hit.rowid DESC
"""

_TITLES = """
SELECT c.id, c.updated_at, hit.marked
FROM (
    SELECT rowid, highlight(titles_fts, 0, :open, :close) AS marked, rank
    FROM titles_fts WHERE titles_fts MATCH :query ORDER BY rank LIMIT :limit
) AS hit
JOIN conversations c ON c.id = hit.rowid
ORDER BY hit.rank
"""


def fts_query(text: str) -> str | None:
    """The FTS5 query for what the user typed: every word must occur (as a word, or a phrase
    for words joined by punctuation); None when there is no word to look for."""
    text = _CONTROL.sub(" ", text[:MAX_QUERY_CHARS])
    chunks = [c for c in text.split() if _WORD.search(c)][:MAX_TERMS]
    if not chunks:
        return None
    terms = ['"' + chunk.replace('"', '""') + '"' for chunk in chunks]
    typing = not text[-1:].isspace()
    if typing and len(chunks[-1]) >= PREFIX_FROM and _WORD.match(chunks[-1][-1]):
        terms[-1] += "*"
    return " ".join(terms)


def search(conn: sqlite3.Connection, text: str, limit: int = LIMIT) -> list[dict[str, Any]]:
    """Conversations whose title matches, then messages, best match first. Each hit: kind
    ("title" or "message"), conversation_id, title, message_id (None for a title), role,
    created_at, snippet (plain text) and highlights ([start, end) offsets into it)."""
    query = fts_query(text)
    if query is None:
        return []
    nonce = secrets.token_hex(6)
    marks = {"open": f"\x02{nonce}[", "close": f"]{nonce}\x03"}
    limit = max(1, min(limit, 500))
    params = {**marks, "query": query, "limit": limit, "tokens": SNIPPET_TOKENS}
    hits = []
    for cid, updated_at, marked in conn.execute(_TITLES, params):
        title, spans = unmark(marked, marks["open"], marks["close"])
        hits.append(_hit("title", cid, title, None, None, updated_at, title, spans))
    for mid, cid, role, created_at, title, snippet in conn.execute(_MESSAGES, params):
        plain, spans = unmark(snippet, marks["open"], marks["close"])
        hits.append(_hit("message", cid, title, mid, role, created_at, plain, spans))
    return hits


def _hit(
    kind: str,
    conversation_id: int,
    title: str,
    message_id: int | None,
    role: str | None,
    created_at: str,
    snippet: str,
    spans: list[list[int]],
) -> dict[str, Any]:
    return {
        "kind": kind,
        "conversation_id": conversation_id,
        "title": title,
        "message_id": message_id,
        "role": role,
        "created_at": created_at,
        "snippet": snippet,
        "highlights": spans,
    }


def unmark(marked: str, open_: str, close: str) -> tuple[str, list[list[int]]]:
    """The text without the markers, and the marked spans as [start, end) offsets."""
    plain: list[str] = []
    spans: list[list[int]] = []
    length, start = 0, None
    for piece in re.split(f"({re.escape(open_)}|{re.escape(close)})", marked):
        if piece == open_:
            start = length
        elif piece == close:
            if start is not None and length > start:
                spans.append([start, length])
            start = None
        else:
            plain.append(piece)
            length += len(piece)
    return "".join(plain), spans


def segments(snippet: str, spans: list[list[int]]) -> list[tuple[str, bool]]:
    """The snippet as (text, highlighted) pieces, in order."""
    pieces, at = [], 0
    for start, end in spans:
        if start < at or end > len(snippet):
            continue  # not from this snippet: ignored rather than trusted
        if start > at:
            pieces.append((snippet[at:start], False))
        pieces.append((snippet[start:end], True))
        at = end
    if at < len(snippet):
        pieces.append((snippet[at:], False))
    return pieces
