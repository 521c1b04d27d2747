"""The "broken links" lines of ``govwatch history``: links and attachments of a release whose latest
check failed."""

from __future__ import annotations

from typing import Any

from crawler.health.schema import has_schema


def broken_links(db: Any, key: str) -> list[dict[str, Any]]:
    if not has_schema(db):
        return []
    return list(
        db.query(
            "SELECT kind, text, url, status, error, checked_at, checks FROM broken_links WHERE key = ? "
            "ORDER BY kind = 'link', url",
            [key],
        )
    )


def broken_lines(store: Any, key: str) -> list[str]:
    """Lines to print under a release's history; none when nothing is known to be broken."""
    rows = broken_links(store.db, key)
    if not rows:
        return []
    lines = [f"broken links: {len(rows)} (latest checks)"]
    for row in rows:
        what = f"HTTP {row['status']}" if row["status"] is not None else row["error"] or "error"
        label = f" {row['text']}" if row["text"] else ""
        lines.append(f"  {row['kind']}{label}  {row['url']}  {what}  checked {row['checked_at']}")
    return lines
