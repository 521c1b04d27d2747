"""The links and attachments of each release's current version (``release_links``), and which of their
URLs are due for a check.

Only releases whose current version changed since the last sync are re-read (their ``fields`` JSON),
so a run over a large site reads a handful of rows, not every version.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from crawler.health.checker import CheckResult


def host_of(url: str) -> str | None:
    try:
        return (urlsplit(url).hostname or "").lower() or None
    except ValueError:
        return None


def _bare(host: str) -> str:
    return host.removeprefix("www.")


def is_offsite(host: str | None, site_hosts: Collection[str]) -> bool:
    """Off the site: a host that is neither the site's nor an alias (``www.`` ignored, as the spider)."""
    if not host:
        return False
    return _bare(host) not in {_bare(h) for h in site_hosts}


def checkable(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") and host_of(url) is not None


def links_of(fields: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """``(kind, url, text)`` for a version's attachments then links, each (kind, URL) once."""
    out: list[tuple[str, str, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for kind, items, label in (
        ("attachment", fields.get("attachments"), "name"),
        ("link", fields.get("links"), "text"),
    ):
        for item in items or []:
            url = (item or {}).get("url")
            if not url or not checkable(url) or (kind, url) in seen:
                continue
            seen.add((kind, url))
            out.append((kind, url, item.get(label)))
    return out


def sync_links(db: Database, site: str, site_hosts: Collection[str], ts: str) -> int:
    """Bring ``release_links`` up to the current versions of ``site``'s releases; returns how many
    releases were re-read. Call inside a write transaction."""
    stale = list(
        db.query(
            "SELECT r.key, r.current_version, v.fields FROM releases r "
            "JOIN versions v ON v.key = r.key AND v.version = r.current_version "
            "LEFT JOIN release_link_sync s ON s.site = r.site AND s.key = r.key "
            "WHERE r.site = ? AND (s.version IS NULL OR s.version != r.current_version)",
            [site],
        )
    )
    for row in stale:
        key = row["key"]
        fields = json.loads(row["fields"] or "{}")
        before = {
            (r["url"], r["kind"]): r["first_seen"]
            for r in db.query(
                "SELECT url, kind, first_seen FROM release_links WHERE site = ? AND key = ?", [site, key]
            )
        }
        db.execute("DELETE FROM release_links WHERE site = ? AND key = ?", [site, key])
        for kind, url, text in links_of(fields):
            host = host_of(url)
            db.execute(
                "INSERT INTO release_links (site, key, version, kind, text, url, host, offsite, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    site,
                    key,
                    row["current_version"],
                    kind,
                    text,
                    url,
                    host,
                    int(is_offsite(host, site_hosts)),
                    before.get((url, kind), ts),
                    ts,
                ],
            )
        db.execute(
            "INSERT INTO release_link_sync (key, site, version, synced_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (site, key) DO UPDATE SET version = excluded.version, synced_at = excluded.synced_at",
            [key, site, row["current_version"], ts],
        )
    # links still carried by a live release were seen again in this run
    db.execute(
        "UPDATE release_links SET last_seen = ? WHERE site = ? AND key IN "
        "(SELECT key FROM releases WHERE site = ? AND status = 'live')",
        [ts, site, site],
    )
    return len(stale)


@dataclass(frozen=True)
class DueLink:
    url: str
    kind: str  # attachment | link (attachment when any release carries it as one)
    host: str | None
    offsite: bool
    last_checked: str | None


def due_links(db: Database, site: str, now: datetime, recheck_after: timedelta, limit: int) -> list[DueLink]:
    """At most ``limit`` URLs of ``site``'s live releases to check now: never-checked ones first, then
    those whose last check is older than ``recheck_after`` (oldest first); attachments before links
    within each group."""
    if limit <= 0:
        return []
    cutoff = (now - recheck_after).isoformat(timespec="seconds")
    rows = db.query(
        "SELECT l.url, max(l.kind = 'attachment') AS attachment, min(l.host) AS host, max(l.offsite) AS offsite, "
        "s.checked_at AS last_checked "
        "FROM release_links l JOIN releases r ON r.key = l.key AND r.status = 'live' "
        "LEFT JOIN link_status s ON s.site = l.site AND s.url = l.url "
        "WHERE l.site = ? GROUP BY l.url HAVING last_checked IS NULL OR last_checked < ? "
        "ORDER BY last_checked IS NOT NULL, attachment DESC, last_checked, l.url LIMIT ?",
        [site, cutoff, limit],
    )
    return [
        DueLink(
            url=r["url"],
            kind="attachment" if r["attachment"] else "link",
            host=r["host"],
            offsite=bool(r["offsite"]),
            last_checked=r["last_checked"],
        )
        for r in rows
    ]


def record_check(
    db: Database, site: str, run_id: int | None, link: DueLink, result: CheckResult, ts: str
) -> None:
    """Keep one check (``link_checks``) and the URL's latest state (``link_status``). Call inside a
    write transaction."""
    values = [site, result.url, link.kind, link.host, int(link.offsite), result.method, result.status]
    values += [int(result.ok), result.error]
    db.execute(
        "INSERT INTO link_checks (site, url, kind, host, offsite, method, status, ok, error, elapsed, "
        "checked_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*values, result.elapsed, ts, run_id],
    )
    db.execute(
        "INSERT INTO link_status (site, url, kind, host, offsite, method, status, ok, error, checked_at, run_id, "
        "checks, broken_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) "
        "ON CONFLICT (site, url) DO UPDATE SET kind = excluded.kind, host = excluded.host, "
        "offsite = excluded.offsite, method = excluded.method, status = excluded.status, ok = excluded.ok, "
        "error = excluded.error, checked_at = excluded.checked_at, run_id = excluded.run_id, "
        "checks = link_status.checks + 1, "
        "broken_since = CASE WHEN excluded.ok = 1 THEN NULL ELSE coalesce(link_status.broken_since, excluded.checked_at) END",
        [*values, ts, run_id, None if result.ok else ts],
    )
