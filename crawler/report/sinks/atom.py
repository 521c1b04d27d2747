"""``atom {path, max_entries: 200}``: an Atom 1.0 feed (RFC 4287) of the newest events.

Each delivery merges the new events into the entries already in the file (read back from it, under a
lock beside the file), keeps the newest ``max_entries`` by event id and replaces the file atomically.
Entry ids are tag URIs built from the event id (``tag:govwatch,2026-11-28:event/311``), so a re-sent
event replaces its entry instead of duplicating it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crawler import clock
from crawler.model import Event
from crawler.net.urlpolicy import link_target
from crawler.options import FilePath, Positive, SinkOptions
from crawler.report.digest import Entry, describe
from crawler.report.fileio import locked, replace_atomically
from crawler.report.sinks.base import Sink, register

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)
_ID = re.compile(r"^tag:govwatch,[0-9-]+:event/(\d+)$")
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _q(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _clean(text: str) -> str:
    return _BAD_XML.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag), {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _clean(text)
    return el


def entry_id(event: Event) -> str:
    day = (event.created_at or clock.now_iso())[:10]
    return f"tag:govwatch,{day}:event/{event.id}"


def summary(e: Entry) -> str:
    lines = (
        []
        if e.is_column
        else [f"索引号: {e.index_no or '—'}", f"发布机构: {e.publisher or '—'}", f"日期: {e.date or '—'}"]
    )
    lines.append(f"site: {e.site}   column: {e.column or '—'}")
    lines += e.notes
    lines += [
        f"flag {f.get('rule')} ({f.get('severity')}): {str(f.get('evidence') or '')[:200]}" for f in e.flags
    ]
    if e.diff:
        lines.append(f"diff: {e.diff}")
    if e.url:
        lines.append(e.url)
    return "\n".join(lines)


def build_entry(event: Event) -> ET.Element:
    e = describe(event)
    updated = event.created_at or clock.now_iso()
    entry = ET.Element(_q("entry"))
    _sub(entry, "id", entry_id(event))
    _sub(entry, "title", f"[{e.type}] {e.title}", type="text")
    _sub(entry, "updated", updated)
    _sub(entry, "published", updated)
    _sub(entry, "category", term=e.type, label=e.label)
    _sub(entry, "category", term=f"severity:{e.severity}")
    text = summary(e)
    href = link_target(e.url)  # a data: or javascript: URL stays in the summary, as text
    if href:
        _sub(entry, "link", rel="alternate", type="text/html", href=href)
        _sub(entry, "summary", text, type="text")
    else:  # an entry without an alternate link must have content (RFC 4287, 4.1.2)
        _sub(entry, "summary", text, type="text")
        _sub(entry, "content", text, type="text")
    return entry


def _event_no(entry: ET.Element) -> int | None:
    m = _ID.match((entry.findtext(_q("id")) or "").strip())
    return int(m.group(1)) if m else None


def read_entries(path: Path) -> list[ET.Element]:
    """The govwatch entries of an existing feed file (none when it is missing or unreadable)."""
    try:
        root = ET.parse(path).getroot()
    except (FileNotFoundError, ET.ParseError):
        return []
    return [e for e in root.findall(_q("entry")) if _event_no(e) is not None]


def build_feed(entries: list[ET.Element], name: str) -> bytes:
    feed = ET.Element(_q("feed"))
    _sub(feed, "id", f"tag:govwatch,2026:feed/{name}")
    _sub(feed, "title", "govwatch — government disclosure pages: changes, removals, defacements", type="text")
    newest = max((e.findtext(_q("updated")) or "" for e in entries), default="") or clock.now_iso()
    _sub(feed, "updated", newest)
    author = _sub(feed, "author")
    _sub(author, "name", "govwatch")
    _sub(feed, "generator", "govwatch")
    feed.extend(entries)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


class AtomOptions(SinkOptions):
    path: FilePath  # the feed file, rewritten on each delivery
    max_entries: Positive = 200  # the newest this many events are kept

    def default_name(self) -> str:
        return f"atom:{self.relative(self.path)}"

    def legacy_names(self) -> tuple[str, ...]:
        return (f"atom:{self.path}",)


@register("atom")
class AtomSink(Sink):
    options_model = AtomOptions

    def __init__(self, options: SinkOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        assert isinstance(self.options, AtomOptions)
        self.path = self.options.path
        self.max_entries = self.options.max_entries

    def write(self, events: list[Event]) -> None:
        with locked(self.path, self.lock_dir):
            by_no: dict[int, ET.Element] = {}
            for entry in read_entries(self.path):
                by_no[_event_no(entry) or 0] = entry
            for event in events:
                by_no[int(event.id or 0)] = build_entry(event)
            newest = [by_no[n] for n in sorted(by_no, reverse=True)[: self.max_entries]]
            replace_atomically(self.path, build_feed(newest, self.path.name))
