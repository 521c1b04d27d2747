"""The Markdown digest (the markdown sink, ``govwatch report --format markdown``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.model import Event
from crawler.report.digest import counts, describe, grouped
from crawler.report.text import MIXED

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def escape(text: str) -> str:
    """Escape the characters that would turn page text into Markdown markup."""
    return _SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _code(text: str) -> str:
    text = text.replace("\n", " ")
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}" if ticks == "`" else f"{ticks} {text} {ticks}"


def render_markdown(events: Iterable[Event], *, title: str = "govwatch digest") -> str:
    events = list(events)
    lines = [f"# {escape(title)}", ""]
    if not events:
        return "\n".join([*lines, "No events.", ""])
    lines += [f"{len(events)} event(s): {counts(events)}", ""]
    for sid, heading, items in grouped(events):
        lines += [f"## {heading} ({len(items)})", ""]
        for event in items:
            e = describe(event)
            name = escape(e.title)
            head = f"[{name}](<{e.url}>)" if e.url else name
            label = f"{escape(e.label)}: " if sid in MIXED else ""
            lines.append(f"### {label}{head}" + (" *(baseline)*" if e.baseline else ""))
            lines.append("")
            if not e.is_column:
                lines.append(f"- 索引号: {_code(e.index_no) if e.index_no else '—'}")
                lines.append(f"- 发布机构: {escape(e.publisher) if e.publisher else '—'}")
                lines.append(f"- 日期: {escape(e.date) if e.date else '—'}")
            lines.append(f"- site: {escape(e.site)} · column: {escape(e.column) if e.column else '—'}")
            if e.url:
                lines.append(f"- URL: <{e.url}>")
            for note in e.notes:
                lines.append(f"- {escape(note)}")
            for flag in e.flags:
                evidence = str(flag.get("evidence") or "")[:200]
                lines.append(
                    f"- **{escape(str(flag.get('rule')))}** ({escape(str(flag.get('severity')))}): {_code(evidence)}"
                )
            if e.diff:
                fence = "~~~~" if "```" in e.diff else "```"
                lines += ["", f"{fence}text", e.diff, fence]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
