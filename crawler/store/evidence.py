"""Evidence: the response as fetched, kept with every stored page (docs/ARCHITECTURE.md, "Evidence").

A page's body is kept once — in ``versions.raw_html`` for a new version, in ``fetches.raw_html`` for a
fetch that raised ``tampered`` on unchanged content. What else the fetch gave is kept beside it in
``fetches.evidence``: the protocol and status (the reason phrase is the standard one: Scrapy does not
keep the server's), the response headers as received (every value, in order, ``Content-Encoding``
and ``Content-Length`` as they came over the wire), the request's method and headers, the address
the answer came from, and for a fetch kept in its own row the content hash of what was read —
compact JSON, zstd-compressed with a fixed dictionary of what such JSON usually says (about 170
bytes a fetch). ``versions.fetch_id`` names the fetch a version's body came from; the fetch time is
``fetches.fetched_at``.

``stored_pages`` reads every stored page back with its evidence (what ``govwatch export --warc``
writes); pages stored before evidence was kept come back as ``resource`` pages: their body, no
response.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import zstandard

from crawler.model import Fetch
from crawler.store.codec import decompress, unpack_fields

#: the first byte of ``fetches.evidence``: how the rest is encoded (format 1: compact JSON, zstd with
#: ``_DICTIONARY_1``). A new dictionary or shape is a new format; a format once written never changes.
EVIDENCE_FORMAT = 1
#: zstd raw-content dictionary of format 1: what evidence JSON usually says, so a row holds only
#: what differs (about 170 bytes for a typical response instead of 400). Never edit it.
_DICTIONARY_1 = zstandard.ZstdCompressionDict(
    b'{"protocol":"HTTP/1.1","status":200,"headers":[["Content-Type","text/html; charset=utf-8"],'
    b'["Content-Length",""],["Server",""],["Date",""],["Last-Modified",""],["Etag",""],'
    b'["Connection","keep-alive"],["Content-Encoding","gzip"],["Transfer-Encoding","chunked"],'
    b'["Vary","Accept-Encoding"],["Accept-Ranges","bytes"],["Cache-Control",""],["Set-Cookie",""],'
    b'["X-Frame-Options","SAMEORIGIN"]],"ip":"","method":"GET","request":[["Referer","http://"],'
    b'["Accept","text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],'
    b'["Accept-Language","en"],["User-Agent","Mozilla/5.0 (compatible; govwatch/"],'
    b'["Accept-Encoding","gzip, deflate, br, zstd"],["If-None-Match",""],["If-Modified-Since",""]],'
    b'"url":"http://","hash":"sha256:"}',
    dict_type=zstandard.DICT_TYPE_RAWCONTENT,
)
#: level 9: as small as level 19 within 3% on such short JSON, at a twentieth of its CPU (the level is
#: the writer's choice, not part of the format: any level decodes with the dictionary)
_COMPRESS_1 = zstandard.ZstdCompressor(
    level=9, dict_data=_DICTIONARY_1, write_checksum=False, write_dict_id=False
)
_DECOMPRESS_1 = zstandard.ZstdDecompressor(dict_data=_DICTIONARY_1)


def reason_phrase(status: int | None) -> str:
    """The standard reason phrase of a status code ('' for an unknown code)."""
    try:
        return HTTPStatus(int(status or 0)).phrase
    except ValueError:
        return ""


def header_pairs(headers: dict[str, str] | list[tuple[str, str]] | None) -> list[list[str]]:
    if not headers:
        return []
    items = headers.items() if isinstance(headers, dict) else headers
    return [[str(k), str(v)] for k, v in items]


def encode(fetch: Fetch, content_hash: str | None = None) -> bytes:
    """``fetches.evidence`` of a fetch whose body is kept. ``content_hash``: what the page read as, for
    a fetch whose body is kept in its own row (a version's page has the version's hash)."""
    data: dict[str, Any] = {
        "protocol": fetch.protocol,
        "status": fetch.status,
        "headers": header_pairs(fetch.wire_headers or fetch.headers),
        "ip": fetch.ip_address,
        "method": fetch.method if fetch.method != "GET" else None,
        "request": header_pairs(fetch.request_headers),
        "url": fetch.final_url if fetch.final_url and fetch.final_url != fetch.url else None,
        "hash": content_hash,
    }
    text = json.dumps({k: v for k, v in data.items() if v not in (None, [])}, separators=(",", ":"))
    return bytes([EVIDENCE_FORMAT]) + _COMPRESS_1.compress(text.encode("utf-8"))


def decode(blob: bytes | None) -> dict[str, Any] | None:
    """The evidence of a fetch (None when none was kept)."""
    if not blob:
        return None
    if blob[0] != EVIDENCE_FORMAT:
        raise ValueError(f"evidence in an unknown format ({blob[0]})")
    return dict(json.loads(_DECOMPRESS_1.decompress(blob[1:])))


@dataclass
class StoredPage:
    """One stored page and what is known of the fetch that got it: a WARC record's worth.

    ``kind`` is ``response`` when the fetch's evidence was kept, ``resource`` for a page stored before
    evidence was (its body only). ``version`` is None for a fetch that raised ``tampered`` on content
    that was already a version. ``url`` is the URL requested; ``final_url`` the one that answered."""

    kind: str
    site: str
    key: str
    url: str
    fetched_at: str
    body: bytes
    version: int | None
    content_hash: str | None
    fields: dict[str, Any]
    flags: list[dict[str, Any]]
    fetch_id: int | None = None
    status: int | None = None
    reason: str | None = None
    protocol: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    ip_address: str | None = None
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    final_url: str | None = None


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> Iterator[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def has_evidence(conn: sqlite3.Connection) -> bool:
    """Whether the database keeps evidence (its ``m008_evidence`` migration ran)."""
    return any(row[1] == "evidence" for row in conn.execute("PRAGMA table_info(fetches)"))


def _loads(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def _page(row: dict[str, Any], fields: dict[str, Any], version: int | None) -> StoredPage:
    evidence = decode(row.get("evidence"))
    page = StoredPage(
        kind="response" if evidence else "resource",
        site=row["site"],
        key=row["key"],
        url=row["url"] or fields.get("url") or "",
        fetched_at=row["fetched_at"],
        body=decompress(row["raw_html"]) or b"",
        version=version,
        content_hash=row.get("content_hash") or (evidence or {}).get("hash"),
        fields=fields,
        flags=_loads(row.get("flags"), []),
        fetch_id=row.get("fetch_id"),
    )
    if evidence:
        page.status = evidence.get("status")
        page.reason = reason_phrase(page.status)
        page.protocol = evidence.get("protocol")
        page.headers = [(k, v) for k, v in evidence.get("headers") or []]
        page.ip_address = evidence.get("ip")
        page.method = evidence.get("method") or "GET"  # kept only when it is not GET
        page.request_headers = [(k, v) for k, v in evidence.get("request") or []]
        page.final_url = evidence.get("url")
        page.content_hash = page.content_hash or evidence.get("hash")
    return page


def _filters(alias: str, time: str, site: str | None, since: str | None, key: str | None) -> tuple[str, list]:
    where, params = [], []
    if site:
        where.append(f"{alias}.site = ?")
        params.append(site)
    if key:
        where.append(f"{alias}.key = ?")
        params.append(key)
    if since:
        where.append(f"{time} >= ?")
        params.append(since)
    return "".join(f" AND {w}" for w in where), params


def _version_pages(
    conn: sqlite3.Connection, evidence: bool, site: str | None, since: str | None, key: str | None
) -> Iterator[StoredPage]:
    time = "coalesce(f.fetched_at, v.first_seen)" if evidence else "v.first_seen"
    where, params = _filters("r", time, site, since, key)
    joined = (
        "v.fetch_id, f.evidence, coalesce(f.fetched_at, v.first_seen) AS fetched_at "
        "FROM versions v JOIN releases r ON r.key = v.key LEFT JOIN fetches f ON f.id = v.fetch_id "
        if evidence
        else "NULL AS fetch_id, NULL AS evidence, v.first_seen AS fetched_at "
        "FROM versions v JOIN releases r ON r.key = v.key "
    )
    sql = (
        "SELECT v.key, v.version, v.content_hash, v.fields, v.body, v.flags, v.url, v.raw_html, r.site, "
        + joined
        + "WHERE v.raw_html IS NOT NULL"
        + where
        + f" ORDER BY {time}, v.key, v.version"
    )
    for row in _rows(conn, sql, params):
        yield _page(row, unpack_fields(row.pop("fields"), row.pop("body")), row["version"])


def _fetch_pages(
    conn: sqlite3.Connection, evidence: bool, site: str | None, since: str | None, key: str | None
) -> Iterator[StoredPage]:
    where, params = _filters("f", "f.fetched_at", site, since, key)
    column = "f.evidence" if evidence else "NULL AS evidence"
    sql = (
        f"SELECT f.id AS fetch_id, f.key, f.url, f.site, f.fetched_at, f.flags, f.raw_html, {column} "
        "FROM fetches f WHERE f.raw_html IS NOT NULL AND f.key IS NOT NULL"
        + where
        + " ORDER BY f.fetched_at, f.id"
    )
    for row in _rows(conn, sql, params):
        hash_ = (decode(row.get("evidence")) or {}).get("hash")
        yield _page(row, _fields_then(conn, row["key"], hash_, row["fetched_at"]), None)


def _fields_then(conn: sqlite3.Connection, key: str, content_hash: str | None, at: str) -> dict[str, Any]:
    """The fields of the version a fetch of unchanged content showed: the one with its content hash,
    else the latest version first seen by then."""
    row = None
    if content_hash:
        row = conn.execute(
            "SELECT fields, body FROM versions WHERE key = ? AND content_hash = ? ORDER BY version DESC LIMIT 1",
            [key, content_hash],
        ).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT fields, body FROM versions WHERE key = ? AND first_seen <= ? ORDER BY version DESC LIMIT 1",
            [key, at],
        ).fetchone()
    return unpack_fields(row[0], row[1]) if row else {}


def stored_pages(
    conn: sqlite3.Connection, *, site: str | None = None, since: str | None = None, key: str | None = None
) -> Iterator[StoredPage]:
    """Every stored page (versions, and fetches that raised ``tampered`` on unchanged content), oldest
    fetch first, with its evidence. ``since`` compares with the fetch time (ISO 8601 text)."""
    evidence = has_evidence(conn)
    return heapq.merge(
        _version_pages(conn, evidence, site, since, key),
        _fetch_pages(conn, evidence, site, since, key),
        key=lambda page: page.fetched_at,
    )
