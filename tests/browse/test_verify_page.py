"""The 核对 Verify page of ``govwatch serve``, in headless Chromium over a database filled by real
crawls: paste a copy, or give a URL of the watched site, and read the verdict with the passages
highlighted; the pasted page is never stored nor rendered. A release's history downloads as WARC."""

from __future__ import annotations

import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.demo.server import SiteServer
from crawler.demo.server import serve as serve_site
from tests.browse.browsekit import Archive, Server, crawl_archive, make_site, serve
from tests.browse.test_browse_server import shot

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

BIO = "关于专家组 某某科技有限公司执行董事张某某，毕业于某某大学。"
MARKER = "pasted-marker-element"


@dataclass
class Live:
    archive: Archive
    site_server: SiteServer

    def page_url(self, page) -> str:
        return self.site_server.url + self.archive.site.page_path(page)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("verify-page")
    site, pages = make_site()
    with serve_site(site) as site_server:  # kept up: the page fetches URLs of the watched site
        yield Live(crawl_archive(tmp, site_server.url, site, pages), site_server)


@pytest.fixture(scope="module")
def server(live: Live) -> Iterator[Server]:
    archive = live.archive
    with serve("--config", str(archive.config), db_name="govwatch", cwd=archive.config.parent) as s:
        yield s


@pytest.fixture
def page(browser, server: Server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    assert pg.dialogs == [], f"a pasted page ran script: {pg.dialogs}"
    context.close()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=20) as resp:
        return resp.read()


def counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (
            conn.execute("SELECT count(*) FROM fetches").fetchone()[0],
            conn.execute("SELECT count(*) FROM versions").fetchone()[0],
        )


def test_a_pasted_copy_with_an_inserted_bio(page, server: Server, live: Live) -> None:
    archive = live.archive
    before = counts(archive.db)
    html = fetch(live.page_url(archive.qz)).decode("utf-8")
    paragraph = "衢州市数字化改革取得成效。</p>"
    assert paragraph in html
    hostile = f'<div id="{MARKER}"><script>alert("pasted")</script><img src=x onerror="alert(2)"></div>'
    pasted = html.replace(paragraph, f"{paragraph}<p>{BIO}</p>").replace("</body>", hostile + "</body>")

    page.goto(server.url + "/")
    page.locator("a", has_text="核对副本").first.click()
    page.wait_for_url(re.compile(r"/-/govwatch/verify$"))
    page.locator("textarea[name=html]").fill(pasted)
    page.locator("input[name=served_url]").fill("https://copies.example.org/qz.html")
    page.locator("input[type=submit]").click()
    page.wait_for_selector(".govwatch-verdict")
    assert page.locator(".govwatch-verdict h2").inner_text().startswith("有差异")
    assert page.locator("tr.govwatch-passage-inserted ins").all_inner_texts() == [BIO]
    assert "copies.example.org" in page.locator(".govwatch-host-warning").inner_text()
    assert page.locator(f"#{MARKER}").count() == 0  # the pasted markup is never part of the page
    shot(page, "10-verify-differs", full_page=True)
    assert counts(archive.db) == before  # nothing stored

    # a name altered: the official text beside the copy's, the change marked on both sides
    page.goto(server.url + "/-/govwatch/verify")
    page.locator("textarea[name=html]").fill(
        html.replace("会议要求各地认真完成自查", "会议要求各地认真完成整改")
    )
    page.locator("input[type=submit]").click()
    page.wait_for_selector(".govwatch-verdict")
    row = page.locator("tr.govwatch-passage-altered")
    assert row.locator("del").all_inner_texts() == ["自查"]
    assert row.locator("ins").all_inner_texts() == ["整改"]


def test_a_url_of_the_watched_site_and_one_elsewhere(page, server: Server, live: Live) -> None:
    archive = live.archive
    page.goto(server.url + "/-/govwatch/verify")
    page.locator("input[name=url]").fill(live.page_url(archive.qz))
    page.locator("input[type=submit]").click()
    page.wait_for_selector(".govwatch-verdict")
    assert page.locator(".govwatch-verdict h2").inner_text().startswith("一致")
    assert "v2 of 2" in page.locator(".govwatch-verdict-facts").inner_text()
    shot(page, "11-verify-faithful")

    elsewhere = live.page_url(archive.qz).replace("127.0.0.1", "localhost")  # not a host of the site
    page.goto(server.url + "/-/govwatch/verify")
    page.locator("input[name=url]").fill(elsewhere)
    page.locator("input[type=submit]").click()
    error = page.locator(".message-error").inner_text()
    assert "not on a host of a watched site" in error

    # a URL of the site that redirects elsewhere: the redirect is not followed
    archive.site.redirects["/go-elsewhere.html"] = elsewhere
    page.goto(server.url + "/-/govwatch/verify")
    page.locator("input[name=url]").fill(live.site_server.url + "/go-elsewhere.html")
    page.locator("input[type=submit]").click()
    error = page.locator(".message-error").inner_text()
    assert "refused: not a host of a watched site" in error and "localhost" in error


def test_the_history_links_its_warc(page, server: Server, live: Live) -> None:
    archive = live.archive
    page.goto(f"{server.url}/govwatch/history?" + urllib.parse.urlencode({"key": archive.qz.index_no}))
    links = page.locator("td.col-warc a")
    assert links.count() == 2
    href = links.first.get_attribute("href")
    assert href == "/-/govwatch/warc?" + urllib.parse.urlencode({"key": archive.qz.index_no})
    with urllib.request.urlopen(server.url + href, timeout=20) as resp:
        headers, data = resp.headers, resp.read()
    assert headers["Content-Disposition"].startswith("attachment;")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"] == "application/warc"
    kinds = [r.rec_type for r in ArchiveIterator(BytesIO(data))]
    assert kinds.count("response") == 2 and kinds[0] == "warcinfo"


def _post(server: Server, data: bytes, cookie: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(server.url + "/-/govwatch/verify", data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_posts_need_the_form_token_and_stay_small(server: Server) -> None:
    form = urllib.parse.urlencode({"html": "<p>x</p>"}).encode()
    assert _post(server, form)[0] == 403  # no CSRF cookie: refused
    assert _post(server, form, cookie="ds_csrftoken=forged")[0] == 403  # token and cookie do not match
    status, body = _post(server, b"html=" + b"x" * (6 * 1024 * 1024))
    assert status == 413 and "larger than 5 MB" in body
