"""The Markdown digest (the markdown sink, ``govwatch report --format markdown``).

Everything interpolated comes from the web and is written so that a CommonMark renderer shows it as
text: punctuation that could open markup is backslash-escaped, code spans and fences use a longer
run of backticks than any in their content, link targets are http(s) URLs only (``data:`` and
``javascript:`` URLs appear as code, never as a link) with the characters that could end them
percent-encoded, and control characters are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.model import Event
from crawler.net.urlpolicy import link_target
from crawler.report.digest import counts, describe, grouped
from crawler.report.text import MIXED
from crawler.safetext import one_line, terminal

#: what could open inline markup (text is never written at the start of a line, where list markers,
#: headings and thematic breaks would matter)
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!&~])")
#: characters that would end or break a link destination, percent-encoded
_URL_UNSAFE = re.compile(r"[\x00-\x20<>\"'\\`{}|^()\[\]\x7f]")
_TICKS = re.compile(r"`+")


def escape(text: str) -> str:
    """Escape the characters that would turn page text into Markdown markup (one line)."""
    return _SPECIAL.sub(r"\\\1", one_line(text))


def _longest(run: re.Pattern[str], text: str) -> int:
    return max((len(m.group(0)) for m in run.finditer(text)), default=0)


def _code(text: str) -> str:
    """A code span that ``text`` cannot close: more backticks than its longest run, padded."""
    text = one_line(text)
    ticks = "`" * (_longest(_TICKS, text) + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")):
        text = f" {text} "  # CommonMark strips one space from each side
    return f"{ticks}{text}{ticks}"


def _url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), url)


def _link(text: str, url: str | None) -> str:
    """``[text](url)`` for an http(s) URL, else the escaped text alone."""
    target = link_target(url)
    return f"[{text}](<{_url(target)}>)" if target else text


def _url_line(url: str) -> str:
    target = link_target(url)
    return f"<{_url(target)}>" if target else f"{_code(url)} (not a web link)"


def _fenced(text: str, info: str = "text") -> list[str]:
    """A fenced code block ``text`` cannot close: a backtick fence longer than any run inside it."""
    body = terminal(text)
    fence = "`" * max(3, _longest(_TICKS, body) + 1)
    return [f"{fence}{info}", body, fence]


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
            head = _link(name, e.url)
            label = f"{escape(e.label)}: " if sid in MIXED else ""
            lines.append(f"### {label}{head}" + (" *(baseline)*" if e.baseline else ""))
            lines.append("")
            if not e.is_column:
                lines.append(f"- 索引号: {_code(e.index_no) if e.index_no else '—'}")
                lines.append(f"- 发布机构: {escape(e.publisher) if e.publisher else '—'}")
                lines.append(f"- 日期: {escape(e.date) if e.date else '—'}")
            lines.append(f"- site: {escape(e.site)} · column: {escape(e.column) if e.column else '—'}")
            if e.url:
                lines.append(f"- URL: {_url_line(e.url)}")
            for note in e.notes:
                lines.append(f"- {escape(note)}")
            for flag in e.flags:
                evidence = str(flag.get("evidence") or "")[:200]
                lines.append(
                    f"- **{escape(str(flag.get('rule')))}** ({escape(str(flag.get('severity')))}): {_code(evidence)}"
                )
            if e.diff:
                lines += ["", *_fenced(e.diff)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
