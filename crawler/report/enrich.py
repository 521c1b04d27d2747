"""Fill in what a digest shows but an event row does not carry: the release's publisher and date (from
the ``releases`` row) and, for a ``changed`` event stored without one, its character-level diff.

Enriched values go into a copy of ``event.details`` (``publisher``, ``date``, ``diff``); values already
there win. Nothing is written back to the store.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from crawler.model import Event
from crawler.store import Store


def _release_row(store: Store, key: str, cache: dict[str, dict[str, Any] | None]) -> dict[str, Any] | None:
    if key not in cache:
        try:
            cache[key] = dict(store.release(key))
        except Exception:  # a key the store does not hold (UnknownRelease), or it cannot answer now
            cache[key] = None
    return cache[key]


def _diff(store: Store, event: Event) -> str | None:
    if event.version is None or event.version_before is None:
        return None
    try:
        from crawler.store.diffing import short_diff

        ops = store.diff(event.key, event.version_before, event.version)["ops"]
        return short_diff([(int(op), str(text)) for op, text in ops])
    except Exception:
        return None


def enrich(store: Store | None, events: list[Event]) -> list[Event]:
    cache: dict[str, dict[str, Any] | None] = {}
    out = []
    for event in events:
        details = dict(event.details or {})
        if store is not None and not event.key.startswith("column:"):
            if not details.get("publisher") or not details.get("date"):
                row = _release_row(store, event.key, cache) or {}
                if not details.get("publisher") and row.get("publisher"):
                    details["publisher"] = row["publisher"]
                date = row.get("written_date") or (row.get("published_at") or "")[:10]
                if not details.get("date") and date:
                    details["date"] = date
            if event.type == "changed" and not details.get("diff"):
                diff = _diff(store, event)
                if diff:
                    details["diff"] = diff
        out.append(replace(event, details=details))
    return out
