"""govwatch's own pages: ``/-/govwatch/release?key=…``, ``/-/govwatch/diff?key=…&from=1&to=2`` and
``/-/govwatch/events.atom``.

All read through Datasette's read-only connections (the feed's enrichment through a read-only
``Store``). The diff compares the texts ``crawler.store.diffing`` defines, character by character,
cut into changes with context and folded unchanged text (``hunks``); templates autoescape every
piece: nothing stored is trusted.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from datasette.utils.asgi import Response

from crawler.browse.hunks import hunks
from crawler.browse.metadata import PLUGIN, db_path
from crawler.browse.present import diff_href, release_href
from crawler.browse.release import UnknownRelease, release_context, resolve
from crawler.net.urlpolicy import link_target
from crawler.store.codec import unpack_fields
from crawler.store.diffing import FIELD_LABELS, changed_fields, char_diff, version_text

ATOM_LIMIT = 200


class NotFound(Exception):
    """A request naming a release or version the database does not hold."""


def database_name(datasette: Any) -> str:
    config = datasette.plugin_config(PLUGIN) or {}
    name = config.get("database")
    if name and name in datasette.databases:
        return str(name)
    return next(n for n in datasette.databases if n != "_memory")


def _version_no(raw: str | None, name: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)  # type: ignore[arg-type]
    except ValueError:
        raise NotFound(f"{name} must be a version number, not {raw!r}") from None


async def diff_context(db: Any, key_or_url: str, from_raw: str | None, to_raw: str | None) -> dict[str, Any]:
    try:
        key = await resolve(db, key_or_url)
    except UnknownRelease as exc:
        raise NotFound(str(exc)) from None
    rows = (
        await db.execute(
            "select version, fields, body, first_seen, url from versions where key = ? order by version",
            [key],
        )
    ).rows
    versions = {r["version"]: r for r in rows}
    numbers = sorted(versions)
    to_v = _version_no(to_raw, "to") or numbers[-1]
    from_v = _version_no(from_raw, "from")
    if from_v is None:
        earlier = [n for n in numbers if n < to_v]
        from_v = earlier[-1] if earlier else to_v
    for n in (from_v, to_v):
        if n not in versions:
            raise NotFound(f"{key} has no version {n} (versions: {numbers})")
    before = unpack_fields(versions[from_v]["fields"], versions[from_v]["body"])
    after = unpack_fields(versions[to_v]["fields"], versions[to_v]["body"])
    ops = await asyncio.to_thread(char_diff, version_text(before), version_text(after))
    labels = {**dict(FIELD_LABELS), "paragraphs": "正文", "attachments": "附件"}
    parts = hunks(ops)
    return {
        "key": key,
        "title": after.get("title") or before.get("title") or key,
        "from_v": from_v,
        "to_v": to_v,
        "from_seen": versions[from_v]["first_seen"],
        "to_seen": versions[to_v]["first_seen"],
        "url": link_target(versions[to_v]["url"]),
        "url_text": versions[to_v]["url"],
        "ops": ops,
        "parts": parts,
        "changes": [p for p in parts if p.kind == "change"],
        "inserted": sum(len(t) for op, t in ops if op == 1),
        "deleted": sum(len(t) for op, t in ops if op == -1),
        "fields": [labels.get(f, f) for f in changed_fields(before, after)],
        "versions": numbers,
        "release_href": release_href(key),
    }


async def diff_view(datasette: Any, request: Any) -> Response:
    name = database_name(datasette)
    db = datasette.get_database(name)
    key = request.args.get("key") or ""
    context: dict[str, Any] = {"database": name, "db_path": db_path(name), "error": None, "key": key}
    status = 200
    try:
        if not key:
            raise NotFound("give a release: ?key=索引号 (or a URL) &from=1&to=2")
        context.update(await diff_context(db, key, request.args.get("from"), request.args.get("to")))
        context["pairs"] = [
            (a, b, diff_href(context["key"], a, b))
            for a, b in zip(context["versions"], context["versions"][1:], strict=False)
        ]
    except NotFound as exc:
        context["error"] = str(exc)
        status = 404
    html = await datasette.render_template("govwatch_diff.html", context, request=request, view_name="diff")
    return Response.html(html, status=status)


async def release_view(datasette: Any, request: Any) -> Response:
    name = database_name(datasette)
    db = datasette.get_database(name)
    key = request.args.get("key") or ""
    context: dict[str, Any] = {"database": name, "db_path": db_path(name), "error": None, "key": key}
    status = 200
    try:
        if not key:
            raise UnknownRelease("give a release: ?key=索引号 (or a URL)")
        context.update(await release_context(db, key))
    except UnknownRelease as exc:
        context["error"] = str(exc)
        status = 404
    html = await datasette.render_template(
        "govwatch_release.html", context, request=request, view_name="release"
    )
    return Response.html(html, status=status)


def _entries(path: Path, rows: list[dict[str, Any]]) -> list[Any]:
    """Atom entries of event rows, enriched as the Atom sink's are (publisher, date, diff)."""
    from crawler.report.enrich import enrich
    from crawler.report.sinks.atom import build_entry
    from crawler.store import Store
    from crawler.store.codec import event_from_row

    events = [event_from_row(row) for row in rows]
    try:
        store = Store(path, read_only=True)
    except Exception:  # the feed without enrichment beats no feed
        return [build_entry(e) for e in events]
    try:
        return [build_entry(e) for e in enrich(store, events)]
    finally:
        store.close()


async def atom_view(datasette: Any, request: Any) -> Response:
    from crawler.report.sinks.atom import build_feed

    name = database_name(datasette)
    db = datasette.get_database(name)
    rows = [
        dict(r) for r in (await db.execute(f"select * from events order by id desc limit {ATOM_LIMIT}")).rows
    ]
    entries = await asyncio.to_thread(_entries, Path(db.path), rows)
    body = build_feed(entries, f"{name}-events")
    return Response(body, content_type="application/atom+xml; charset=utf-8")
