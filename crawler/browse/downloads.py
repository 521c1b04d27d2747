"""Stored raw bytes leave Datasette only as downloads, never rendered.

A stored page is the evidence of a defacement: hostile markup and scripts, kept as fetched. It must
never be opened as a page of the archive's own origin. So:

- ``/-/govwatch/raw?table=versions&id=N`` (or ``table=fetches``) serves a stored page decompressed, as
  ``application/octet-stream`` with ``Content-Disposition: attachment``; a ``raw_html`` cell links
  there (``raw_link``) instead of showing bytes.
- ``secure_headers`` (an ASGI wrapper) adds ``X-Content-Type-Options: nosniff`` to every response, and
  to downloads of stored bytes (``.blob`` URLs, ``/-/govwatch/raw``) ``Content-Disposition: attachment``
  and ``Content-Security-Policy: sandbox; default-src 'none'`` — a browser that opened one anyway runs
  nothing in it. WARC records, when stored, follow the same rule.
- ``/-/govwatch/attachment?sha256=…`` serves a stored attachment the same way (a name made of its
  digest and sniffed type, never the site's); the ``attachments`` query's ``download`` cell links
  there (``attachment_link``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup, escape

RAW_PATH = "/-/govwatch/raw"
RAW_ROUTE = r"^/-/govwatch/raw$"
RAW_TABLES = ("versions", "fetches")
ATTACHMENT_PATH = "/-/govwatch/attachment"
ATTACHMENT_ROUTE = r"^/-/govwatch/attachment$"
_SHA = re.compile(r"sha256:[0-9a-f]{64}")
#: file name extensions by sniffed type (the download's name never comes from the site)
_EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "pptx": "pptx",
    "doc": "doc",
    "xls": "xls",
    "ppt": "ppt",
    "wps": "wps",
    "ofd": "ofd",
    "zip": "zip",
}
DOWNLOAD_CSP = "sandbox; default-src 'none'"


def download_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
    }


def raw_link(table: str | None, row: Any, value: bytes) -> Markup | None:
    """A ``raw_html`` cell: a download link (versions and fetches rows), else Datasette's default."""
    try:
        row_id = row["id"]
    except (KeyError, IndexError):
        return None
    if table not in RAW_TABLES or not isinstance(row_id, int):
        return None
    href = f"{RAW_PATH}?{urlencode({'table': table, 'id': row_id})}"
    label = f"下载原始网页 download raw HTML ({len(value)} bytes compressed)"
    return Markup(f'<a href="{escape(href)}" download>{escape(label)}</a>')


def _text(status: int, message: str) -> Response:
    return Response.text(message, status=status, headers={"X-Content-Type-Options": "nosniff"})


async def raw_view(datasette: Any, request: Any) -> Response:
    from crawler.browse.views import database_name
    from crawler.store.codec import decompress

    table = request.args.get("table") or ""
    raw_id = request.args.get("id") or ""
    if table not in RAW_TABLES or not raw_id.isdigit():
        return _text(400, f"give ?table= (one of {', '.join(RAW_TABLES)}) and ?id= (a row id)")
    db = datasette.get_database(database_name(datasette))
    rows = (await db.execute(f"select raw_html from {table} where id = ?", [int(raw_id)])).rows
    if not rows or rows[0]["raw_html"] is None:
        return _text(404, f"no stored page in {table} row {raw_id}")
    body = decompress(rows[0]["raw_html"]) or b""
    return Response(
        body,
        content_type="application/octet-stream",
        headers=download_headers(f"govwatch-{table}-{raw_id}.html"),
    )


def attachment_link(sha256: str) -> Markup | None:
    """A stored attachment's ``download`` cell: a link that downloads it."""
    if not _SHA.fullmatch(sha256):
        return None
    href = f"{ATTACHMENT_PATH}?{urlencode({'sha256': sha256})}"
    return Markup(f'<a href="{escape(href)}" download>{escape("下载 download " + sha256[7:19])}</a>')


async def attachment_view(datasette: Any, request: Any) -> Response:
    from crawler.browse.views import database_name
    from crawler.store.codec import decompress

    sha256 = request.args.get("sha256") or ""
    if not _SHA.fullmatch(sha256):
        return _text(400, "give ?sha256=sha256:<64 hex digits>")
    db = datasette.get_database(database_name(datasette))
    rows = (await db.execute("select data, type from attachment_files where sha256 = ?", [sha256])).rows
    if not rows or rows[0]["data"] is None:
        return _text(404, f"no stored attachment {sha256}")
    ext = _EXTENSIONS.get(rows[0]["type"], "bin")
    return Response(
        decompress(rows[0]["data"]) or b"",
        content_type="application/octet-stream",
        headers=download_headers(f"govwatch-attachment-{sha256[7:19]}.{ext}"),
    )


def _is_download(path: str) -> bool:
    return path.endswith(".blob") or path in (RAW_PATH, ATTACHMENT_PATH)


def secure_headers(app: Any) -> Any:
    """ASGI wrapper: nosniff everywhere; attachment and a sandboxing CSP for stored bytes."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        download = _is_download(scope.get("path", ""))

        async def send_secured(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {bytes(k).lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff")]
                if download:
                    extra += [
                        (b"content-disposition", b"attachment"),
                        (b"content-security-policy", DOWNLOAD_CSP.encode()),
                    ]
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_secured)

    return wrapped
