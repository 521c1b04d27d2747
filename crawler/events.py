"""The event catalog: every event type, declared once.

Each :class:`EventType` says what an event means and how it is shown: its default severity, the
digest section it is listed under and its label there, and its label in Datasette. The store emits
only declared types (``crawler.store.events.emit``); the digest, the Datasette metadata, the README's
events table and the report JSON Schema are checked against this catalog by
``tests/test_event_catalog.py``. Adding an event type is one entry here plus its emitter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "critical")


@dataclass(frozen=True)
class Section:
    """A section of the digest (console, Markdown, Atom order): its id and heading."""

    id: str
    heading: str


#: the digest's sections, in display order
SECTIONS: tuple[Section, ...] = (
    Section("tampered", "Tampered — defaced or injected pages"),
    Section("changed", "Changed — new versions of known releases"),
    Section("new", "New — releases seen for the first time"),
    Section("removed", "Removed — withdrawn releases"),
    Section("warnings", "Warnings"),
    Section("info", "Info"),
)
_SECTION_IDS = {s.id for s in SECTIONS}


@dataclass(frozen=True)
class EventType:
    name: str
    severity: Severity  # the default severity of the event
    section: str  # digest section id (SECTIONS)
    label: str  # how the digest names it
    zh: str  # how Datasette names it (Chinese, beside the type)
    meaning: str  # one line: what happened (README's events table)

    def __post_init__(self) -> None:
        if self.section not in _SECTION_IDS:
            raise ValueError(f"event type {self.name!r}: unknown digest section {self.section!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"event type {self.name!r}: unknown severity {self.severity!r}")


#: every event type, in digest order (the order within a section is the order here)
CATALOG: tuple[EventType, ...] = (
    EventType(
        "tampered",
        "critical",
        "tampered",
        "tampered",
        "篡改",
        "a page carries defacement evidence: injected spam, hidden links, a redirect, a junk preamble",
    ),
    EventType(
        "changed",
        "warning",
        "changed",
        "changed",
        "修改",
        "a known release's content changed: a new version, with a character-level diff",
    ),
    EventType("new", "info", "new", "new", "新发布", "a release seen for the first time"),
    EventType(
        "removed",
        "warning",
        "removed",
        "removed",
        "撤下",
        "every URL of a release answered gone on two runs in a row",
    ),
    EventType(
        "conflict",
        "warning",
        "warnings",
        "conflict: one 索引号, different content",
        "冲突",
        "one 索引号 with different content at two URLs",
    ),
    EventType(
        "fetch_failed",
        "warning",
        "warnings",
        "fetch failing",
        "抓取失败",
        "a release or column failed `fail_after` runs in a row",
    ),
    EventType(
        "layout_changed",
        "warning",
        "warnings",
        "list layout changed",
        "版式变化",
        "a normal-looking list page suddenly lists far fewer items",
    ),
    EventType(
        "stale_column",
        "warning",
        "warnings",
        "stale column",
        "栏目停更",
        "a column's newest item is older than its `stale_after`",
    ),
    EventType("restored", "info", "info", "restored", "恢复", "a removed release is back"),
    EventType(
        "fetch_recovered",
        "info",
        "info",
        "fetch recovered",
        "恢复抓取",
        "a release or column that was failing answers again",
    ),
)

EVENTS: dict[str, EventType] = {e.name: e for e in CATALOG}
EVENT_TYPES: tuple[str, ...] = tuple(EVENTS)
#: default severity of each event type
EVENT_SEVERITY: dict[str, Severity] = {e.name: e.severity for e in CATALOG}


class UnknownEventType(ValueError):
    """An event type that is not in the catalog."""


def event_type(name: str) -> EventType:
    """The catalog entry of ``name``; :class:`UnknownEventType` for a type nobody declared."""
    try:
        return EVENTS[name]
    except KeyError:
        raise UnknownEventType(
            f"unknown event type {name!r}: declare it in crawler/events.py (known: {', '.join(EVENTS)})"
        ) from None
