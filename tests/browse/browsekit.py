"""The archive the browse tests look at, filled by real crawls of a local Hanweb-style site on four days
(the clock moved with ``GOVWATCH_NOW``, the site changed between crawls), plus one release recorded
through the store API whose every field is hostile; and a real ``govwatch serve`` process over it.

Day 1: the baseline, and the defaced reference page's ``tampered``. Day 2: one release published
(``new``), one silently edited (``changed``), one withdrawn (404), one failing (HTTP 500,
``fetch_failed`` at once: ``fail_after: 1``). Day 3: the withdrawn release gone again (``removed``),
spam injected into another (``tampered``). Day 4: the withdrawn release back (``restored``)."""

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
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.demo.site import Page, SampleSite, build_site
from crawler.demo.story import add_reference_page
from tests.helpers import NEWS, NOTICES, REPO, free_port, run_crawl, site_entry, write_config

REF_KEY = "11330800002618015K/2022-134528"
ARTIFACTS = REPO / "tests" / "artifacts" / "browse"

QZ_TITLE = "衢州市数字化改革推进会召开"
NEW_TITLE = "衢州市第二批数字化改革最佳应用名单公布"
GONE_TITLE = "关于公布第一批行政审批中介服务事项的通知"
SPAM_TITLE = "衢州市文化广电旅游局关于开展文明旅游宣传活动的通知"
SPAM_HTML = '<div style="display:none">bet365 日博365 <a href="http://spam.example/">365bet备用网址</a></div>'
#: the hostile release recorded through the store API: every field a reader sees carries markup
HOSTILE_KEY = "HOSTILE-<script>alert('key')</script>"
HOSTILE_SITE = "<i>hostile</i>"
HOSTILE_URL = "javascript:alert('url ran')"
HOSTILE_TITLE = "关于<script>alert('title ran')</script>的说明"
HOSTILE_BODY = ["正文<script>alert('body ran')</script>第一段", "<img src=x onerror=alert('img ran')>第二段"]
HOSTILE_EVIDENCE = "<script>alert('evidence ran')</script>bet365"
DAYS = 4
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
    new: Page  # published on day 2
    gone: Page  # withdrawn on day 2, removed on day 3, back on day 4
    spam: Page  # spam injected on day 3
    days: list[str]  # GOVWATCH_NOW of each crawl
    base_url: str  # the sample site's


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
    add_reference_page(site, NEWS)
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


def crawl_days(today: date | None = None) -> list[str]:
    """The four crawl times, ending today (so "the last N days" queries see them), 09:00 China time."""
    last = today or datetime.now().date()
    return [f"{last - timedelta(days=DAYS - 1 - i)}T09:00:00+08:00" for i in range(DAYS)]


def crawl_archive(tmp: Path, base_url: str, site: SampleSite, pages: dict[str, Page]) -> Archive:
    config = write_config(tmp, [site_entry(base_url, site, revisit="always", fail_after=1)])
    days = crawl_days()
    special = {p.id for p in pages.values()}
    plain = [p for p in site.all_pages() if p.id not in special and p.index_no != REF_KEY]
    gone = next(p for p in plain if p.column == NOTICES)
    gone.title = GONE_TITLE
    spam = next(p for p in plain if p.column == NEWS)
    spam.title = SPAM_TITLE

    first = run_crawl(config, now=days[0])
    assert first.returncode == 0 and first.run["status"] == "ok", first
    assert [e["key"] for e in first.events if e["type"] == "tampered"] == [REF_KEY], first

    qz = pages["qz"]
    new = site.add_page(NEWS, day=date.fromisoformat(days[1][:10]), title=NEW_TITLE)
    site.edit(qz.id, "阶段性成效", "成效")
    site.edit(qz.id, "各地完成", "各地认真完成")
    site.fault(site.page_path(pages["hz"]), sticky="500")
    site.withdraw(gone.id, how="gone")
    second = run_crawl(config, now=days[1])
    assert second.returncode == 0, second
    types = {e["type"]: e for e in second.events}
    assert types["changed"]["index_no"] == qz.index_no and types["changed"]["version"] == 2, second
    assert types["fetch_failed"]["index_no"] == pages["hz"].index_no, second
    assert types["new"]["title"] == NEW_TITLE and not types["new"]["baseline"], second

    spam.extra_html = SPAM_HTML
    third = run_crawl(config, now=days[2])
    assert third.returncode == 0, third
    assert {e["type"] for e in third.events} >= {"removed", "tampered"}, third

    site.restore(gone.id)
    fourth = run_crawl(config, now=days[3])
    assert fourth.returncode == 0, fourth
    assert "restored" in fourth.types(), fourth

    db = tmp / "govwatch.db"
    record_hostile(db, days[3])
    return Archive(
        db, config, site, qz, pages["hz"], pages["xss"], pages["raw_script"], new, gone, spam, days, base_url
    )


def record_hostile(db: Path, when: str) -> None:
    """A release whose URL is ``javascript:``, whose title, body, attachment and flag evidence carry
    script, stored in two versions (so it has a diff, a ``changed`` and a ``tampered`` event)."""
    from crawler.model import Fetch, Flag, Release
    from crawler.store import Store

    store = Store(db)
    try:
        for n, extra in enumerate(["", "（修订）"], 1):
            release = Release(
                url=HOSTILE_URL,
                index_no=HOSTILE_KEY,
                title=HOSTILE_TITLE + extra,
                publisher="<b>机构</b>",
                written_date="2022-09-12",
                published_at="2022-09-12 10:00",
                paragraphs=[*HOSTILE_BODY, f"第{n}版"],
                attachments=[
                    {"name": "<script>alert('att')</script>附件", "url": "javascript:alert('att ran')"}
                ],
            )
            flags = [Flag("spam_lexicon", "critical", HOSTILE_EVIDENCE, "<script>loc</script>", certain=True)]
            at = (datetime.fromisoformat(when) + timedelta(minutes=n)).isoformat()
            fetch = Fetch(
                url=HOSTILE_URL,
                site=HOSTILE_SITE,
                outcome="ok",
                status=200,
                body=f"<html><script>alert('raw {n}')</script>{HOSTILE_TITLE}</html>".encode(),
                column="<b>栏目</b>",
                column_url=HOSTILE_URL,
                fetched_at=at,
            )
            store.record(fetch, release, flags)
    finally:
        store.close()


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
def serve(*args: str, db_name: str, cwd: Path, preexec_fn: Any = None) -> Iterator[Server]:
    """``python -m crawler serve … --port FREE`` until it answers; stopped (by its pid) afterwards.
    ``preexec_fn`` runs in the child before serve starts (e.g. to drop privileges)."""
    port = free_port()
    log = cwd / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler", "serve", *args, "--port", str(port)],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn,
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
