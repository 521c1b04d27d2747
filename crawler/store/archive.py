"""What a copy of a page is checked against: the archive read by 索引号, by URL, by title, and every
version of a release (``govwatch verify`` and the Datasette verify page).

``ArchiveReader`` takes a plain ``sqlite3`` connection and only reads, so the same queries serve the
command (a read-only ``Store``) and Datasette (its own read-only connections, ``execute_fn``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crawler.store.codec import unpack_fields
from crawler.store.search import search_query

#: the most releases one lookup returns
LOOKUP_LIMIT = 50


@dataclass(frozen=True)
class ArchivedRelease:
    key: str
    index_no: str | None
    title: str | None
    site: str
    url: str
    status: str
    written_date: str | None
    published_at: str | None
    current_version: int
    urls: tuple[str, ...]


@dataclass(frozen=True)
class ArchivedVersion:
    key: str
    version: int
    content_hash: str
    fields: dict[str, Any]
    first_seen: str
    last_seen: str
    url: str | None
    flags: list[dict[str, Any]]


_RELEASE = (
    "SELECT key, index_no, title, site, url, status, written_date, published_at, current_version "
    "FROM releases"
)


class ArchiveReader:
    """Read-only lookups over an open connection (never written through)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _releases(self, rows: list[dict[str, Any]]) -> list[ArchivedRelease]:
        out, seen = [], set()
        for row in rows:
            if row["key"] in seen:
                continue
            seen.add(row["key"])
            urls = tuple(
                r["url"]
                for r in self._rows(
                    "SELECT url FROM release_urls WHERE key = ? ORDER BY first_seen", [row["key"]]
                )
            )
            out.append(ArchivedRelease(**row, urls=urls or (row["url"],)))
        return out

    def by_key(self, key: str) -> ArchivedRelease | None:
        found = self._releases(self._rows(_RELEASE + " WHERE key = ?", [key]))
        return found[0] if found else None

    def by_index_no(self, index_no: str) -> list[ArchivedRelease]:
        """Releases stored under this 索引号 (their key), or showing it."""
        return self._releases(
            self._rows(
                _RELEASE + " WHERE key = ? OR index_no = ? ORDER BY key = ? DESC LIMIT ?",
                [index_no, index_no, index_no, LOOKUP_LIMIT],
            )
        )

    def by_urls(self, urls: Iterable[str]) -> list[ArchivedRelease]:
        """Releases seen at any of these URLs (exact), or keyed by one (``url:`` + URL)."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return []
        marks = ", ".join("?" for _ in urls)
        rows = self._rows(
            _RELEASE + f" WHERE key IN (SELECT key FROM release_urls WHERE url IN ({marks})) "
            f"OR key IN ({marks}) LIMIT ?",
            [*urls, *("url:" + u for u in urls), LOOKUP_LIMIT],
        )
        return self._releases(rows)

    def by_title(self, title: str) -> list[ArchivedRelease]:
        """Releases whose title holds the title's words (bigram search of titles; the caller compares)."""
        query = search_query(title)
        if not query:
            return []
        rows = self._rows(
            _RELEASE + " WHERE title = ? OR id IN (SELECT rowid FROM releases_fts WHERE releases_fts "
            "MATCH ? LIMIT ?) LIMIT ?",
            [title, "title_bigrams : (" + query + ")", LOOKUP_LIMIT, LOOKUP_LIMIT],
        )
        return self._releases(rows)

    def versions(self, key: str) -> list[ArchivedVersion]:
        """Every version of a release, oldest first."""
        rows = self._rows(
            "SELECT key, version, content_hash, fields, body, first_seen, last_seen, url, flags FROM versions "
            "WHERE key = ? ORDER BY version",
            [key],
        )
        for row in rows:
            row["fields"] = unpack_fields(row["fields"], row.pop("body"))  # paragraphs live in body
            row["flags"] = json.loads(row["flags"] or "[]")
        return [ArchivedVersion(**row) for row in rows]

    def knows_origin(self, origins: Iterable[str]) -> bool:
        """Whether a release URL of the archive starts with one of ``origins`` (``scheme://host[:port]``):
        the host is one a watched site's pages were fetched from."""
        for origin in origins:
            prefix = origin.rstrip("/") + "/"
            # a range on the primary key (a LIKE would not use the index, and treats _ and % as wildcards)
            found = self.conn.execute(
                "SELECT 1 FROM release_urls WHERE url >= ? AND url < ? LIMIT 1",
                [prefix, prefix[:-1] + "0"],
            ).fetchone()
            if found is not None:
                return True
        return False
