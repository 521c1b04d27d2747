"""The outbox: each event is delivered to every sink at least once and never twice after success.

Delivery rows are created lazily: an event with no ``deliveries`` row for a sink is pending for it.
``claim`` is one conditional upsert inside a write transaction, so of two processes racing for the
same (event, sink) exactly one wins. A claim older than ``stale_after`` seconds (its process died)
may be claimed again.
"""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from crawler.clock import now
from crawler.model import Event
from crawler.store.codec import event_from_row

STALE_CLAIM = 900  # seconds


def pending(
    db: Database, sink: str, *, include_baseline: bool, stale_after: int = STALE_CLAIM
) -> list[Event]:
    stale = (now() - timedelta(seconds=stale_after)).isoformat(timespec="seconds")
    sql = (
        "SELECT e.* FROM events e LEFT JOIN deliveries d ON d.event_id = e.id AND d.sink = ? "
        "WHERE (d.state IS NULL OR d.state IN ('pending', 'failed') "
        "OR (d.state = 'claimed' AND d.updated_at < ?))"
    )
    if not include_baseline:
        sql += " AND e.baseline = 0"
    return [event_from_row(row) for row in db.query(sql + " ORDER BY e.id", [sink, stale])]


def claim(db: Database, event_id: int, sink: str, ts: str, *, stale_after: int = STALE_CLAIM) -> bool:
    stale = (now() - timedelta(seconds=stale_after)).isoformat(timespec="seconds")
    cursor = db.execute(
        "INSERT INTO deliveries (event_id, sink, state, attempts, updated_at) "
        "VALUES (?, ?, 'claimed', 1, ?) "
        "ON CONFLICT (event_id, sink) DO UPDATE SET state = 'claimed', attempts = attempts + 1, "
        "updated_at = excluded.updated_at "
        "WHERE state IN ('pending', 'failed') OR (state = 'claimed' AND updated_at < ?)",
        [event_id, sink, ts, stale],
    )
    return cursor.rowcount == 1


def finish(db: Database, event_id: int, sink: str, state: str, ts: str, error: str | None = None) -> None:
    db.execute(
        "INSERT INTO deliveries (event_id, sink, state, attempts, last_error, updated_at) "
        "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (event_id, sink) DO UPDATE SET "
        "state = excluded.state, last_error = excluded.last_error, updated_at = excluded.updated_at",
        [event_id, sink, state, error, ts],
    )
