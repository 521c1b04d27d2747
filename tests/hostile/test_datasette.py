"""Datasette safe by default (finding 8 of the hostile-site review): ``serve`` binds 127.0.0.1, runs no
SQL of the visitor's own unless ``--allow-sql`` (tables, search, canned queries and the feed work
without it), serves stored pages only as downloads (attachment, nosniff, a sandboxing CSP), and
``bigrams()`` refuses inputs too long to be bounded by the SQL time limit."""

from __future__ import annotations

import sqlite3
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.chromium import CHROMIUM, LAUNCH_ARGS
from tests.hostile.kit import (
    HostileSite,
    govwatch,
    list_html,
    paragraphs,
    release_html,
    serving,
    serving_archive,
    site_config,
)

EVIDENCE = "<script>alert('raw page ran')</script><img src=x onerror=alert('raw img ran')>"
HOSTILE_URLS = ["javascript:alert('event url ran')", "data:text/html,<script>alert('data url ran')</script>"]

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A crawled hostile release whose raw page (kept as evidence) carries script."""
    tmp = tmp_path_factory.mktemp("datasette")
    site = HostileSite()
    with serving(site):
        page = release_html("关于衢州市数字化改革的通知", "DS-0001", paragraphs(4)).replace(
            "</body>", EVIDENCE + "</body>"
        )
        site.page("/art/1.html", page)
        site.page("/col/index.html", list_html([("/art/1.html", "一")]))
        config = site_config(tmp, site, ["/col/index.html"])
        proc = govwatch("crawl", "--config", str(config), "--no-notify", cwd=tmp)
        assert proc.returncode == 0, proc
    db = tmp / "govwatch.db"
    conn = sqlite3.connect(db)  # events an older govwatch could store: URLs that are no web links
    with conn:
        for n, url in enumerate(HOSTILE_URLS):
            conn.execute(
                "INSERT INTO events (type, severity, site, key, url, title, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    "tampered",
                    "critical",
                    "hostile",
                    f"OLD-{n}",
                    url,
                    f"旧事件{n}",
                    "2022-09-15T09:00:00+08:00",
                ),
            )
    conn.close()
    yield config, db


@pytest.fixture(scope="module")
def server(archive: tuple[Path, Path]) -> Iterator[object]:
    config, db = archive
    with serving_archive("--db", str(db), cwd=db.parent) as s:
        yield s


def headers(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_serve_binds_only_the_loopback_interface(server) -> None:
    listening = [
        c.laddr
        for c in psutil.Process(server.proc.pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening), listening


def test_no_sql_of_the_visitors_own_by_default_and_the_rest_works(server) -> None:
    assert server.get("/govwatch.json", sql="select 1")[0] == 403
    assert server.get("/govwatch/releases.json", _where="1 = 1")[0] == 403
    status, body, _ = server.get("/govwatch")
    assert status == 200 and b"Custom SQL query" not in body
    found = server.json("/govwatch/search.json", q="数字化改革", _shape="array")
    assert [r["key"] for r in found] == ["DS-0001"]
    assert [r["key"] for r in server.json("/govwatch/releases.json", _search="衢州", _shape="array")] == [
        "DS-0001"
    ]
    assert server.json("/govwatch/latest_events.json", _shape="array")
    assert server.get("/-/govwatch/events.atom")[0] == 200
    assert server.get("/govwatch/releases", _facet="site")[0] == 200


def test_stored_pages_are_downloads_never_rendered(server, archive) -> None:
    status, head, body = headers(server.url + "/-/govwatch/raw?table=versions&id=1")
    assert status == 200 and EVIDENCE.encode() in body
    assert head["content-type"].startswith("application/octet-stream")
    assert head["content-disposition"].startswith("attachment")
    assert head["x-content-type-options"] == "nosniff"
    assert "sandbox" in head["content-security-policy"]
    status, head, _ = headers(server.url + "/govwatch/versions/1.blob?_blob_column=raw_html")
    assert status == 200 and head["content-disposition"].startswith("attachment")
    assert head["x-content-type-options"] == "nosniff" and "sandbox" in head["content-security-policy"]
    for path in ("/govwatch", "/govwatch/versions", "/-/govwatch/events.atom"):
        assert headers(server.url + path)[1].get("x-content-type-options") == "nosniff", path
    assert headers(server.url + "/-/govwatch/raw?table=runs&id=1")[0] == 400


def test_in_chromium_the_raw_page_is_a_download_and_runs_nothing(server) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server.url + "/govwatch/versions/1")
        link = page.locator("a[href^='/-/govwatch/raw']")
        assert link.count() == 1 and "download raw HTML" in link.inner_text()
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "govwatch-versions-1.html"
        with page.expect_download():  # typed into the address bar: still a download
            try:
                page.goto(server.url + "/-/govwatch/raw?table=versions&id=1")
            except Exception as exc:  # Playwright reports the navigation as aborted by a download
                assert "Download is starting" in str(exc) or "net::ERR_ABORTED" in str(exc), exc
        page.wait_for_timeout(300)
        context.close()
        browser.close()
    assert dialogs == []


def test_with_allow_sql_bigrams_is_bounded_and_writes_still_refused(archive) -> None:
    config, db = archive
    with serving_archive("--db", str(db), "--allow-sql", cwd=db.parent) as s:
        assert s.json("/govwatch.json", sql="select count(*) as n from releases", _shape="array") == [
            {"n": 1}
        ]
        proc = psutil.Process(s.proc.pid)
        before = proc.memory_info().rss
        started = time.monotonic()
        status, body, _ = s.get(
            "/govwatch.json", sql="select length(bigrams(printf('%.*c', 5000000, '衢'))) as n"
        )
        elapsed = time.monotonic() - started
        assert status == 400 and b"user-defined function raised exception" in body, body[:500]
        assert elapsed < 3, elapsed
        assert proc.memory_info().rss - before < 200 * 1024 * 1024
        assert s.json("/govwatch.json", sql="select bigrams('衢州市') as b", _shape="array") == [
            {"b": "衢州 州市"}
        ]
        assert s.get("/govwatch.json", sql="delete from releases")[0] == 400
        assert s.json("/govwatch/releases.json", _size="0")["filtered_table_rows_count"] == 1


def test_no_data_or_javascript_url_becomes_a_link_in_datasette(server) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ("/govwatch/events", "/govwatch/latest_events", "/govwatch/tampered"):
            page.goto(server.url + path)
            hrefs = page.evaluate(
                "[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
            )
            assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))], (path, hrefs)
            assert "旧事件0" in page.content() or path != "/govwatch/events"
        for link in page.query_selector_all("a[href]"):
            assert not (link.get_attribute("href") or "").lower().startswith(("javascript", "data"))
        browser.close()
    assert dialogs == []
    status, body, _ = server.get("/-/govwatch/events.atom")
    feed = ET.fromstring(body)
    hrefs = [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert hrefs and all(h.startswith("http://127.0.0.1:") for h in hrefs), hrefs
