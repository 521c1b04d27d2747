"""How values are stored: JSON text for structured columns, zstd for raw HTML, a content hash fallback.

A version's ``fields`` JSON holds everything of its ``Release`` except what ``body`` already holds:
the paragraphs are ``body`` split at line breaks, and the turns are derived from the paragraphs
(``crawler.normalize.turns``). Either is kept in the JSON only when it cannot be derived again that
way (a paragraph with a line break in it, turns an older normalizer split otherwise), so
:func:`unpack_fields` always gives back exactly what :func:`pack_fields` was given.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
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


@contextlib.contextmanager
def savepoint(db: Any) -> Iterator[None]:
    """A savepoint of the open transaction: the block's writes undone alone when it raises (its
    full-text index writes held back by :func:`index_last` dropped with them).

    sqlite-utils' ``atomic()`` names each savepoint afresh (random bytes from the OS, a statement
    SQLite prepares again every time); one name serves every level, since ``RELEASE`` and
    ``ROLLBACK TO`` act on the innermost savepoint of that name."""
    conn = db.conn
    held = _LATE.get(id(conn))
    mark = len(held) if held is not None else 0
    conn.execute("SAVEPOINT govwatch")
    try:
        yield
    except BaseException:
        if held is not None:
            del held[mark:]
        # an error such as a RAISE(ROLLBACK) trigger may have ended the whole transaction
        if conn.in_transaction:
            conn.execute("ROLLBACK TO SAVEPOINT govwatch")
            conn.execute("RELEASE SAVEPOINT govwatch")
        raise
    conn.execute("RELEASE SAVEPOINT govwatch")


#: per connection, inside :func:`index_last`: the full-text index writes held back, in order
_LATE: dict[int, list[tuple[str, list[Any]]]] = {}


@contextlib.contextmanager
def index_last(db: Any) -> Iterator[None]:
    """The full-text index writes made in the block (:func:`index_write`) are made at its end, in
    order, outside every savepoint of it.

    SQLite's FTS5 writes the terms it holds in memory out to the index whenever a savepoint begins
    or ends. A group commit makes each of its writes a savepoint: every release page it recorded
    became a small index segment of its own, and merging them was most of the cost of recording a
    page. Held back to the end, the group's pages make one segment."""
    key = id(db.conn)
    if key in _LATE:  # the enclosing block makes them
        yield
        return
    held: list[tuple[str, list[Any]]] = []
    _LATE[key] = held
    try:
        yield
        for sql, params in held:
            db.execute(sql, params)
    finally:
        del _LATE[key]


def index_write(db: Any, sql: str, params: list[Any]) -> None:
    """A full-text index write: now, or at the end of the enclosing :func:`index_last` block."""
    held = _LATE.get(id(db.conn))
    if held is None:
        db.execute(sql, params)
    else:
        held.append((sql, params))


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
