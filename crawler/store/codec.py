"""How values are stored: JSON text for structured columns, zstd for raw HTML, a content hash fallback."""

from __future__ import annotations

import json
from typing import Any

import zstandard

from crawler.model import Event, Release

_COMPRESSOR = zstandard.ZstdCompressor(level=10)
_DECOMPRESSOR = zstandard.ZstdDecompressor()


def insert(db: Any, table: str, row: dict[str, Any]) -> int:
    """INSERT one row with plain SQL (sqlite-utils' ``insert`` introspects the table on every call)."""
    names = ", ".join(f'"{name}"' for name in row)
    marks = ", ".join("?" for _ in row)
    cursor = db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(row.values()))
    return int(cursor.lastrowid)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(text: str | None, default: Any = None) -> Any:
    return json.loads(text) if text else default


def compress(raw: bytes | None) -> bytes | None:
    return _COMPRESSOR.compress(raw) if raw else None


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
