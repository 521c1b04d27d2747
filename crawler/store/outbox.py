"""The outbox: each event is delivered to every sink at least once and never twice after success.

Delivery rows are created lazily: an event with no ``deliveries`` row for a sink is pending for it.
``claim`` is one conditional upsert inside a write transaction, so of two processes racing for the
same (event, sink) exactly one wins. A claim records its owner (``host:pid``); the claim of a process
that is gone (killed between claiming and delivering), or one older than ``stale_after`` seconds, may
be claimed again.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlite_utils import Database

from crawler.clock import now
from crawler.model import Event
from crawler.store.codec import event_from_row

STALE_CLAIM = 900  # seconds
HOST = socket.gethostname()


def owner() -> str:
    return f"{HOST}:{os.getpid()}"


def owner_alive(claimed_by: str | None) -> bool:
    """False only when the owner ran on this host and its process is gone."""
    if not claimed_by or ":" not in claimed_by:
        return True
    host, _, pid = claimed_by.rpartition(":")
    if host != HOST or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(stale_after: int) -> str:
    return (now() - timedelta(seconds=stale_after)).isoformat(timespec="seconds")


def pending(
    db: Database, sink: str, *, include_baseline: bool, stale_after: int = STALE_CLAIM
) -> list[Event]:
    sql = (
        "SELECT e.*, d.state AS d_state, d.claimed_by AS d_claimed_by, d.updated_at AS d_updated_at "
        "FROM events e LEFT JOIN deliveries d ON d.event_id = e.id AND d.sink = ? "
        "WHERE (d.state IS NULL OR d.state IN ('pending', 'failed', 'claimed')) "
        "AND e.id > coalesce((SELECT after_event FROM sink_starts WHERE sink = ?), 0)"
    )
    if not include_baseline:
        sql += " AND e.baseline = 0"
    stale = _stale(stale_after)
    out = []
    for row in db.query(sql + " ORDER BY e.id", [sink, sink]):
        if row["d_state"] == "claimed" and row["d_updated_at"] >= stale and owner_alive(row["d_claimed_by"]):
            continue  # another live process is delivering it
        out.append(event_from_row(row))
    return out


def claim(db: Database, event_id: int, sink: str, ts: str, *, stale_after: int = STALE_CLAIM) -> bool:
    row = db.execute(
        "SELECT state, claimed_by FROM deliveries WHERE event_id = ? AND sink = ?", [event_id, sink]
    ).fetchone()
    dead = row[1] if row and row[0] == "claimed" and not owner_alive(row[1]) else None
    cursor = db.execute(
        "INSERT INTO deliveries (event_id, sink, state, attempts, updated_at, claimed_by) "
        "VALUES (?, ?, 'claimed', 1, ?, ?) "
        "ON CONFLICT (event_id, sink) DO UPDATE SET state = 'claimed', attempts = attempts + 1, "
        "updated_at = excluded.updated_at, claimed_by = excluded.claimed_by "
        "WHERE state IN ('pending', 'failed') "
        "OR (state = 'claimed' AND (updated_at < ? OR claimed_by IS ?))",
        [event_id, sink, ts, owner(), _stale(stale_after), dead],
    )
    return cursor.rowcount == 1


def finish(db: Database, event_id: int, sink: str, state: str, ts: str, error: str | None = None) -> None:
    db.execute(
        "INSERT INTO deliveries (event_id, sink, state, attempts, last_error, updated_at) "
        "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (event_id, sink) DO UPDATE SET "
        "state = excluded.state, last_error = excluded.last_error, updated_at = excluded.updated_at",
        [event_id, sink, state, error, ts],
    )


SETTLED = ("delivered", "skipped")


def start(db: Database, sink: str, ts: str, *, backfill: bool) -> int:
    """Record where ``sink`` starts, the first time it is seen: after the newest event (a sink added
    to an archive starts with the next event), or at the beginning when ``backfill`` is set or the
    outbox has never settled an event for any sink (a new archive). ``backfill`` on a sink seen
    before moves its start to the beginning. Returns the id it starts after."""
    row = db.execute("SELECT after_event FROM sink_starts WHERE sink = ?", [sink]).fetchone()
    if row is not None:
        if backfill and row[0]:
            db.execute("UPDATE sink_starts SET after_event = 0 WHERE sink = ?", [sink])
            return 0
        return int(row[0])
    after = 0
    if not backfill and db.execute("SELECT 1 FROM deliveries LIMIT 1").fetchone():
        after = int(db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
    db.execute("INSERT INTO sink_starts (sink, after_event, started_at) VALUES (?, ?, ?)", [sink, after, ts])
    return after


def skip_many(db: Database, event_ids: list[int], sink: str, ts: str, reasons: list[str]) -> None:
    """Settle events a sink will never send (``skipped``, with the reason of each)."""
    db.conn.executemany(
        "INSERT INTO deliveries (event_id, sink, state, attempts, last_error, updated_at) "
        "VALUES (?, ?, 'skipped', 0, ?, ?) ON CONFLICT (event_id, sink) DO UPDATE SET "
        "state = 'skipped', last_error = excluded.last_error, updated_at = excluded.updated_at, "
        "claimed_by = NULL WHERE state IN ('pending', 'failed', 'claimed')",
        [(event_id, sink, reason, ts) for event_id, reason in zip(event_ids, reasons, strict=True)],
    )


def sinks(db: Database) -> list[str]:
    """The sink names the outbox has rows for."""
    return [row[0] for row in db.execute("SELECT DISTINCT sink FROM deliveries ORDER BY sink")]


def adopt(db: Database, old: str, new: str) -> int:
    """Move the rows of sink ``old`` to ``new`` (the same sink under its new name); an event settled
    under either name stays settled. Returns how many rows were moved."""
    _adopt_start(db, old, new)
    db.execute("UPDATE delivery_parts SET sink = ? WHERE sink = ?", [new, old])
    rows = db.execute("SELECT event_id, state FROM deliveries WHERE sink = ?", [old]).fetchall()
    for event_id, state in rows:
        there = db.execute(
            "SELECT state FROM deliveries WHERE event_id = ? AND sink = ?", [event_id, new]
        ).fetchone()
        if there is None:
            db.execute("UPDATE deliveries SET sink = ? WHERE event_id = ? AND sink = ?", [new, event_id, old])
            continue
        if state in SETTLED and there[0] not in SETTLED:
            db.execute(
                "UPDATE deliveries SET state = ?, claimed_by = NULL WHERE event_id = ? AND sink = ?",
                [state, event_id, new],
            )
        db.execute("DELETE FROM deliveries WHERE event_id = ? AND sink = ?", [event_id, old])
    return len(rows)


def _adopt_start(db: Database, old: str, new: str) -> None:
    """The adopted name starts where the earlier one did (a name with rows but no start row, from
    before starts were recorded, started at the beginning)."""
    row = db.execute("SELECT after_event, started_at FROM sink_starts WHERE sink = ?", [old]).fetchone()
    after, started = (int(row[0]), row[1]) if row else (0, None)
    mine = db.execute("SELECT after_event FROM sink_starts WHERE sink = ?", [new]).fetchone()
    if mine is None:
        started = started or db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')").fetchone()[0]
        db.execute(
            "INSERT INTO sink_starts (sink, after_event, started_at) VALUES (?, ?, ?)", [new, after, started]
        )
    elif after < int(mine[0]):
        db.execute("UPDATE sink_starts SET after_event = ? WHERE sink = ?", [after, new])
    db.execute("DELETE FROM sink_starts WHERE sink = ?", [old])
