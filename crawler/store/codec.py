"""How values are stored: JSON text for structured columns, zstd for raw HTML, a content hash fallback.

A version's ``fields`` JSON holds everything of its ``Release`` except what ``body`` already holds:
the paragraphs are ``body`` split at line breaks, and the turns are derived from the paragraphs
(``crawler.normalize.turns``). Either is kept in the JSON only when it cannot be derived again that
way (a paragraph with a line break in it, turns an older normalizer split otherwise), so
:func:`unpack_fields` always gives back exactly what :func:`pack_fields` was given.
"""

from __future__ import annotations

import json
from typing import Any

import zstandard

from crawler.model import Event, Release
from crawler.store.prepare import COMPRESSED

#: level 5: on the real pages' HTML 2.7× faster than level 10 for 2.6% more bytes (a new version's
#: page is compressed in the crawl's one thread)
_COMPRESSOR = zstandard.ZstdCompressor(level=5)
_DECOMPRESSOR = zstandard.ZstdDecompressor()


def insert(db: Any, table: str, row: dict[str, Any]) -> int:
    """INSERT one row with plain SQL (sqlite-utils' ``insert`` introspects the table on every call)."""
    names = ", ".join(f'"{name}"' for name in row)
    marks = ", ".join("?" for _ in row)
    cursor = db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(row.values()))
    return int(cursor.lastrowid)


def select(db: Any, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """The rows of a SELECT as dicts, with plain SQL (sqlite-utils' ``query`` wraps each one in a
    savepoint of its own: two statements more for every read of the crawl's hot path)."""
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def select_one(db: Any, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> dict[str, Any] | None:
    """The first row of a SELECT as a dict, else None."""
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row is not None else None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(text: str | None, default: Any = None) -> Any:
    return json.loads(text) if text else default


def _paragraphs_of(body: str | None) -> list[str]:
    return body.split("\n") if body else []


def pack_fields(fields: dict[str, Any], body: str | None) -> str:
    """The ``fields`` JSON of a version whose ``body`` column holds ``body``: paragraphs and turns
    left out when ``body`` gives them back (see the module docstring)."""
    from crawler.normalize.turns import split_turns

    out = dict(fields)
    paragraphs = list(out.pop("paragraphs", None) or [])
    turns = list(out.pop("turns", None) or [])
    if _paragraphs_of(body) != paragraphs:
        out["paragraphs"] = paragraphs
    if split_turns(paragraphs) != turns:
        out["turns"] = turns
    return dumps(out)


def unpack_fields(text: str | None, body: str | None) -> dict[str, Any]:
    """The full fields of a version from its ``fields`` JSON and ``body`` (either layout: one written
    before the paragraphs were left out carries them itself)."""
    from crawler.normalize.turns import split_turns

    fields: dict[str, Any] = loads(text, {})
    if "paragraphs" not in fields:
        fields["paragraphs"] = _paragraphs_of(body)
    if "turns" not in fields:
        fields["turns"] = split_turns(fields["paragraphs"])
    return fields


def compress(raw: bytes | None) -> bytes | None:
    if not raw:
        return None
    return COMPRESSED.take(raw) or _COMPRESSOR.compress(raw)


def decompress(blob: bytes | None) -> bytes | None:
    return _DECOMPRESSOR.decompress(blob) if blob else None


def content_hash(release: Release) -> str:
    """The release's own ``content_hash``, else the normalizer's recipe (one definition of it)."""
    if release.content_hash:
        return release.content_hash
    from crawler.normalize.hashing import content_hash as compute

    return compute(release)


def event_from_row(row: dict[str, Any]) -> Event:
    return Event(
        id=row["id"],
        type=row["type"],
        severity=row["severity"],
        baseline=bool(row["baseline"]),
        site=row["site"],
        key=row["key"],
        index_no=row["index_no"],
        url=row["url"],
        title=row["title"],
        column=row["column"],
        version=row["version"],
        version_before=row["version_before"],
        flags=loads(row["flags"], []),
        details=loads(row["details"], {}),
        run_id=row["run_id"],
        created_at=row["created_at"],
    )


def event_row(event: Event) -> dict[str, Any]:
    row = event.to_dict()
    row.pop("id")
    row["baseline"] = int(bool(event.baseline))
    row["flags"] = dumps(event.flags)
    row["details"] = dumps(event.details)
    return row
