"""Messages a sink sends in parts: a digest split to fit a chat platform's size limit, delivered part
by part, in order, each exactly once after success.

``queue`` turns a sink's pending events into part rows in one transaction: each event's ``deliveries``
row becomes ``queued`` and names its part, so no other delivery plans it again. ``open_parts`` lists
what is still to send, oldest first; ``claim`` is a conditional update (one process per part; a
claim whose process is gone, or older than ``STALE_CLAIM``, may be taken over); ``progress`` records
the destinations that accepted a part (a sink with several destinations resends only to the others);
``done`` settles the part and all its events in one transaction; ``failed`` leaves it to be retried
alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlite_utils import Database

from crawler.store.outbox import STALE_CLAIM, _stale, owner, owner_alive


@dataclass
class Part:
    """One message of a sink: ``part`` of ``parts`` of digest ``digest``."""

    title: str
    body: str
    events: list[int]
    level: str = "info"  # the most severe event's severity
    part: int = 1
    parts: int = 1
    id: int | None = None
    digest: int | None = None
    sink: str = ""
    sent_to: list[str] = field(default_factory=list)
    state: str = "pending"
    attempts: int = 0
    last_error: str | None = None


def queue(db: Database, sink: str, digests: Sequence[Sequence[Part]], ts: str) -> list[Part]:
    """Store each digest's parts (in order) and mark their events queued; returns them with ids."""
    out = []
    for parts in digests:
        digest: int | None = None
        for i, part in enumerate(parts, 1):
            cursor = db.execute(
                "INSERT INTO delivery_parts (sink, digest, part, parts, title, body, level, events, "
                "state, created_at, updated_at) VALUES (?, 0, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                [sink, i, len(parts), part.title, part.body, part.level, json.dumps(part.events), ts, ts],
            )
            part_id = int(cursor.lastrowid or 0)
            digest = digest or part_id
            db.execute("UPDATE delivery_parts SET digest = ? WHERE id = ?", [digest, part_id])
            db.conn.executemany(
                "INSERT INTO deliveries (event_id, sink, state, attempts, updated_at, part_id) "
                "VALUES (?, ?, 'queued', 0, ?, ?) ON CONFLICT (event_id, sink) DO UPDATE SET "
                "state = 'queued', part_id = excluded.part_id, updated_at = excluded.updated_at, "
                "claimed_by = NULL",
                [(event_id, sink, ts, part_id) for event_id in part.events],
            )
            out.append(
                Part(
                    part.title, part.body, list(part.events), part.level, i, len(parts), part_id, digest, sink
                )
            )
    return out


def _part(row: dict) -> Part:
    return Part(
        title=row["title"],
        body=row["body"],
        events=[int(x) for x in json.loads(row["events"])],
        level=row["level"],
        part=row["part"],
        parts=row["parts"],
        id=row["id"],
        digest=row["digest"],
        sink=row["sink"],
        sent_to=list(json.loads(row["sent_to"] or "[]")),
        state=row["state"],
        attempts=row["attempts"],
        last_error=row["last_error"],
    )


def open_parts(db: Database, sink: str) -> list[Part]:
    """The parts of ``sink`` not yet delivered, in the order they are to be sent."""
    rows = db.query(
        "SELECT * FROM delivery_parts WHERE sink = ? AND state != 'delivered' ORDER BY id", [sink]
    )
    return [_part(r) for r in rows]


def parts_of(db: Database, sink: str) -> list[Part]:
    """Every part of ``sink``, delivered or not, oldest first."""
    return [_part(r) for r in db.query("SELECT * FROM delivery_parts WHERE sink = ? ORDER BY id", [sink])]


def claim(db: Database, part_id: int, ts: str, *, stale_after: int = STALE_CLAIM) -> bool:
    row = db.execute("SELECT state, claimed_by FROM delivery_parts WHERE id = ?", [part_id]).fetchone()
    if row is None:
        return False
    dead = row[1] if row[0] == "claimed" and not owner_alive(row[1]) else None
    cursor = db.execute(
        "UPDATE delivery_parts SET state = 'claimed', attempts = attempts + 1, updated_at = ?, "
        "claimed_by = ? WHERE id = ? AND (state IN ('pending', 'failed') "
        "OR (state = 'claimed' AND (updated_at < ? OR claimed_by IS ?)))",
        [ts, owner(), part_id, _stale(stale_after), dead],
    )
    return cursor.rowcount == 1


def progress(db: Database, part_id: int, sent_to: Sequence[str], ts: str) -> None:
    db.execute(
        "UPDATE delivery_parts SET sent_to = ?, updated_at = ? WHERE id = ?",
        [json.dumps(sorted(set(sent_to))), ts, part_id],
    )


def done(db: Database, part_id: int, ts: str) -> None:
    db.execute(
        "UPDATE delivery_parts SET state = 'delivered', last_error = NULL, claimed_by = NULL, "
        "updated_at = ? WHERE id = ?",
        [ts, part_id],
    )
    db.execute(
        "UPDATE deliveries SET state = 'delivered', last_error = NULL, updated_at = ? "
        "WHERE part_id = ? AND state = 'queued'",
        [ts, part_id],
    )


def failed(db: Database, part_id: int, error: str, ts: str) -> None:
    db.execute(
        "UPDATE delivery_parts SET state = 'failed', last_error = ?, claimed_by = NULL, updated_at = ? "
        "WHERE id = ?",
        [error, ts, part_id],
    )
