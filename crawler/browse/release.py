"""``/-/govwatch/release?key=索引号`` — one release as a journalist wants it: title, 索引号, publisher,
dates, the current text, a timeline of every version (what changed in each: characters inserted and
deleted, fields, flags) and of what happened to it (removed, restored, failing), links to each diff
and to the government page, and the evidence of every tamper flag.

Read through Datasette's read-only connections; the per-version diffs are computed in a worker thread
(``asyncio.to_thread``) so a long release does not hold the server.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from crawler.browse import labels
from crawler.browse.downloads import ATTACHMENT_PATH
from crawler.browse.present import diff_href, flag_list
from crawler.net.urlpolicy import link_target
from crawler.store.codec import unpack_fields
from crawler.store.diffing import FIELD_LABELS, changed_fields, char_diff, version_text

#: events shown in the timeline on their own (the others are told with the version they belong to)
STATUS_EVENTS = ("removed", "restored", "fetch_failed", "fetch_recovered", "conflict")
#: at most this many version-to-version diffs are counted on the page (the diff page shows any pair)
MAX_PAIRS = 60

_LABELS = {**dict(FIELD_LABELS), "paragraphs": "正文", "attachments": "附件"}


def _when(value: Any) -> datetime:
    """A stored time for ordering (times written with different offsets compare as instants)."""
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone(timedelta(hours=8)))


def _loads(value: Any, default: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else default
    except ValueError:
        return default


def _counts(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    ops = char_diff(version_text(before), version_text(after))
    return {
        "inserted": sum(len(t) for op, t in ops if op == 1),
        "deleted": sum(len(t) for op, t in ops if op == -1),
        "fields": [_LABELS.get(f, f) for f in changed_fields(before, after)],
    }


def version_changes(fields: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """For each version (oldest first), what changed since the one before (None for the first)."""
    out: list[dict[str, Any] | None] = [None]
    for i in range(1, len(fields)):
        out.append(_counts(fields[i - 1], fields[i]) if len(fields) - i <= MAX_PAIRS else None)
    return out


class UnknownRelease(LookupError):
    pass


async def resolve(db: Any, key_or_url: str) -> str:
    for sql, arg in (
        ("select key from releases where key = ?", key_or_url),
        ("select key from release_urls where url = ?", key_or_url),
        ("select key from releases where key = ?", "url:" + key_or_url),
    ):
        rows = (await db.execute(sql, [arg])).rows
        if rows:
            return str(rows[0]["key"])
    raise UnknownRelease(f"no release with key or URL {key_or_url!r} (没有这条发布)")


async def release_context(db: Any, key_or_url: str) -> dict[str, Any]:
    key = await resolve(db, key_or_url)
    release = dict((await db.execute("select * from releases where key = ?", [key])).rows[0])
    versions = [
        dict(r)
        for r in (
            await db.execute(
                "select id, version, fields, body, flags, first_seen, last_seen, url, content_hash,"
                " raw_html is not null as has_raw from versions where key = ? order by version",
                [key],
            )
        ).rows
    ]
    urls = [
        dict(r)
        for r in (
            await db.execute(
                'select url, site, "column", first_seen, last_seen, critical_flags from release_urls'
                " where key = ? order by first_seen",
                [key],
            )
        ).rows
    ]
    events = [
        dict(r)
        for r in (
            await db.execute(
                "select id, type, severity, baseline, created_at, version, version_before, url, flags, details"
                " from events where key = ? order by id",
                [key],
            )
        ).rows
    ]
    files: dict[int, list[dict[str, Any]]] = {}
    for row in (
        await db.execute(
            "select a.version_id, a.name, a.url, a.sha256, a.state, a.warning, f.type, f.size, f.text_status"
            " from version_attachments a join versions v on v.id = a.version_id"
            " left join attachment_files f on f.sha256 = a.sha256 where v.key = ? order by a.position",
            [key],
        )
    ).rows:
        item = dict(row)
        if item["sha256"] and item["size"] is not None:  # the stored file, as a download
            item["download"] = ATTACHMENT_PATH + "?" + urlencode({"sha256": item["sha256"]})
        files.setdefault(int(item["version_id"]), []).append(item)
    fields = [unpack_fields(v["fields"], v["body"]) for v in versions]  # paragraphs live in body
    changes = await asyncio.to_thread(version_changes, fields)
    by_version: dict[int, list[dict[str, Any]]] = {}
    for e in events:
        if e["version"] is not None and e["type"] not in STATUS_EVENTS:
            by_version.setdefault(int(e["version"]), []).append(e)

    timeline: list[dict[str, Any]] = []
    for v, f, change in zip(versions, fields, changes, strict=True):
        flags = flag_list(v["flags"])
        timeline.append(
            {
                "kind": "version",
                "at": v["first_seen"],
                "version": v["version"],
                "id": v["id"],
                "last_seen": v["last_seen"],
                "title": f.get("title"),
                "change": change,
                "diff_href": diff_href(key, v["version"] - 1, v["version"]) if v["version"] > 1 else None,
                "flags": flags,
                "critical": [x for x in flags if x.get("severity") == "critical"],
                "events": [
                    {"type": e["type"], "zh": labels.EVENT_TYPES.get(e["type"], e["type"]), **e}
                    for e in by_version.get(v["version"], [])
                ],
                "has_raw": bool(v["has_raw"]),
                "files": files.get(int(v["id"]), []),
            }
        )
    for e in events:
        if e["type"] in STATUS_EVENTS:
            timeline.append(
                {
                    "kind": "event",
                    "at": e["created_at"],
                    "type": e["type"],
                    "zh": labels.EVENT_TYPES.get(e["type"], e["type"]),
                    "severity": e["severity"],
                    "details": _loads(e["details"], {}),
                    "url": e["url"],
                }
            )
    timeline.sort(key=lambda item: (_when(item["at"]), item["kind"] == "event"), reverse=True)

    current = fields[-1] if fields else {}
    current_v = versions[-1] if versions else {}
    evidence = [
        {"version": item["version"], "id": item["id"], "flags": item["critical"], "has_raw": item["has_raw"]}
        for item in timeline
        if item["kind"] == "version" and item["critical"]
    ]
    tampered_now = any(u["critical_flags"] not in (None, "", "[]") for u in urls)
    return {
        "key": key,
        "release": release,
        "title": release.get("title") or current.get("title") or key,
        "current": current,
        "current_version": current_v,
        "paragraphs": [p for p in current.get("paragraphs") or [] if isinstance(p, str)],
        "attachments": [
            {
                "name": a.get("name") or a.get("url") or "",
                "url": a.get("url"),
                "href": link_target(a.get("url")),
            }
            for a in current.get("attachments") or []
            if isinstance(a, dict)
        ],
        "gov_href": link_target(release.get("url")),
        "release_urls": [{**u, "href": link_target(u["url"])} for u in urls],
        "versions": [v["version"] for v in versions],
        "timeline": timeline,
        "evidence": evidence,
        "tampered_now": tampered_now,
        "events": events,
        "latest_diff_href": diff_href(key, versions[-2]["version"], versions[-1]["version"])
        if len(versions) > 1
        else None,
    }
