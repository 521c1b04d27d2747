"""The archive lists each version's attachments and serves the stored files as downloads only."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import SampleSite
from tests.attachments import docs
from tests.helpers import NEWS, rows, run_crawl, site_entry, write_config
from tests.hostile.kit import serving_archive

pytestmark = pytest.mark.slow  # a real crawl and a real Datasette

HOSTILE = b"<html><body><script>alert('attachment ran')</script></body></html>"


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_attachments_per_version_with_downloads_never_rendered(tmp_path: Path) -> None:
    site = SampleSite()
    site.add_column(NEWS, "发布实录")
    pdf = site.add_file("/fj/fangan.pdf", docs.pdf("衢州市数字化改革实施方案"), "application/pdf")
    fake = site.add_file("/fj/biao.pdf", HOSTILE, "text/html")
    site.add_page(
        NEWS,
        title="关于印发实施方案的通知",
        paragraphs=["现将实施方案印发给你们。"],
        attachments=[("实施方案.pdf", pdf), ("附表.pdf", fake)],
    )
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site)])
        assert run_crawl(config).run["status"] == "ok"
    db = tmp_path / "govwatch.db"
    key = rows(db, "SELECT key FROM releases")[0]["key"]
    with serving_archive("--db", str(db), cwd=tmp_path) as archive:
        status, _, body = _get(
            archive.url + f"/govwatch/attachments.json?key={urllib.parse.quote(key)}&_shape=array"
        )
        assert status == 200, body
        listed = json.loads(body)
        assert [(a["name"], a["type"], a["text_status"]) for a in listed] == [
            ("实施方案.pdf", "pdf", "ok"),
            ("附表.pdf", "html", "unsupported"),
        ]
        assert listed[1]["warning"] == ".pdf is html"
        _, _, page = _get(archive.url + f"/govwatch/attachments?key={urllib.parse.quote(key)}")
        assert b"/-/govwatch/attachment?sha256=sha256%3A" in page and b"download" in page
        # the release page lists each version's files, the stored ones as downloads
        status, _, release = _get(archive.url + f"/-/govwatch/release?key={urllib.parse.quote(key)}")
        assert status == 200, release
        page_text = release.decode()
        assert "附件 实施方案.pdf" in page_text and "附件 附表.pdf" in page_text
        assert page_text.count('href="/-/govwatch/attachment?sha256=sha256%3A') == 2
        assert "download>下载" in page_text and ".pdf is html" in page_text
        assert "<script>alert" not in page_text
        _, _, history = _get(archive.url + f"/govwatch/history?key={urllib.parse.quote(key)}")
        assert "实施方案.pdf、附表.pdf".encode() in history

        status, head, data = _get(
            archive.url + "/-/govwatch/attachment?sha256=" + urllib.parse.quote(listed[1]["download"])
        )
        assert status == 200 and data == HOSTILE
        assert head["content-type"] == "application/octet-stream"
        assert (
            head["content-disposition"].startswith("attachment")
            and head["content-disposition"].endswith('.html"') is False
        )
        assert head["x-content-type-options"] == "nosniff" and "sandbox" in head["content-security-policy"]
        assert _get(archive.url + "/-/govwatch/attachment?sha256=nope")[0] == 400
