"""``govwatch reparse``: re-derive stored versions with the current normalizer, emitting nothing.

Each version's raw HTML is normalized again; its fields, body, hash and normalizer version are
rewritten in place. Differences the normalizer alone introduced are not edits, so no ``changed``
event is made; versions whose new hashes coincide are kept as they are (history is not rewritten).
The release row and the search index follow its current version. One transaction per release.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from crawler.model import Release
from crawler.store.attachments import carry, link_version
from crawler.store.codec import content_hash, decompress, pack_fields
from crawler.store.record import RELEASE_FIELDS, update_search

STATS = ("releases", "versions", "rehashed", "unchanged", "skipped")


def reparse_release(
    db: Database, key: str, normalize_fn: Callable[..., Release], stats: Counter[str]
) -> None:
    """Re-derive every version of release ``key``; call inside the release's write transaction."""
    stats["releases"] += 1
    rel = next(iter(db.query("SELECT * FROM releases WHERE key = ?", [key])))
    versions = list(
        db.query("SELECT id, version, url, raw_html, content_hash FROM versions WHERE key = ?", [key])
    )
    current: tuple[Release, str] | None = None
    for row in versions:
        stats["versions"] += 1
        raw = decompress(row["raw_html"])
        release = _normalize(normalize_fn, raw, row["url"] or rel["url"])
        if release is None:
            stats["skipped"] += 1
            continue
        release = carry(db, row["id"], release)
        h = content_hash(release)
        stats["rehashed" if h != row["content_hash"] else "unchanged"] += 1
        db.table("versions").update(
            row["id"],
            {
                "content_hash": h,
                "fields": pack_fields(release.to_dict(), release.body_text),
                "body": release.body_text,
                "normalizer_version": release.normalizer_version,
            },
        )
        link_version(db, row["id"], release.attachments)
        if row["version"] == rel["current_version"]:
            current = (release, h)
    if current is not None:
        release, h = current
        fields: dict[str, Any] = {name: getattr(release, name) for name in RELEASE_FIELDS}
        fields["content_hash"] = h
        sets = ", ".join(f'"{name}" = :{name}' for name in fields)
        db.execute(f"UPDATE releases SET {sets} WHERE key = :key", {**fields, "key": key})
        db.execute("UPDATE release_urls SET content_hash = ? WHERE url = ?", [h, rel["url"]])
        update_search(db, key, release.title, release.body_text)


def _normalize(normalize_fn: Callable[..., Release], raw: bytes | None, url: str) -> Release | None:
    if not raw:
        return None
    try:
        release = normalize_fn(raw, url)
    except Exception:  # a page the new normalizer cannot read keeps its stored derivation
        return None
    return release if release.is_release else None
