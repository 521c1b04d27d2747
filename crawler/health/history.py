"""The "broken links" lines of ``govwatch history``: links and attachments of a release whose latest
check failed."""

from __future__ import annotations

from crawler.store import Store


def broken_lines(store: Store, key: str) -> list[str]:
    """Lines to print under a release's history; none when nothing is known to be broken."""
    rows = store.health.broken_links(key)
    if not rows:
        return []
    lines = [f"broken links: {len(rows)} (latest checks)"]
    for row in rows:
        what = f"HTTP {row['status']}" if row["status"] is not None else row["error"] or "error"
        label = f" {row['text']}" if row["text"] else ""
        lines.append(f"  {row['kind']}{label}  {row['url']}  {what}  checked {row['checked_at']}")
    return lines
