"""The one way an event comes to be: :func:`emit` builds it from the catalog and inserts its row.

Every emitter (a fetch recorded, a column's health, a stale column) calls it inside the transaction
that proved the fact, so an event exists exactly when its cause was stored.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from crawler.events import event_type
from crawler.model import Event
from crawler.store.codec import event_row, insert


def emit(db: Database, type_: str, *, site: str, key: str, created_at: str, **fields: Any) -> Event:
    """Store one event of a catalogued type (default severity from the catalog) and return it with
    its id; ``UnknownEventType`` for a type the catalog does not declare."""
    kind = event_type(type_)
    event = Event(type=kind.name, severity=kind.severity, site=site, key=key, created_at=created_at, **fields)
    event.id = insert(db, "events", event_row(event))
    return event
