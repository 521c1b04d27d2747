"""Stored pages as WARC 1.1 (ISO 28500), written with warcio: what archivists, replay tools (pywb,
ReplayWeb.page) and courts read.

Per stored page (``crawler.store.StoredPage``), in fetch order after one ``warcinfo`` record:

- a page kept with its evidence: a ``response`` record — the status line and headers as received,
  made true to the stored body (``Content-Encoding`` and ``Transfer-Encoding`` dropped: the body is
  kept decoded; ``Content-Length`` recomputed), ``WARC-IP-Address`` the address that answered — and a
  ``request`` record (the method, path, ``Host`` and the headers sent);
- a page stored before evidence was kept: a ``resource`` record with the body it has;
- either way a ``metadata`` record (``application/json``, ``WARC-Concurrent-To`` the page's record):
  the release key, version, content hash, govwatch's normalized fields and integrity flags, and the
  original values of every header changed above.

Digests (``WARC-Block-Digest``, ``WARC-Payload-Digest``) are computed by warcio; ``warcio check``
verifies them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import __version__
from crawler.store.evidence import StoredPage, reason_phrase

#: response headers that describe the bytes on the wire, not the body as stored
WIRE_ONLY = ("content-encoding", "transfer-encoding")
CHANGED = ("content-encoding", "transfer-encoding", "content-length")
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def warc_date(iso: str) -> str:
    """An ISO 8601 time (any offset) as a WARC-Date: UTC, ``Z``."""
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if dt.tzinfo is None:
        from crawler.clock import CHINA

        dt = dt.replace(tzinfo=CHINA)
    dt = dt.astimezone(UTC)
    stamp = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        stamp += f".{dt.microsecond:06d}"
    return stamp + "Z"


def true_headers(
    headers: list[tuple[str, str]], body: bytes
) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """``(headers true to the stored body, original values of the headers changed)``."""
    out: list[tuple[str, str]] = []
    original: dict[str, list[str]] = {}
    length_at: int | None = None
    for name, value in headers:
        lower = name.lower()
        if lower in CHANGED:
            original.setdefault(name, []).append(value)
        if lower in WIRE_ONLY:
            continue
        if lower == "content-length":
            if length_at is None:
                length_at = len(out)
                out.append((name, str(len(body))))
            continue
        out.append((name, value))
    if length_at is None:
        out.append(("Content-Length", str(len(body))))
    return out, original


def _target(page: StoredPage) -> str:
    return page.final_url or page.url


def _request_line(page: StoredPage) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(_target(page))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)] + [(k, v) for k, v in page.request_headers if k.lower() != "host"]
    return f"{page.method or 'GET'} {path} HTTP/1.1", headers


def metadata(page: StoredPage, original: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "govwatch": __version__,
        "record": page.kind,
        "site": page.site,
        "key": page.key,
        "version": page.version,
        "content_hash": page.content_hash,
        "fetched_at": page.fetched_at,
        "url": page.url,
        "final_url": page.final_url,
        "ip_address": page.ip_address,
        "original_headers": original,
        "fields": page.fields,
        "flags": page.flags,
    }


class WarcExport:
    """Write stored pages to ``out`` as WARC 1.1 (gzip per record unless ``gzip=False``)."""

    def __init__(self, out: BinaryIO, *, gzip: bool = True, filename: str = "govwatch.warc.gz") -> None:
        self.writer = WARCWriter(out, gzip=gzip, warc_version="1.1")
        self.records = 0
        self.pages = 0
        self.writer.write_record(
            self.writer.create_warcinfo_record(
                filename,
                {
                    "software": f"govwatch/{__version__} (warcio)",
                    "format": "WARC File Format 1.1",
                    "conformsTo": CONFORMS_TO,
                    "description": "Pages of government sites as govwatch fetched and stored them, "
                    "with the normalized release and integrity flags of each",
                },
            )
        )
        self.records += 1

    def _put(self, record: Any) -> str:
        self.writer.write_record(record)
        self.records += 1
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    def add(self, page: StoredPage) -> None:
        uri = _target(page)
        date = warc_date(page.fetched_at)
        original: dict[str, list[str]] = {}
        if page.kind == "response":
            headers, original = true_headers(page.headers, page.body)
            status = page.status or 200
            http = StatusAndHeaders(
                f"{status} {page.reason or reason_phrase(status)}".strip(),
                headers,
                protocol=page.protocol or "HTTP/1.1",
            )
            warc_headers = {"WARC-Date": date}
            if page.ip_address:
                warc_headers["WARC-IP-Address"] = page.ip_address
            response = self.writer.create_warc_record(
                uri,
                "response",
                payload=BytesIO(page.body),
                length=len(page.body),
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
            main_id = self._put(response)
            line, request_headers = _request_line(page)
            request = self.writer.create_warc_record(
                uri,
                "request",
                payload=BytesIO(b""),
                length=0,
                http_headers=StatusAndHeaders(line, request_headers, is_http_request=True),
                warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": main_id},
            )
            self._put(request)
        else:
            encoding = page.fields.get("encoding")
            content_type = "text/html" + (f"; charset={encoding}" if encoding else "")
            resource = self.writer.create_warc_record(
                uri,
                "resource",
                payload=BytesIO(page.body),
                length=len(page.body),
                warc_content_type=content_type,
                warc_headers_dict={"WARC-Date": date},
            )
            main_id = self._put(resource)
        payload = json.dumps(metadata(page, original), ensure_ascii=False, sort_keys=True).encode("utf-8")
        meta = self.writer.create_warc_record(
            uri,
            "metadata",
            payload=BytesIO(payload),
            length=len(payload),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": main_id},
        )
        self._put(meta)
        self.pages += 1

    def add_all(self, pages: Iterable[StoredPage]) -> int:
        for page in pages:
            self.add(page)
        return self.pages
