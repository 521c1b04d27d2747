"""The archive the browse tests look at, filled by real crawls of a local Hanweb-style site, and a real
``govwatch serve`` process over it."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from crawler.demo.site import Page, SampleSite, build_site
from crawler.demo.story import REFERENCE_PATH, reference_page
from tests.helpers import NEWS, NOTICES, REPO, free_port, run_crawl, site_entry, write_config

REF_KEY = "11330800002618015K/2022-134528"
ARTIFACTS = REPO / "tests" / "artifacts" / "browse"

QZ_TITLE = "衢州市数字化改革推进会召开"
HZ_TITLE = "杭州市西湖区防汛工作通知"
XSS_TEXT = "<script>alert(1)</script>"
XSS_TITLE = f"关于{XSS_TEXT}字样的说明"


@dataclass
class Archive:
    db: Path
    config: Path
    site: SampleSite
    qz: Page  # edited between the crawls: version 2 exists
    hz: Page  # no 衢州 anywhere; its page fails in the second crawl (fail_after: 1)
    xss: Page  # hostile text in title and body
    raw_script: Page  # a real <script> element inside a body paragraph


def _raw_script_page(site: SampleSite) -> Page:
    page = site.add_page(NOTICES, day=date(2022, 9, 10), title="关于调整办事指南的公告")
    html = site._hanweb_detail(page)
    marker = '<p style="text-indent: 2em;">'
    assert marker in html
    html = html.replace(marker, marker + "<script>alert(3)</script>", 1)
    page.raw = html.encode("utf-8")
    page.raw_path = site.page_path(page)
    return page


def make_site() -> tuple[SampleSite, dict[str, Page]]:
    site = build_site(8, per_page=5)
    site.add_page(
        NEWS,
        day=date(2022, 9, 14),
        title="“‘浙’十年·衢州”主题新闻发布会答问实录",
        index_no=REF_KEY,
        raw=reference_page(),
        raw_path=REFERENCE_PATH,
    )
    pages = {
        "qz": site.add_page(
            NEWS,
            day=date(2022, 9, 16),
            title=QZ_TITLE,
            paragraphs=["衢州市数字化改革取得阶段性成效。", "会议要求各地完成自查，按时报送。"],
        ),
        "hz": site.add_page(
            NOTICES, day=date(2022, 9, 15), title=HZ_TITLE, paragraphs=["西湖区各街道要做好防汛准备。"]
        ),
        "xss": site.add_page(
            NOTICES,
            day=date(2022, 9, 13),
            title=XSS_TITLE,
            paragraphs=[f"正文包含{XSS_TEXT}字样。", "<img src=x onerror=alert(2)>图片说明"],
        ),
        "raw_script": _raw_script_page(site),
    }
    return site, pages


def crawl_archive(tmp: Path, base_url: str, site: SampleSite, pages: dict[str, Page]) -> Archive:
    config = write_config(tmp, [site_entry(base_url, site, revisit="always", fail_after=1)])
    first = run_crawl(config)
    assert first.returncode == 0 and first.run["status"] == "ok", first
    assert [e["key"] for e in first.events if e["type"] == "tampered"] == [REF_KEY], first

    qz = pages["qz"]
    site.edit(qz.id, "阶段性成效", "成效")
    site.edit(qz.id, "各地完成", "各地认真完成")
    site.fault(site.page_path(pages["hz"]), sticky="500")
    second = run_crawl(config)
    assert second.returncode == 0, second
    types = {e["type"]: e for e in second.events}
    assert types["changed"]["index_no"] == qz.index_no and types["changed"]["version"] == 2, second
    assert types["fetch_failed"]["index_no"] == pages["hz"].index_no, second
    return Archive(tmp / "govwatch.db", config, site, qz, pages["hz"], pages["xss"], pages["raw_script"])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    db_name: str

    def get(self, path: str, **params: Any) -> tuple[int, bytes, str]:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        try:
            with urllib.request.urlopen(self.url + path + query, timeout=20) as resp:
                return resp.status, resp.read(), resp.headers.get("content-type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers.get("content-type", "")

    def json(self, path: str, **params: Any) -> Any:
        status, body, _ = self.get(path, **params)
        assert status == 200, (path, status, body[:2000])
        return json.loads(body)


@contextlib.contextmanager
def serve(*args: str, db_name: str, cwd: Path) -> Iterator[Server]:
    """``python -m crawler serve … --port FREE`` until it answers; stopped (by its pid) afterwards."""
    port = free_port()
    log = cwd / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler", "serve", *args, "--port", str(port)],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", proc, db_name)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited {proc.returncode}: {log.read_text(errors='replace')}")
            try:
                if server.get("/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"serve did not answer: {log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
