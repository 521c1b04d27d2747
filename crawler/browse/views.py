"""Custom pages: ``/-/govwatch/diff?key=…&from=1&to=2`` and ``/-/govwatch/events.atom``.

Both read through Datasette's read-only connections (never a ``Store``: opening one migrates and
writes). The diff compares the texts ``crawler.store.diffing`` defines, character by character, and
hands the operations to a Jinja template that autoescapes every piece: nothing stored is trusted.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from crawler.browse.metadata import PLUGIN, db_path
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


async def resolve_key(db: Any, key_or_url: str) -> str:
    for sql, arg in (
        ("select key from releases where key = ?", key_or_url),
        ("select key from release_urls where url = ?", key_or_url),
        ("select key from releases where key = ?", "url:" + key_or_url),
    ):
        rows = (await db.execute(sql, [arg])).rows
        if rows:
            return str(rows[0]["key"])
    raise NotFound(f"no release with key or URL {key_or_url!r}")


def _version_no(raw: str | None, name: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise NotFound(f"{name} must be a version number, not {raw!r}") from None


def _http_only(url: str | None) -> str | None:
    """A URL fit for an href: stored URLs come from the web, so nothing but http(s)."""
    from crawler.net.urlpolicy import link_target

    return link_target(url)


async def diff_context(db: Any, key_or_url: str, from_raw: str | None, to_raw: str | None) -> dict[str, Any]:
    key = await resolve_key(db, key_or_url)
    rows = (
        await db.execute(
            "select version, fields, first_seen, url from versions where key = ? order by version", [key]
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
    before = json.loads(versions[from_v]["fields"] or "{}")
    after = json.loads(versions[to_v]["fields"] or "{}")
    ops = char_diff(version_text(before), version_text(after))
    labels = {**dict(FIELD_LABELS), "paragraphs": "正文", "attachments": "附件"}
    return {
        "key": key,
        "title": after.get("title") or before.get("title") or key,
        "from_v": from_v,
        "to_v": to_v,
        "from_seen": versions[from_v]["first_seen"],
        "to_seen": versions[to_v]["first_seen"],
        "url": _http_only(versions[to_v]["url"]),
        "ops": ops,
        "inserted": sum(len(t) for op, t in ops if op == 1),
        "deleted": sum(len(t) for op, t in ops if op == -1),
        "fields": [labels.get(f, f) for f in changed_fields(before, after)],
        "versions": numbers,
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
        context["history_url"] = f"{db_path(name)}/history?{urlencode({'key': context['key']})}"
        context["pairs"] = [
            (a, b, "/-/govwatch/diff?" + urlencode({"key": context["key"], "from": a, "to": b}))
            for a, b in zip(context["versions"], context["versions"][1:], strict=False)
        ]
    except NotFound as exc:
        context["error"] = str(exc)
        status = 404
    html = await datasette.render_template("govwatch_diff.html", context, request=request)
    return Response.html(html, status=status)


async def atom_view(datasette: Any, request: Any) -> Response:
    from crawler.report.sinks.atom import build_entry, build_feed
    from crawler.store.codec import event_from_row

    name = database_name(datasette)
    db = datasette.get_database(name)
    rows = (await db.execute(f"select * from events order by id desc limit {ATOM_LIMIT}")).rows
    entries = [build_entry(event_from_row(dict(row))) for row in rows]
    body = build_feed(entries, f"{name}-events")
    return Response(body, content_type="application/atom+xml; charset=utf-8")
