"""How a stored value is shown: local times, percentages, 是/否, event types in Chinese, links that are
only ever http(s), flags and details as sentences — always escaped, never trusted.

``cell(...)`` is what the plugin's ``render_cell`` returns for govwatch's tables and canned queries;
the other functions are Jinja filters and globals of govwatch's templates (``plugin``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape

from crawler.browse import labels
from crawler.net.urlpolicy import link_target

RELEASE_PATH = "/-/govwatch/release"
DIFF_PATH = "/-/govwatch/diff"
DEFAULT_ZONE = "Asia/Shanghai"
_DIFF_LABEL = re.compile(r"^v\d+ → v\d+$")
_SHORT_DIFF = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.DOTALL)
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local_time(value: Any, tz: ZoneInfo | str | None = None, *, seconds: bool = False) -> str:
    """``2022-09-15T01:00:00+00:00`` → ``2022-09-15 09:00`` in ``tz``; a naive time is shown as it is
    written, a date or anything else unchanged."""
    if not isinstance(value, str) or not _TIME.match(value):
        return "" if value is None else str(value)
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if dt.tzinfo is not None:
        dt = dt.astimezone(tz if isinstance(tz, ZoneInfo) else zone(tz))
    return dt.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def percent(value: Any, *, fraction: bool = False) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = float(value) * (100 if fraction else 1)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:.1f}".removesuffix(".0")
    return f"{text}%"


def yes_no(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return "是" if value not in (0, "0", False, "no", "false") else "否"


def release_href(key: str) -> str:
    return f"{RELEASE_PATH}?{urlencode({'key': key})}"


def diff_href(key: str, from_v: int, to_v: int) -> str:
    return f"{DIFF_PATH}?{urlencode({'key': key, 'from': from_v, 'to': to_v})}"


def external_link(url: Any, text: Any = None, *, cls: str = "gw-url") -> Markup:
    """An http(s) URL as a link that leaves the archive; anything else as plain text."""
    shown = escape(text if text not in (None, "") else (url or ""))
    href = link_target(url) if isinstance(url, str) else None
    if not href:
        return Markup(f'<span class="{cls} gw-not-a-link">{shown}</span>')
    return Markup(f'<a class="{cls}" href="{escape(href)}" rel="nofollow noopener noreferrer">{shown}</a>')


def release_link(key: str, text: Any = None, *, cls: str = "gw-release-link") -> Markup:
    shown = escape(text if text not in (None, "") else key)
    return Markup(f'<a class="{cls}" href="{escape(release_href(key))}">{shown}</a>')


def is_release_key(key: Any) -> bool:
    return isinstance(key, str) and bool(key) and not key.startswith("column:")


def short_diff(text: str) -> Markup:
    """A stored ``…[-deleted-]{+inserted+}…`` summary with the marks as ``<del>``/``<ins>``."""
    out: list[str] = []
    pos = 0
    for m in _SHORT_DIFF.finditer(text):
        out.append(str(escape(text[pos : m.start()])))
        if m.group(1) is not None:
            out.append(f"<del>{escape(m.group(1))}</del>")
        else:
            out.append(f"<ins>{escape(m.group(2))}</ins>")
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _loads(value: Any, default: Any) -> Any:
    if not isinstance(value, str):
        return default
    try:
        return json.loads(value)
    except ValueError:
        return default


def flag_list(flags: Any) -> list[dict[str, Any]]:
    items = _loads(flags, []) if isinstance(flags, str) else flags
    return [f for f in items or [] if isinstance(f, dict)]


def flags_markup(flags: Any) -> Markup:
    items = flag_list(flags)
    if not items:
        return Markup('<span class="gw-muted">无</span>')
    parts = []
    for f in items:
        severity = str(f.get("severity") or "")
        sev = labels.SEVERITIES.get(severity, severity)
        parts.append(
            f'<li class="gw-flag gw-sev-{escape(severity)}"><b>{escape(labels.rule_label(f.get("rule")))}</b>'
            f" <span>{escape(sev)}</span>"
            f'<span class="gw-evidence">{escape(f.get("evidence") or "")}</span></li>'
        )
    return Markup(f'<ul class="gw-flags">{"".join(parts)}</ul>')


def details_markup(details: Any) -> Markup:
    data = _loads(details, None)
    if not isinstance(data, dict) or not data:
        return Markup('<span class="gw-muted">—</span>') if details in ("{}", None, "") else escape(details)
    parts = []
    for k, v in data.items():
        if k == "diff" and isinstance(v, str):
            shown = short_diff(v)
        else:
            shown = escape(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        parts.append(f"<li><b>{escape(k)}</b>: {shown}</li>")
    return Markup(f'<ul class="gw-details">{"".join(parts)}</ul>')


def event_type(value: str) -> Markup:
    zh = labels.EVENT_TYPES.get(value)
    if not zh:
        return escape(value)
    return Markup(
        f'<span class="gw-badge gw-type-{escape(value)}">{escape(zh)}</span>'
        f' <span class="gw-en">{escape(value)}</span>'
    )


def _get(row: Any, name: str) -> Any:
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return None


def cell(row: Any, value: Any, column: str, table: str | None, tz: ZoneInfo) -> Markup | None:
    """The HTML of one cell of a govwatch table or canned query, or None for Datasette's own."""
    if value is None or value == "":
        return None
    key = _get(row, "key")
    if column in labels.BOOLEAN_COLUMNS and value in (0, 1, "0", "1"):
        return Markup(f'<span class="gw-bool">{yes_no(value)}</span>')
    if column in labels.PERCENT_COLUMNS:
        return Markup(escape(percent(value)))
    if column in labels.FRACTION_COLUMNS:
        return Markup(escape(percent(value, fraction=True)))
    if not isinstance(value, str):
        return None
    if column in labels.TIME_COLUMNS or column == "published_at":
        shown = local_time(value, tz)
        return Markup(f'<time datetime="{escape(value)}">{escape(shown)}</time>')
    if column in ("type", "event_type") and value in labels.EVENT_TYPES:
        return event_type(value)
    if column == "event_types":
        return Markup("、".join(str(event_type(t)) for t in value.split(",") if t))
    if column == "rule" and value in labels.RULES:
        return Markup(
            f'<span class="gw-rule">{escape(labels.RULES[value])} <span class="gw-en">{escape(value)}</span></span>'
        )
    label = labels.value_label(column, value)
    if label:
        return Markup(f'<span class="gw-code gw-{escape(column)}-{escape(value)}">{escape(label)}</span>')
    if column == "key":
        if is_release_key(value):
            return release_link(value)
        return Markup(f'<span class="gw-column-key">{escape(value)}</span>')
    if column == "title" and is_release_key(key):
        return release_link(key, value)
    if column in labels.URL_COLUMNS:
        return external_link(value)
    if column == "diff" and table is None and _DIFF_LABEL.match(value):
        version = _get(row, "version")
        if is_release_key(key) and isinstance(version, int) and version > 1:
            return Markup(
                f'<a class="govwatch-diff-link" href="{escape(diff_href(key, version - 1, version))}">'
                f"{escape(value)}</a>"
            )
        return None
    if column in ("diff_summary", "change"):
        before, version = _get(row, "version_before"), _get(row, "version")
        link = ""
        if is_release_key(key) and isinstance(before, int) and isinstance(version, int):
            link = (
                f' <a class="govwatch-diff-link" href="{escape(diff_href(key, before, version))}">'
                f"查看差异 v{before} → v{version}</a>"
            )
        return Markup(f'<span class="gw-short-diff">{short_diff(value)}</span>{link}')
    if column == "evidence":
        return Markup(f'<span class="gw-evidence">{escape(value)}</span>')
    if column == "flags" or column == "critical_flags" and value.startswith("["):
        return flags_markup(value)
    if column == "details":
        return details_markup(value)
    if column == "content_hash":
        return Markup(f'<code title="{escape(value)}">{escape(value[:12])}…</code>')
    if column == "body":
        short = value if len(value) <= 160 else value[:160] + "…"
        return Markup(f'<span class="gw-body">{escape(short)}</span>')
    if column == "fields":
        return Markup(
            f'<details class="gw-json"><summary>字段 JSON</summary><pre>{escape(value)}</pre></details>'
        )
    return None
