"""Upgrading a database written by an older normalizer, before a site is crawled again.

A better normalizer derives other fields and other keys from the same pages: a release first stored
as ``url:…`` now shows its 索引号, a title loses its site suffix. Compared with what the old one
stored, every page would read as edited. So, before a crawl, each release of the site that holds a
version written by an older ``NORMALIZER_VERSION`` is re-derived from its stored raw HTML:

- every version's fields, body, hash and flags (``govwatch reparse`` does the same on request);
- every URL's last content hash and critical flags (from the latest raw HTML kept for that URL), so
  unchanged pages compare equal and unchanged flags raise no ``tampered``;
- the key: a release whose current version now has a 索引号 other than its key is re-keyed to it —
  renamed, or merged into the release already stored under that 索引号 (versions appended after its
  own, URLs, fetches, events and reviewed flags moved; the first URL seen stays the current one).

No event is made: the upgrade changes how pages are read, not what the site published. A version
whose raw HTML the new normalizer cannot read keeps its stored derivation. ``Store.upgrade`` runs
:func:`upgrade_release` in one transaction per release.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from crawler.model import Flag, Release
from crawler.store.attachments import carry, link_version
from crawler.store.codec import content_hash, decompress, dumps, pack_fields, unpack_fields
from crawler.store.record import RELEASE_FIELDS, update_search

#: raw HTML + URL → the current normalizer's Release (None when it is no release) and the flags of
#: the current integrity rules for that page
Rederive = Callable[[bytes, str], tuple[Release | None, list[Flag]]]


def outdated_keys(db: Database, site: str, version: int) -> list[str]:
    """Keys of the site's releases with a version written by a normalizer older than ``version``."""
    rows = db.query(
        "SELECT DISTINCT r.key FROM releases r JOIN versions v ON v.key = r.key "
        "WHERE r.site = ? AND (v.normalizer_version IS NULL OR v.normalizer_version < ?) ORDER BY r.id",
        [site, version],
    )
    return [str(row["key"]) for row in rows]


#: the counts ``Store.upgrade`` returns
STATS = ("releases", "versions", "rehashed", "skipped", "renamed", "merged")


def _derive(rederive: Rederive, raw: bytes | None, url: str) -> tuple[Release, list[Flag]] | None:
    if not raw:
        return None
    try:
        release, flags = rederive(raw, url)
    except Exception:  # a page the new code cannot read keeps its stored derivation
        return None
    if release is None or not release.is_release:
        return None
    return release, flags


def upgrade_release(db: Database, key: str, version: int, rederive: Rederive, stats: Counter[str]) -> None:
    """Re-derive one release (and re-key it when its current version shows another 索引号), inside
    the caller's transaction."""
    rel = next(iter(db.query("SELECT * FROM releases WHERE key = ?", [key])), None)
    if rel is None:
        return
    stats["releases"] += 1
    current: Release | None = None
    for row in list(
        db.query("SELECT id, version, url, raw_html, content_hash FROM versions WHERE key = ?", [key])
    ):
        stats["versions"] += 1
        derived = _derive(rederive, decompress(row["raw_html"]), row["url"] or rel["url"])
        if derived is None:
            stats["skipped"] += 1
            db.execute("UPDATE versions SET normalizer_version = ? WHERE id = ?", [version, row["id"]])
            continue
        release, flags = derived
        release = carry(db, row["id"], release)  # the files the crawl fetched for this version
        h = content_hash(release)
        stats["rehashed"] += h != row["content_hash"]
        db.table("versions").update(
            row["id"],
            {
                "content_hash": h,
                "fields": pack_fields(release.to_dict(), release.body_text),
                "body": release.body_text,
                "normalizer_version": release.normalizer_version,
                "flags": dumps([f.to_dict() for f in flags]),
            },
        )
        link_version(db, row["id"], release.attachments)
        if row["version"] == rel["current_version"]:
            current = release
    if current is not None:
        fields: dict[str, Any] = {name: getattr(current, name) for name in RELEASE_FIELDS}
        fields["content_hash"] = content_hash(current)
        sets = ", ".join(f'"{name}" = :{name}' for name in fields)
        db.execute(f"UPDATE releases SET {sets} WHERE key = :key", {**fields, "key": key})
        update_search(db, key, current.title, current.body_text)
    _refresh_urls(db, key, rederive)
    if current is not None and current.index_no and current.key != key:
        _rekey(db, key, current.key or key, current.index_no, stats)


def _latest_raw(db: Database, url: str) -> bytes | None:
    """The newest raw HTML kept for ``url``: its latest version, or a later fetch kept as evidence."""
    version = next(
        iter(
            db.query(
                "SELECT raw_html, last_seen FROM versions WHERE url = ? ORDER BY version DESC LIMIT 1", [url]
            )
        ),
        None,
    )
    fetch = next(
        iter(
            db.query(
                "SELECT raw_html, fetched_at FROM fetches WHERE url = ? AND raw_html IS NOT NULL "
                "ORDER BY id DESC LIMIT 1",
                [url],
            )
        ),
        None,
    )
    if fetch is not None and (version is None or fetch["fetched_at"] >= version["last_seen"]):
        return decompress(fetch["raw_html"])
    return decompress(version["raw_html"]) if version is not None else None


def _refresh_urls(db: Database, key: str, rederive: Rederive) -> None:
    for row in list(db.query("SELECT url FROM release_urls WHERE key = ?", [key])):
        derived = _derive(rederive, _latest_raw(db, row["url"]), row["url"])
        if derived is None:
            continue
        release, flags = derived
        newest = next(
            iter(
                db.query("SELECT id FROM versions WHERE url = ? ORDER BY version DESC LIMIT 1", [row["url"]])
            ),
            None,
        )
        release = carry(db, newest["id"] if newest else None, release)
        critical = sorted({(f.rule, f.evidence or "") for f in flags if f.severity == "critical"})
        db.execute(
            "UPDATE release_urls SET content_hash = ?, critical_flags = ? WHERE url = ?",
            [content_hash(release), dumps(critical), row["url"]],
        )


_MOVED = ("release_urls", "fetches")


def _rekey(db: Database, old: str, new: str, index_no: str, stats: Counter[str]) -> None:
    """Give release ``old`` the key ``new`` (its 索引号): rename it, or merge it into ``new``."""
    db.execute("PRAGMA defer_foreign_keys = ON")  # children and parent change key in one transaction
    target = next(iter(db.query("SELECT * FROM releases WHERE key = ?", [new])), None)
    source = next(iter(db.query("SELECT * FROM releases WHERE key = ?", [old])))
    if target is None:
        db.execute("UPDATE releases SET key = ?, index_no = ? WHERE key = ?", [new, index_no, old])
        db.execute("UPDATE versions SET key = ? WHERE key = ?", [new, old])
        stats["renamed"] += 1
    else:
        offset = int(
            next(iter(db.query("SELECT max(version) AS n FROM versions WHERE key = ?", [new])))["n"] or 0
        )
        db.execute("UPDATE versions SET key = ?, version = version + ? WHERE key = ?", [new, offset, old])
        if source["first_seen"] < target["first_seen"]:  # the older URL's content stays the current one
            fields = {name: source[name] for name in (*RELEASE_FIELDS, "url", "content_hash", "status")}
            fields.update(index_no=index_no, current_version=source["current_version"] + offset)
            sets = ", ".join(f'"{name}" = :{name}' for name in fields)
            db.execute(f"UPDATE releases SET {sets} WHERE key = :key", {**fields, "key": new})
        db.execute(
            "UPDATE releases SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE key = ?",
            [source["first_seen"], source["last_seen"], new],
        )
        db.execute("DELETE FROM releases_fts WHERE rowid = ?", [source["id"]])
        db.execute("DELETE FROM releases WHERE key = ?", [old])
        stats["merged"] += 1
    for table in _MOVED:
        db.execute(f"UPDATE {table} SET key = ? WHERE key = ?", [new, old])
    db.execute("UPDATE events SET key = ?, index_no = ? WHERE key = ?", [new, index_no, old])
    db.execute("UPDATE OR IGNORE acks SET key = ? WHERE key = ?", [new, old])
    db.execute("DELETE FROM acks WHERE key = ?", [old])
    db.execute("UPDATE releases_fts SET key = ? WHERE key = ?", [new, old])
    row = next(
        iter(
            db.query(
                "SELECT v.fields, v.body FROM releases r JOIN versions v ON v.key = r.key "
                "AND v.version = r.current_version WHERE r.key = ?",
                [new],
            )
        ),
        None,
    )
    if row is not None:
        current = Release.from_dict(unpack_fields(row["fields"], row["body"]))
        update_search(db, new, current.title, current.body_text)
