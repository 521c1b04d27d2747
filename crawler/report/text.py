"""The plain-text digest (the console sink and ``govwatch report``): tampered first, then changed, new,
removed, warnings and info."""

from __future__ import annotations

from collections.abc import Iterable

from crawler.model import Event
from crawler.report.digest import counts, describe, grouped

DIFF_CHARS = 400
MIXED = ("warnings", "info", "other")  # sections holding several event types name each one


def render_text(events: Iterable[Event]) -> str:
    events = list(events)
    if not events:
        return ""
    lines = [f"govwatch: {len(events)} event(s): {counts(events)}", ""]
    for sid, heading, items in grouped(events):
        lines.append(f"== {heading} ({len(items)})")
        for event in items:
            e = describe(event)
            tag = f"{e.label}: " if sid in MIXED else ""
            lines.append(f"[{e.severity}] {tag}{e.title}" + ("  (baseline)" if e.baseline else ""))
            if not e.is_column:
                lines.append(
                    f"    索引号: {e.index_no or '—'}   发布机构: {e.publisher or '—'}   日期: {e.date or '—'}"
                )
            lines.append(f"    site: {e.site}   column: {e.column or '—'}")
            if e.url:
                lines.append(f"    {e.url}")
            for note in e.notes:
                lines.append(f"    {note}")
            for flag in e.flags:
                evidence = str(flag.get("evidence") or "")[:160]
                lines.append(f"    ! {flag.get('rule')} ({flag.get('severity')}): {evidence}")
            if e.diff:
                diff = e.diff if len(e.diff) <= DIFF_CHARS else e.diff[: DIFF_CHARS - 1] + "…"
                lines.append(f"    diff: {diff}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
