"""``govwatch serve`` end to end: a real server process over a database filled by real crawls, driven
in headless Chromium (Playwright) and through Datasette's JSON API. Screenshots go to
tests/artifacts/browse/."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from crawler.demo.server import serve as serve_site
from tests.browse.browsekit import (
    ARTIFACTS,
    HZ_TITLE,
    QZ_TITLE,
    REF_KEY,
    XSS_TEXT,
    XSS_TITLE,
    Archive,
    Server,
    crawl_archive,
    make_site,
    serve,
)

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    tmp = tmp_path_factory.mktemp("browse")
    site, pages = make_site()
    with serve_site(site) as site_server:
        yield crawl_archive(tmp, site_server.url, site, pages)


@pytest.fixture(scope="module")
def server(archive: Archive) -> Iterator[Server]:
    # --config: serve finds the database the config names; Datasette calls it "govwatch"
    with serve("--config", str(archive.config), db_name="govwatch", cwd=archive.config.parent) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server: Server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.dialogs = []  # every alert/confirm the page tries: must stay empty
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    assert pg.dialogs == [], f"a stored page ran script: {pg.dialogs}"
    context.close()


def shot(pg, name: str, *, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full_page)
    return path


def table_titles(pg) -> list[str]:
    return [t.strip() for t in pg.locator("table.rows-and-columns td.col-title").all_inner_texts()]


# ------------------------------------------------------------------------------------------ browser
def test_search_box_history_and_diff(page, server: Server, archive: Archive) -> None:
    page.goto(f"{server.url}/govwatch/releases")
    box = page.locator("input#_search")
    box.fill("衢州")
    box.press("Enter")
    page.wait_for_url(re.compile(r"_search="))
    titles = table_titles(page)
    assert QZ_TITLE in titles, titles
    assert HZ_TITLE not in titles, titles  # no 衢州 in it anywhere
    assert page.locator("input#_search").input_value() == "衢州"  # the box shows what was typed
    shot(page, "01-releases-search")
    page.locator("table.rows-and-columns").scroll_into_view_if_needed()
    shot(page, "01b-releases-results")

    # open it: the key links to the release's history, newest version first
    row = page.locator("table.rows-and-columns tr", has_text=QZ_TITLE)
    row.locator("td.col-key a").click()
    page.wait_for_url(re.compile(r"/govwatch/history\?"))
    versions = [v.strip() for v in page.locator("td.col-version").all_inner_texts()]
    assert versions == ["2", "1"], versions
    shot(page, "02-history")

    page.locator("a.govwatch-diff-link", has_text="v1 → v2").click()
    page.wait_for_url(re.compile(r"/-/govwatch/diff\?"))
    inserted = page.locator(".govwatch-diff ins").all_inner_texts()
    deleted = page.locator(".govwatch-diff del").all_inner_texts()
    assert inserted == ["认真"], inserted
    assert deleted == ["阶段性"], deleted
    after = page.evaluate(
        "(() => { const d = document.querySelector('.govwatch-diff').cloneNode(true);"
        " d.querySelectorAll('del').forEach(e => e.remove()); return d.textContent; })()"
    )
    assert "衢州市数字化改革取得成效。" in after and "会议要求各地认真完成自查" in after
    shot(page, "03-diff")


def test_search_page_linked_from_home(page, server: Server, archive: Archive) -> None:
    page.goto(server.url + "/")
    page.locator("a", has_text="全文搜索").first.click()
    page.wait_for_url(re.compile(r"/govwatch/search"))
    page.locator("input[name=q]").fill("数字化改革")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    titles = table_titles(page)
    assert titles and titles[0] == QZ_TITLE, titles  # the phrase is in its title: best match
    assert HZ_TITLE not in titles
    shot(page, "04-search-page")


def test_tampered_query_shows_the_defaced_page_with_evidence(page, server: Server) -> None:
    page.goto(f"{server.url}/govwatch/tampered")
    text = page.locator("table.rows-and-columns").inner_text()
    assert REF_KEY in text
    assert "365bet" in text
    assert "spam_lexicon" in text
    shot(page, "05-tampered")


def test_latest_events_put_tampered_first(page, server: Server) -> None:
    page.goto(f"{server.url}/govwatch/latest_events")
    types = [t.strip() for t in page.locator("td.col-type").all_inner_texts()]
    assert types[0] == "tampered", types
    assert {"new", "changed", "fetch_failed"} <= set(types)
    shot(page, "06-latest-events")


def test_hostile_stored_text_is_shown_as_text(page, server: Server, archive: Archive) -> None:
    xss_history = f"{server.url}/govwatch/history?key={archive.xss.index_no}"
    urls = [
        f"{server.url}/govwatch/releases?_search=字样",
        f"{server.url}/govwatch/search?q=字样",
        f"{server.url}/govwatch/versions?key={archive.xss.index_no}",
        f"{server.url}/govwatch/versions?key={archive.raw_script.index_no}",
        xss_history,
        f"{server.url}/-/govwatch/diff?key={archive.xss.index_no}&from=1&to=1",
        f"{server.url}/govwatch/events?key={archive.xss.index_no}",
    ]
    for i, url in enumerate(urls):
        page.goto(url)
        page.wait_for_load_state("load")
        scripts = page.evaluate(
            "Array.from(document.querySelectorAll('script')).filter(s => s.textContent.includes('alert(')).length"
        )
        assert scripts == 0, url
        assert page.locator("img[src=x]").count() == 0, url
        if i < 3 or i == 5:
            assert XSS_TEXT in page.inner_text("body"), url
        if i == 0:
            assert XSS_TITLE in table_titles(page)
            shot(page, "07-hostile-text")
    assert page.dialogs == []


# ------------------------------------------------------------------------------------------ JSON API
def current_text(db: Path, key: str) -> str:
    with sqlite3.connect(db) as conn:
        title, body = conn.execute(
            "select r.title, v.body from releases r join versions v "
            "on v.key = r.key and v.version = r.current_version where r.key = ?",
            [key],
        ).fetchone()
    return f"{title}\n{body}"


def test_json_api_search(server: Server, archive: Archive) -> None:
    rows = server.json("/govwatch/releases.json", _search="衢州", _shape="array", _size="max")
    titles = [r["title"] for r in rows]
    assert QZ_TITLE in titles and HZ_TITLE not in titles
    assert all("衢州" in current_text(archive.db, r["key"]) for r in rows)
    assert server.json("/govwatch/releases.json", _search="西湖", _shape="array")[0]["title"] == HZ_TITLE
    assert server.json("/govwatch/releases.json", _search="不存在的词", _shape="array") == []

    found = server.json("/govwatch/search.json", q="数字化改革", _shape="array")
    assert found[0]["title"] == QZ_TITLE
    scores = [r["score"] for r in found]
    assert scores == sorted(scores)  # bm25: lower is better
    assert all("数字化改革" in current_text(archive.db, r["key"]) for r in found)
    assert server.json("/govwatch/search.json", q="", _shape="array") == []


def test_canned_queries(server: Server, archive: Archive) -> None:
    history = server.json("/govwatch/history.json", key=archive.qz.index_no, _shape="array")
    assert [r["version"] for r in history] == [2, 1]
    assert history[0]["diff"] == "v1 → v2"

    recent = server.json("/govwatch/changed_recently.json", days="1", _shape="array")
    assert {archive.qz.index_no, REF_KEY} <= {r["key"] for r in recent}

    tampered = server.json("/govwatch/tampered.json", _shape="array")
    assert {r["key"] for r in tampered} == {REF_KEY}
    assert any("365bet" in r["evidence"] for r in tampered)

    failing = server.json("/govwatch/failing.json", _shape="array")
    assert [r["title"] for r in failing] == [HZ_TITLE], failing
    assert failing[0]["state"] == "fetch_failed"

    # the scorecard of `govwatch health`, one row per site, from the crawls' site-health records
    health = server.json("/govwatch/site_health.json", site="", _shape="array")
    assert len(health) == 1 and health[0]["releases"] == archive_release_count(server)


def archive_release_count(server: Server) -> int:
    return server.json("/govwatch/releases.json", _size="0")["filtered_table_rows_count"]


def test_facets_and_default_sort(server: Server) -> None:
    data = server.json("/govwatch/releases.json", _size="3")
    facets = data["facet_results"]
    assert {"site", "publisher", "category", "written_date", "status"} <= set(facets)
    months = {r["value"] for r in facets["written_date"]["results"]}
    assert "2022-09" in months and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
    assert "sorted by published_at descending" in data["human_description_en"]
    newest = [r["published_at"] for r in server.json("/govwatch/releases.json", _shape="array")]
    assert newest == sorted(newest, reverse=True)

    in_month = server.json("/govwatch/releases.json", written_date__startswith="2022-09", _shape="array")
    assert in_month and all(r["written_date"].startswith("2022-09") for r in in_month)

    events = server.json("/govwatch/events.json", _size="1")
    assert {"type", "severity", "site"} <= set(events["facet_results"])
    assert {r["value"] for r in events["facet_results"]["type"]["results"]} >= {"tampered", "changed"}
    assert "sorted by created_at descending" in events["human_description_en"]


def test_atom_feed_of_events(server: Server) -> None:
    status, body, content_type = server.get("/-/govwatch/events.atom")
    assert status == 200 and content_type.startswith("application/atom+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert any(t.startswith("[tampered]") for t in titles), titles
    assert any(t.startswith("[changed]") and QZ_TITLE in t for t in titles), titles


def test_stylesheet_is_served(server: Server) -> None:
    status, body, content_type = server.get("/-/govwatch-static/govwatch.css")
    assert status == 200 and b".govwatch-diff ins" in body and "css" in content_type


def test_read_only_for_the_web_user(server: Server) -> None:
    assert server.get("/-/permissions")[0] == 403
    status, body, _ = server.get("/govwatch.json", sql="delete from releases")
    assert status == 400
    status, body, _ = server.get("/govwatch.json", sql="select count(*) from releases")
    assert status == 403  # no SQL of the visitor's own without --allow-sql (tests/hostile: with it)
    assert archive_release_count(server) > 0


def test_diff_view_rejects_unknown_input(server: Server) -> None:
    status, body, _ = server.get("/-/govwatch/diff", key="no-such-key")
    assert status == 404 and "no-such-key" in body.decode()
    status, body, _ = server.get("/-/govwatch/diff", key=REF_KEY, to="<b>9</b>")
    assert status == 404 and b"<b>9</b>" not in body and b"&lt;b&gt;9&lt;/b&gt;" in body


def test_metadata_follows_the_file_name(archive: Archive, tmp_path: Path) -> None:
    """Datasette names a database after its file: demo.db is served as /demo, with the same plugin."""
    demo = tmp_path / "demo.db"
    with sqlite3.connect(archive.db) as src, sqlite3.connect(demo) as dst:
        src.backup(dst)
    with serve("--db", str(demo), db_name="demo", cwd=tmp_path) as s:
        rows = s.json("/demo/releases.json", _search="衢州", _shape="array", _size="max")
        assert QZ_TITLE in [r["title"] for r in rows]
        assert s.json("/demo/search.json", q="数字化改革", _shape="array")[0]["title"] == QZ_TITLE
        status, body, _ = s.get("/")
        assert status == 200 and b'href="/demo/search"' in body
