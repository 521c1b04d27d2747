"""The 核对 Verify page (``/-/govwatch/verify``) and a release's history as WARC (``/-/govwatch/warc``):
a Datasette plugin module of its own, registered beside ``crawler.browse.plugin``.

- A reader pastes a page's HTML — or gives a URL on a host the archive's releases were fetched
  from, fetched under the URL policy (``crawler.net.fetch``, every redirect held to those hosts) —
  and sees the verdict of ``govwatch verify``: faithful, differs (each passage beside the official
  text, insertions and deletions highlighted) or not in the archive. The pasted page is read, never
  stored, and shown only as the normalizer's text, autoescaped: never rendered as HTML.
- The form is a POST: Datasette's CSRF protection (``asgi-csrf``) requires its token whenever the
  request carries the CSRF cookie, and the view refuses a POST without that cookie (asgi-csrf
  checks nothing then); ``bounded_posts`` refuses a body over ``MAX_POST`` bytes before anything
  reads it.
- ``/-/govwatch/warc?key=…`` downloads every stored page of one release as WARC 1.1
  (``crawler.export.warc``): ``Content-Disposition: attachment``, ``nosniff`` and the sandboxing CSP
  of every stored-bytes download (``crawler.browse.downloads``).

Everything reads through Datasette's read-only connections (``execute_fn``): nothing is written.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any
from urllib.parse import urlencode, urlsplit

from datasette import hookimpl
from datasette.utils.asgi import Response

from crawler.browse.downloads import download_headers
from crawler.browse.metadata import db_path

VERIFY_PATH = "/-/govwatch/verify"
WARC_PATH = "/-/govwatch/warc"
#: the largest form a reader may post (a saved government page is far smaller)
MAX_POST = 5 * 1024 * 1024
#: a larger form is read (and thrown away) up to this much so that the client hears the 413
DRAIN_LIMIT = 4 * MAX_POST
FETCH_TIMEOUT = 20.0
PASTED_HEADERS = {"content-type": "text/html; charset=utf-8"}
#: Datasette's CSRF cookie: a POST must carry it (and the form's matching token)
CSRF_COOKIE = "ds_csrftoken"


def _database(datasette: Any) -> tuple[str, Any]:
    from crawler.browse.views import database_name

    name = database_name(datasette)
    return name, datasette.get_database(name)


def _origins(url: str) -> list[str]:
    """``scheme://host[:port]`` of ``url`` in its http and https spellings ([] when it has none)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return []
    if not host or parts.scheme.lower() not in ("http", "https"):
        return []
    loc = f"[{host}]" if ":" in host else host
    return [f"{scheme}://{loc}" + (f":{port}" if port else "") for scheme in ("http", "https")]


async def _fetch(db: Any, url: str) -> tuple[bytes, str, dict[str, str]]:
    """A page of a watched site, fetched under the URL policy; ValueError (one line) when refused."""
    from crawler.net.fetch import FetchError, fetch_page
    from crawler.store.archive import ArchiveReader

    def watched(conn: Any, candidate: str) -> bool:
        return ArchiveReader(conn).knows_origin(_origins(candidate))

    if not _origins(url):
        raise ValueError(f"{url!r} is not an http(s) URL")
    if not await db.execute_fn(lambda conn: watched(conn, url)):
        raise ValueError(f"{url} is not on a host of a watched site: paste the page's HTML instead")

    def admit(candidate: str) -> str | None:
        # a redirect may only lead to another watched host (asked from the fetching thread)
        future = asyncio.run_coroutine_threadsafe(db.execute_fn(lambda conn: watched(conn, candidate)), loop)
        return None if future.result(timeout=FETCH_TIMEOUT) else "not a host of a watched site"

    loop = asyncio.get_running_loop()
    try:
        page = await asyncio.to_thread(fetch_page, url, timeout=FETCH_TIMEOUT, admit=admit)
    except FetchError as exc:
        raise ValueError(f"cannot fetch {exc}") from None
    if page.status >= 400:
        raise ValueError(f"cannot fetch {url}: HTTP {page.status}")
    return page.body, page.url, page.headers


def _passage_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each passage with its texts split for highlighting: official side (equal + deleted) and copy
    side (equal + inserted)."""
    rows = []
    for p in result.get("passages") or []:
        official: list[tuple[str, str]] = []
        copy: list[tuple[str, str]] = []
        if p["change"] == "altered":
            for op, text in p["ops"]:
                if op <= 0:
                    official.append(("del" if op else "same", text))
                if op >= 0:
                    copy.append(("ins" if op else "same", text))
        elif p["change"] == "inserted":
            copy = [("ins", p["copy"] or "")]
        else:
            official = [("del", p["official"] or "")]
        rows.append({**p, "official_parts": official, "copy_parts": copy})
    return rows


async def verify_view(datasette: Any, request: Any) -> Response:
    from crawler.store.archive import ArchiveReader
    from crawler.verify import VerifyError, verify

    name, db = _database(datasette)
    context: dict[str, Any] = {
        "database": name,
        "db_path": db_path(name),
        "max_kb": MAX_POST // 1024,
        "error": None,
        "result": None,
        "url": "",
        "served_url": "",
    }
    status = 200
    if request.method == "POST" and CSRF_COOKIE not in request.cookies:
        # asgi-csrf checks the form's token against this cookie, and checks nothing without one
        context["error"] = "the form's token is missing: open the form and send it again"
        status = 403
    elif request.method == "POST":
        form = await request.post_vars()
        pasted = form.get("html") or ""
        url = (form.get("url") or "").strip()
        served = (form.get("served_url") or "").strip() or None
        context.update(url=url, served_url=served or "")
        try:
            if url:
                body, fetched, headers = await _fetch(db, url)
                served = served or fetched
            elif pasted.strip():
                body, headers = pasted.encode("utf-8"), PASTED_HEADERS
            else:
                raise ValueError("paste a page's HTML or give its URL")
            verdict = await db.execute_fn(lambda conn: verify(body, served, ArchiveReader(conn), headers))
            result = verdict.to_dict()
            context["result"] = result
            context["passages"] = _passage_rows(result)
            if result["match"]:
                key = result["match"]["key"]
                context["history_url"] = f"{db_path(name)}/history?{urlencode({'key': key})}"
                context["warc_url"] = f"{WARC_PATH}?{urlencode({'key': key})}"
        except (ValueError, VerifyError) as exc:
            context["error"] = str(exc)
            status = 400
    html = await datasette.render_template("govwatch_verify.html", context, request=request)
    return Response.html(html, status=status)


async def warc_view(datasette: Any, request: Any) -> Response:
    from crawler.export.warc import WarcExport
    from crawler.store.archive import ArchiveReader
    from crawler.store.evidence import stored_pages

    _name, db = _database(datasette)
    key_or_url = (request.args.get("key") or "").strip()
    if not key_or_url:
        return _text(400, "give a release: ?key=索引号 (or a URL)")

    def build(conn: Any) -> tuple[str, bytes] | None:
        reader = ArchiveReader(conn)
        found = reader.by_key(key_or_url) or next(iter(reader.by_urls([key_or_url])), None)
        if found is None:
            return None
        out = io.BytesIO()
        WarcExport(out, filename="release.warc.gz").add_all(stored_pages(conn, key=found.key))
        return found.key, out.getvalue()

    built = await db.execute_fn(build)
    if built is None:
        return _text(404, f"no release with key or URL {key_or_url!r}")
    key, data = built
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)[:80]
    return Response(
        data, content_type="application/warc", headers=download_headers(f"govwatch-{safe}.warc.gz")
    )


def _text(status: int, message: str) -> Response:
    return Response.text(message, status=status, headers={"X-Content-Type-Options": "nosniff"})


def bounded_posts(app: Any) -> Any:
    """ASGI wrapper: a POST to the verify page is read here first, at most ``MAX_POST`` bytes kept (413
    beyond, by its declared length or as it arrives; the rest is read and dropped, up to
    ``DRAIN_LIMIT``, so the client hears the answer), then handed on."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("path") != VERIFY_PATH or scope.get("method") != "POST":
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > MAX_POST
        if declared.isdigit() and int(declared) > DRAIN_LIMIT:
            more = False  # not worth reading even to discard: answer and let the connection go
        else:
            more = True
        chunks: list[bytes] = []
        size = 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_POST:
                too_large = True  # kept reading (and discarding) so the client hears the answer
                chunks.clear()
            else:
                chunks.append(chunk)
            more = message.get("more_body", False) and size <= DRAIN_LIMIT
        if too_large:
            body = f"the form is larger than {MAX_POST // (1024 * 1024)} MB".encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"x-content-type-options", b"nosniff"),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed() -> dict[str, Any]:
            return replay.pop() if replay else await receive()

        await app(scope, replayed, send)

    return wrapped


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/govwatch/verify$", verify_view), (r"^/-/govwatch/warc$", warc_view)]


@hookimpl
def asgi_wrapper() -> Any:
    return bounded_posts
