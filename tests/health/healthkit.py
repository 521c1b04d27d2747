"""Local sites for the site-health tests, and ``govwatch health`` as a real subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from crawler.demo.site import Page, SampleSite
from tests.helpers import NEWS, NOTICES, env_with


def column_entries(base_url: str, site: SampleSite, kinds: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"name": c.name, "url": base_url + site.column_url(c.id), "kind": kinds[c.id]}
        for c in site.columns.values()
    ]


def undated(site: SampleSite, page: Page) -> Page:
    """Serve ``page`` without any date of its own (the list still shows one)."""
    body = site.handle("GET", site.page_path(page)).body.decode("utf-8")
    body = re.sub(r'<meta name="PubDate"[^>]*>', "", body)
    body = body.replace(f'<td class="nr">{page.day.isoformat()}</td>', '<td class="nr"></td>')
    assert page.day.isoformat() not in body
    page.raw = body.encode("utf-8")
    return page


@dataclass
class LinkedSite:
    """A site of 10 releases with known defects: 2 without 索引号, 1 without publisher, 1 without a
    date; 8 distinct link URLs (5 attachments, 3 links), 3 of them broken, 1 on another host."""

    site: SampleSite
    news: list[Page]
    notices: list[Page]
    ok_urls: list[str] = field(default_factory=list)
    broken_urls: list[str] = field(default_factory=list)
    attachment_urls: list[str] = field(default_factory=list)

    @property
    def pages(self) -> list[Page]:
        return self.news + self.notices


def linked_site() -> LinkedSite:
    site = SampleSite(noise=False)
    site.add_column(NEWS, "发布实录")
    site.add_column(NOTICES, "通知公告")
    news = [site.add_page(NEWS, day=date(2022, 9, 14) - timedelta(days=i), top=False) for i in range(6)]
    notices = [site.add_page(NOTICES, day=date(2022, 8, 1) - timedelta(days=i), top=False) for i in range(4)]
    for page in (news[4], notices[2]):
        page.index_no = None
    news[5].publisher = ""
    return LinkedSite(site, news, notices)


def add_links(ls: LinkedSite, base_url: str, other_host_url: str) -> None:
    """Attachments and links, once the server's address is known."""
    site, news, notices = ls.site, ls.news, ls.notices
    path = site.page_path
    a_ok1 = f"{path(news[1])}?file=a1.pdf"
    a_ok2 = "/index.html?file=a2.docx"
    a_ok3 = f"{path(notices[0])}?download=a5.xls"
    a_bad1 = "/files/a3.pdf"
    a_bad2 = "/files/a4.doc"
    l_ok = path(news[3])
    l_bad = "/art/2020/1/1/art_1229037214_1.html"
    l_offsite = other_host_url + site.column_url(NEWS)
    news[0].attachments = [("附件1.pdf", a_ok1), ("附件3.pdf", a_bad1)]
    news[1].attachments = [("附件2.docx", a_ok2)]
    news[2].attachments = [("附件3.pdf", a_bad1), ("附件4.doc", a_bad2)]  # the same broken file twice
    notices[0].attachments = [("附件5.xls", a_ok3)]
    news[0].links = [("相关政策", l_ok), ("旧文", l_bad)]
    notices[1].links = [("外部网站", l_offsite)]
    undated(site, notices[3])  # after the links: its raw copy is fixed
    absolute = lambda p: p if p.startswith("http") else base_url + p  # noqa: E731
    ls.ok_urls = [absolute(u) for u in (a_ok1, a_ok2, a_ok3, l_ok, l_offsite)]
    ls.broken_urls = [absolute(u) for u in (a_bad1, a_bad2, l_bad)]
    ls.attachment_urls = [absolute(u) for u in (a_ok1, a_ok2, a_ok3, a_bad1, a_bad2)]


def run_health(config: Path, *args: str, now: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "crawler", "health", "--config", str(config), *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env=env_with(now), cwd=config.parent
    )


def health_json(config: Path, *args: str, now: str | None = None) -> dict[str, Any]:
    proc = run_health(config, "--json", *args, now=now)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
