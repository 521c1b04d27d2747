"""Messages for chat and e-mail (the ``apprise`` sink): short, skimmable, within a platform's size.

A digest (``digest``) is one message per delivery: its title counts the events by type, tampered
first; its body lists each event in two lines — the title with its 索引号, publisher and date, then
what happened in one sentence with the links (the government page, and the archived history or diff
when ``public_url`` is set). When the whole would pass ``limit`` bytes (title and body together, UTF-8,
as a platform that prepends the title to the body counts them), it is split between events into
parts that each fit, numbered ``(2/5)`` (room for the numbering is kept in every part); every event
is in exactly one part. ``single`` makes the
message of one event. Everything from the web is written as text: Markdown punctuation escaped,
link targets http(s) only (``crawler.report.markdown``), control characters removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from crawler.events import EVENTS
from crawler.model import Event
from crawler.report.digest import Entry, counts, describe, sort_key
from crawler.report.links import Links, links
from crawler.report.markdown import _code, _url, escape
from crawler.safetext import one_line

Format = Literal["markdown", "text"]
SEVERITY_ORDER = {"info": 0, "warning": 1, "critical": 2}
TITLE_CHARS = 80
SENTENCE_CHARS = 140
SEPARATOR = 2  # "\r\n" between a title and a body a platform joins them with


@dataclass(frozen=True)
class Message:
    """One message: title, body, the ids of the events it carries, the most severe one's severity."""

    title: str
    body: str
    events: tuple[int, ...]
    level: str

    @property
    def size(self) -> int:
        return size(self.title, self.body)


def size(title: str, body: str) -> int:
    """Bytes a message takes where the title is sent with the body."""
    return len(title.encode("utf-8")) + SEPARATOR + len(body.encode("utf-8"))


def _cut(text: str, chars: int) -> str:
    text = one_line(text)
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: max(0, limit - 3)].decode("utf-8", "ignore") + "…"


def level(events: Iterable[Event]) -> str:
    return max((e.severity for e in events), key=lambda s: SEVERITY_ORDER.get(s, 0), default="info")


def sentence(entry: Entry) -> str:
    """What happened, in one sentence: the flags of a defacement, what changed (and a glimpse of the
    change), or the event's notes, else the catalog's meaning of its type."""
    bits: list[str] = []
    if entry.flags:
        critical = [f for f in entry.flags if f.get("severity") == "critical"] or entry.flags
        first = critical[0]
        evidence = one_line(str(first.get("evidence") or ""))[:60]
        bits.append(f"{first.get('rule')}: {evidence}" if evidence else str(first.get("rule")))
        if len(critical) > 1:
            bits.append(f"+{len(critical) - 1} more flag(s)")
    bits += entry.notes
    if entry.diff:
        bits.append(f"diff: {entry.diff}")
    if not bits:
        kind = EVENTS.get(entry.type)
        bits.append(kind.meaning.replace("`", "") if kind else entry.type)
    return _cut("; ".join(bits), SENTENCE_CHARS)


def _label(entry: Entry) -> str:
    kind = EVENTS.get(entry.type)
    return f"{kind.zh} {entry.type}" if kind else entry.type


def block(event: Event, fmt: Format, public_url: str | None, *, with_links: bool = True) -> str:
    """The two lines of one event."""
    e = describe(event)
    where = links(event, public_url) if with_links else Links(None, None)
    title = _cut(e.title, TITLE_CHARS)
    index_no = None if e.is_column or not e.index_no else _cut(e.index_no, 40)
    others = [] if e.is_column else [_cut(f, 40) for f in (e.publisher, e.date) if f]
    about = sentence(e)
    place = e.site + (f" · {_cut(e.column, 20)}" if e.column else "")
    if fmt == "markdown":
        head = f"[{escape(title)}](<{_url(where.page)}>)" if where.page else escape(title)
        facts = ([_code(index_no)] if index_no else []) + [escape(f) for f in others]
        line1 = " · ".join([f"**{escape(_label(e))}** {head}", *facts])
        tail = [escape(place), escape(about)]
        if where.archive:
            tail.append(f"[{escape(where.archive_label)}](<{_url(where.archive)}>)")
        return f"{line1}\n> {' · '.join(tail)}"
    facts = ([index_no] if index_no else []) + others
    line1 = " | ".join([f"[{_label(e)}] {title}", *facts])
    tail = [place, about]
    if where.page:
        tail.append(f"原文 {where.page}")
    if where.archive:
        tail.append(f"{where.archive_label} {where.archive}")
    return f"{line1}\n    {' · '.join(one_line(t) for t in tail)}"


def _fitting_block(event: Event, fmt: Format, public_url: str | None, room: int) -> str:
    """The event's block, made to fit ``room`` bytes: without its links if need be, else cut."""
    text = block(event, fmt, public_url)
    if len(text.encode("utf-8")) <= room:
        return text
    text = block(event, fmt, public_url, with_links=False)
    return _cut_bytes(text, room)


def _title(summary: str, part: int, parts: int) -> str:
    return f"govwatch: {summary}" + (f" ({part}/{parts})" if parts > 1 else "")


def _heading(total: int, summary: str, part: int, parts: int, fmt: Format) -> str:
    text = f"{total} event(s): {summary}" + (f" — part {part}/{parts}" if parts > 1 else "")
    return f"**{escape(text)}**" if fmt == "markdown" else text


def digest(events: list[Event], fmt: Format, limit: int, public_url: str | None = None) -> list[Message]:
    """The digest of ``events`` as messages of at most ``limit`` bytes each, in order."""
    if not events:
        return []
    ordered = sorted(events, key=sort_key)
    summary = _cut(counts(ordered), 200)
    most = len(ordered)  # never more parts than events: room for the widest numbering
    fixed = size(_title(summary, most, most), _heading(len(ordered), summary, most, most, fmt) + "\n\n")
    room = limit - fixed
    if room < 64:
        raise ValueError(f"max_message_bytes {limit} leaves no room for events (at least {fixed + 64})")
    groups: list[list[tuple[Event, str]]] = [[]]
    used = 0
    for event in ordered:
        text = _fitting_block(event, fmt, public_url, room)
        need = len(text.encode("utf-8")) + (2 if groups[-1] else 0)
        if groups[-1] and used + need > room:
            groups.append([])
            need = len(text.encode("utf-8"))
            used = 0
        groups[-1].append((event, text))
        used += need
    out = []
    for i, group in enumerate(groups, 1):
        title = _title(summary, i, len(groups))
        body = (
            _heading(len(ordered), summary, i, len(groups), fmt) + "\n\n" + "\n\n".join(t for _, t in group)
        )
        ids = tuple(int(e.id or 0) for e, _ in group)
        out.append(Message(title, body, ids, level(e for e, _ in group)))
    return out


def single(event: Event, fmt: Format, limit: int, public_url: str | None = None) -> Message:
    """The message of one event: its label and title as the title, its two lines as the body."""
    e = describe(event)
    title = _cut(f"govwatch: [{_label(e)}] {e.title}", TITLE_CHARS + 30)
    room = limit - size(title, "")
    if room < 64:
        raise ValueError(f"max_message_bytes {limit} leaves no room for the event")
    body = _fitting_block(event, fmt, public_url, room)
    return Message(title, body, (int(event.id or 0),), event.severity)
