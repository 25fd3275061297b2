"""When to ask the hub again: a dropped connection or a busy hub (429, 5xx) is retried with
exponential backoff, honouring Retry-After (seconds or an HTTP date) up to RETRY_AFTER_CAP_S;
a longer wait is not waited out (the user is told when to try again); other 4xx are final.
All waits of one attempt together stay under RETRY_BUDGET_S. No Qt here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

RETRIES = 5  # tries after the first
BACKOFF_S = 0.5  # the first wait; it doubles, up to BACKOFF_MAX_S
BACKOFF_MAX_S = 8.0
RETRY_AFTER_CAP_S = 60.0
RETRY_BUDGET_S = 180.0


def retry_delay(response: Any, failures: int, waited: float) -> float | None:
    """Seconds to wait before the next try, or None to give up: after RETRIES failures, on a
    status that trying again cannot fix (4xx but 429), when the hub asks for more than
    RETRY_AFTER_CAP_S, or past RETRY_BUDGET_S in all. response is None for a network error."""
    asked = None
    if response is not None:
        if response.status_code != 429 and response.status_code < 500:
            return None
        asked = retry_after_s(response.headers.get("Retry-After"))
    if failures > RETRIES or (asked is not None and asked > RETRY_AFTER_CAP_S):
        return None
    delay = asked if asked is not None else min(BACKOFF_MAX_S, BACKOFF_S * 2 ** (failures - 1))
    return delay if waited + delay <= RETRY_BUDGET_S else None


def retry_after_s(value: str | None) -> float | None:
    """A Retry-After header in seconds from now: a number of seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
