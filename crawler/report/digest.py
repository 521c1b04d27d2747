"""How a digest is ordered and what each line of it says, shared by every renderer.

Sections and their order come from the event catalog (``crawler.events``): tampered, changed, new,
removed, warnings, info. ``describe`` turns an event into the fields every renderer shows: title,
索引号, publisher, date, URL, flags, diff and a short note.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crawler.events import CATALOG
from crawler.events import SECTIONS as CATALOG_SECTIONS
from crawler.model import Event

log = logging.getLogger("govwatch.report")

#: (section id, heading, event types in display order), from the event catalog
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (section.id, section.heading, tuple(e.name for e in CATALOG if e.section == section.id))
    for section in CATALOG_SECTIONS
)
ORDER: tuple[str, ...] = tuple(t for _, _, types in SECTIONS for t in types)
_RANK = {t: i for i, t in enumerate(ORDER)}

TYPE_LABELS = {e.name: e.label for e in CATALOG}


def sort_key(event: Event) -> tuple[int, int]:
    return (_RANK.get(event.type, len(ORDER)), event.id or 0)


def grouped(events: Iterable[Event]) -> list[tuple[str, str, list[Event]]]:
    """``[(section id, heading, events)]`` for the non-empty sections, events ordered by type then id."""
    out = []
    items = sorted(events, key=sort_key)
    for sid, heading, types in SECTIONS:
        chosen = [e for e in items if e.type in types]
        if chosen:
            out.append((sid, heading, chosen))
    unknown = [e for e in items if e.type not in _RANK]
    if unknown:  # written by another govwatch version: shown, and said to be unknown
        names = sorted({e.type for e in unknown})
        log.warning("event types not in the catalog (crawler/events.py): %s", ", ".join(names))
        out.append(("other", f"Other — unknown event types: {', '.join(names)}", unknown))
    return out


def counts(events: Iterable[Event]) -> str:
    """``"1 tampered, 2 changed"`` in digest order."""
    tally: dict[str, int] = {}
    for e in events:
        tally[e.type] = tally.get(e.type, 0) + 1
    return ", ".join(f"{tally[t]} {t}" for t in sorted(tally, key=lambda t: _RANK.get(t, len(ORDER))))


@dataclass
class Entry:
    """What a digest shows of one event."""

    type: str
    label: str
    severity: str
    title: str
    index_no: str | None
    publisher: str | None
    date: str | None
    url: str | None
    site: str
    column: str | None
    flags: list[dict[str, Any]] = field(default_factory=list)
    diff: str | None = None
    notes: list[str] = field(default_factory=list)
    baseline: bool = False
    is_column: bool = False  # a column event: no 索引号, publisher or date to show
    id: int | None = None
    created_at: str | None = None


def _notes(event: Event) -> list[str]:
    d = event.details or {}
    notes = []
    if event.type == "changed":
        if event.version_before is not None and event.version is not None:
            notes.append(f"version {event.version_before} → {event.version}")
        if d.get("reverted_to"):
            notes.append(f"back to the content of version {d['reverted_to']}")
        if d.get("fields"):
            notes.append("changed: " + ", ".join(map(str, d["fields"])))
    elif event.type == "conflict":
        if d.get("other_url"):
            notes.append(f"other copy: {d['other_url']}")
    elif event.type == "fetch_failed":
        bits = [
            f"{k} {d[k]}" for k in ("streak", "error_kind", "status", "error") if d.get(k) not in (None, "")
        ]
        if bits:
            notes.append("; ".join(bits))
    elif event.type in ("layout_changed", "stale_column"):
        bits = [
            f"{k}: {v}"
            for k, v in d.items()
            if k not in ("publisher", "date", "diff") and v not in (None, "")
        ]
        if bits:
            notes.append("; ".join(bits)[:300])
    return notes


def describe(event: Event) -> Entry:
    d = event.details or {}
    title = event.title or (f"column {event.column}" if event.column else event.key)
    return Entry(
        type=event.type,
        label=TYPE_LABELS.get(event.type, event.type),
        severity=event.severity,
        title=title,
        index_no=event.index_no,
        publisher=d.get("publisher"),
        date=d.get("date"),
        url=event.url,
        site=event.site,
        column=event.column,
        flags=list(event.flags or []),
        diff=d.get("diff") or None,
        notes=_notes(event),
        baseline=event.baseline,
        is_column=event.key.startswith("column:"),
        id=event.id,
        created_at=event.created_at,
    )
