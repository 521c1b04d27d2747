"""``govwatch serve`` end to end: a real server process over a database filled by four days of real
crawls (and one hostile release stored through the store API), driven in headless Chromium
(Playwright) at 1280 and 390 px and through Datasette's JSON API — all with visitors' SQL off unless
a test says otherwise. Screenshots go to tests/artifacts/browse/."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest

from crawler.demo.server import serve as serve_site
from tests.browse.browsekit import (
    ARTIFACTS,
    GONE_TITLE,
    HOSTILE_BODY,
    HOSTILE_KEY,
    HOSTILE_SITE,
    HOSTILE_TITLE,
    HZ_TITLE,
    NEW_TITLE,
    QZ_TITLE,
    REF_KEY,
    SPAM_TITLE,
    XSS_TEXT,
    XSS_TITLE,
    Archive,
    Server,
    crawl_archive,
    make_site,
    serve,
)
from tests.helpers import rows

WIDTHS = (1280, 390)
CJK = re.compile(r"[\u4e00-\u9fff]")
#: text of Datasette's SQL tool that a reader must not meet with SQL off
SQL_CHROME = ("Custom SQL query", "Run SQL", "Edit SQL", "View and edit SQL", "CREATE TABLE", "Show SQL")
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    tmp = tmp_path_factory.mktemp("browse")
    site, pages = make_site()
    with serve_site(site) as site_server:  # kept up: the tests follow links to the government pages
        yield crawl_archive(tmp, site_server.url, site, pages)


@pytest.fixture(scope="module")
def server(archive: Archive) -> Iterator[Server]:
    # --config: serve finds the database the config names; Datasette calls it "govwatch"
    with serve("--config", str(archive.config), db_name="govwatch", cwd=archive.config.parent) as s:
        yield s


def new_page(browser, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.dialogs = []  # every alert/confirm the page tries: must stay empty
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    return pg


@pytest.fixture
def page(browser, server: Server):
    pg = new_page(browser)
    yield pg
    assert pg.dialogs == [], f"a stored page ran script: {pg.dialogs}"
    pg.context.close()


@pytest.fixture
def phone(browser, server: Server):
    pg = new_page(browser, 390)
    yield pg
    assert pg.dialogs == [], f"a stored page ran script: {pg.dialogs}"
    pg.context.close()


def shot(pg, name: str, *, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full_page)
    return path


def q(value: str) -> str:
    return quote(value, safe="")


def overflow(pg) -> dict[str, int]:
    return pg.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )


def wider_than_the_screen(pg) -> list[str]:
    return pg.evaluate(
        """(() => { const w = document.documentElement.clientWidth; const out = [];
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          if (r.width && r.right > w + 1 && !el.closest('.table-wrapper')) out.push(el.tagName + '.' + el.className);
        } return out.slice(0, 10); })()"""
    )


def shipped_pages(archive: Archive) -> list[tuple[str, str]]:
    """(name, path) of every page govwatch ships, with the data they show."""
    qz, ref = q(archive.qz.index_no or ""), q(REF_KEY)
    return [
        ("home", "/"),
        ("archive", "/govwatch"),
        ("search", f"/govwatch/search?q={q('数字化改革')}"),
        ("search-empty", "/govwatch/search"),
        ("latest-events", "/govwatch/latest_events"),
        ("history", f"/govwatch/history?key={qz}"),
        ("changed-recently", "/govwatch/changed_recently"),
        ("tampered", "/govwatch/tampered"),
        ("failing", "/govwatch/failing"),
        ("by-month", "/govwatch/releases_by_month"),
        ("site-health", "/govwatch/site_health"),
        ("broken-links", "/govwatch/broken_links"),
        ("releases", "/govwatch/releases"),
        ("releases-search", f"/govwatch/releases?_search={q('衢州')}"),
        ("events", "/govwatch/events"),
        ("versions", "/govwatch/versions"),
        ("columns", "/govwatch/columns"),
        ("runs", "/govwatch/runs"),
        ("version-row", "/govwatch/versions/1"),
        ("release", f"/-/govwatch/release?key={qz}"),
        ("release-tampered", f"/-/govwatch/release?key={ref}"),
        ("diff", f"/-/govwatch/diff?key={qz}&from=1&to=2"),
        ("release-missing", "/-/govwatch/release?key=no-such-release"),
        ("verify", "/-/govwatch/verify"),
        ("sql-refused", "/govwatch?sql=select+1"),
    ]


# ------------------------------------------------------------------------------------------ every page
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_reads_as_news_at_this_width(
    browser, server: Server, archive: Archive, width: int
) -> None:
    """Each page: a Chinese tab title naming it, no SQL tool, nothing wider than the screen."""
    pg = new_page(browser, width)
    problems = []
    titles = {}
    for name, path in shipped_pages(archive):
        pg.goto(server.url + path)
        pg.wait_for_load_state("load")
        title = pg.title()
        titles[name] = title
        body = pg.inner_text("body")
        if not CJK.search(title) or "select" in title.lower() or "govwatch" not in title:
            problems.append(f"{name}: tab title {title!r}")
        for text in SQL_CHROME:
            if text in body:
                problems.append(f"{name}: shows {text!r}")
        size = overflow(pg)
        if size["scroll"] > size["client"]:
            problems.append(f"{name}: {size['scroll']} px wide at {width} px: {wider_than_the_screen(pg)}")
        shot(pg, f"{width}-{name}", full_page=True)
    assert not problems, "\n".join(problems)
    assert pg.dialogs == []
    # tab titles name the page, not the database
    assert titles["latest-events"].startswith("最新事件") and titles["tampered"].startswith("被篡改")
    assert titles["release"].startswith(QZ_TITLE) and titles["diff"].startswith("差异 v1 → v2")
    assert titles["search"].startswith("全文搜索：数字化改革")
    pg.context.close()


def test_at_desktop_width_the_readers_tables_fit(page, server: Server, archive: Archive) -> None:
    """Every column of the canned queries a reader scans is on screen at 1280 px — the diff link of a
    history, the evidence of a tampered page — with no scrolling sideways inside the table."""
    for path in (
        "/govwatch/latest_events",
        f"/govwatch/history?key={q(archive.qz.index_no or '')}",
        "/govwatch/tampered",
        "/govwatch/failing",
        "/govwatch/changed_recently",
        "/govwatch/releases",
    ):
        page.goto(server.url + path)
        inner = page.evaluate(
            "[...document.querySelectorAll('.table-wrapper')].map(w => w.scrollWidth - w.clientWidth)"
        )
        assert inner and max(inner) <= 1, (path, inner)
    page.goto(f"{server.url}/govwatch/history?key={q(archive.qz.index_no or '')}")
    link = page.locator("a.govwatch-diff-link", has_text="v1 → v2")
    box = link.bounding_box()
    assert box and box["x"] + box["width"] <= 1280


def test_values_read_as_words(page, server: Server) -> None:
    page.goto(f"{server.url}/govwatch/site_health")
    headers = page.locator("table.rows-and-columns th").all_inner_texts()
    assert any(h.startswith("缺索引号") for h in headers) and not any("_pct" in h for h in headers), headers
    cells = page.locator("td.col-no_index_no_pct").all_inner_texts()
    assert cells and all(c.strip().endswith("%") for c in cells), cells

    page.goto(f"{server.url}/govwatch/tampered")
    flagged = {c.strip() for c in page.locator("td.col-still_flagged").all_inner_texts()}
    assert flagged <= {"是", "否"} and "是" in flagged
    page.goto(f"{server.url}/govwatch/events?_sort_desc=created_at")
    times = page.locator("td.col-created_at time").all_inner_texts()
    assert times and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", t) for t in times), times
    types = set(page.locator("td.col-type .gw-badge").all_inner_texts())
    assert {"篡改", "修改", "新发布", "撤下", "恢复", "抓取失败"} <= types, types
    facet = page.locator("#facet-type").inner_text()
    assert "篡改" in facet and "tampered" not in facet

    page.goto(f"{server.url}/govwatch")
    text = page.inner_text("section.content")
    assert "deliveries" not in text and "推送记录" not in text and "fetches" not in text
    assert "全部发布" in text and "站点健康" in text and "近期有变化的发布" in text


# ------------------------------------------------------------------------------------------ the reader's path
def test_search_release_diff_and_the_government_page(page, server: Server, archive: Archive) -> None:
    page.goto(server.url + "/")
    page.locator("input[name=q]").fill("数字化改革")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"/govwatch/search\?q="))
    results = page.locator("ol.gw-results li")
    titles = [t.strip() for t in page.locator("a.gw-result-title").all_inner_texts()]
    assert titles[0] == QZ_TITLE and NEW_TITLE in titles and HZ_TITLE not in titles, titles
    marks = page.locator("ol.gw-results mark").all_inner_texts()
    assert marks and set(marks) == {"数字化改革"}, marks
    snippet = results.first.locator(".gw-snippet").inner_text()
    assert "数字化改革取得成效" in snippet  # cut from the stored body, readable
    shot(page, "01-search")

    page.locator("a.gw-result-title", has_text=QZ_TITLE).click()
    page.wait_for_url(re.compile(r"/-/govwatch/release\?key="))
    assert page.locator("h1.gw-release-title").inner_text() == QZ_TITLE
    facts = page.locator("dl.gw-facts").inner_text()
    assert archive.qz.index_no in facts and "市政府办公室" in facts and "2022-09-16" in facts
    text = page.locator(".gw-text").inner_text()
    assert "会议要求各地认真完成自查" in text  # the current version's text
    versions = page.locator("li.gw-tl-version").evaluate_all("els => els.map(e => e.dataset.version)")
    assert versions == ["2", "1"]
    change = page.locator("li#v2 .gw-tl-change").inner_text()
    assert "+2 字" in change and "−3 字" in change and "正文" in change
    shot(page, "02-release")

    page.locator("li#v2 a.govwatch-diff-link").click()
    page.wait_for_url(re.compile(r"/-/govwatch/diff\?"))
    assert page.locator(".gw-after ins").all_inner_texts() == ["认真"]
    assert page.locator(".gw-before del").all_inner_texts() == ["阶段性"]
    after = page.locator("#change-1 .gw-after").inner_text()
    assert "衢州市数字化改革取得成效。" in after and "会议要求各地认真完成自查" in after
    assert page.locator("details.gw-fold").count() >= 1
    assert not page.locator("details.gw-fold").first.evaluate("d => d.open")  # the rest is folded
    page.locator("a.gw-jump-to", has_text="第 1 处").click()
    page.wait_for_url(re.compile(r"#change-1$"))
    assert page.evaluate("document.querySelector(':target').dataset.change") == "1"
    shot(page, "03-diff")

    page.locator("a.gw-gov-link").first.click()
    page.wait_for_load_state("load")
    assert page.url == archive.base_url + archive.site.page_path(archive.qz)
    assert QZ_TITLE in page.content()  # the government page itself


def test_the_diff_is_side_by_side_on_a_desktop_and_stacked_on_a_phone(
    browser, server: Server, archive: Archive
) -> None:
    path = f"/-/govwatch/diff?key={q(archive.qz.index_no or '')}&from=1&to=2"
    layout = {}
    for width in WIDTHS:
        pg = new_page(browser, width)
        pg.goto(server.url + path)
        before = pg.locator("#change-1 .gw-before").bounding_box()
        after = pg.locator("#change-1 .gw-after").bounding_box()
        assert before and after
        layout[width] = (before, after)
        shot(pg, f"diff-{width}", full_page=True)
        pg.context.close()
    before, after = layout[1280]
    assert abs(before["y"] - after["y"]) < 2 and after["x"] >= before["x"] + before["width"] - 1
    before, after = layout[390]
    assert after["y"] >= before["y"] + before["height"] - 1 and abs(before["x"] - after["x"]) < 2


def test_a_long_diff_jumps_from_change_to_change(page, server: Server, archive: Archive) -> None:
    """The hostile release's two versions differ in its title and its last paragraph: two changes, the
    unchanged text between them folded, each change linking to the next."""
    page.goto(f"{server.url}/-/govwatch/diff?key={q(HOSTILE_KEY)}")
    changes = page.locator("section.gw-change")
    assert changes.count() == 2
    assert page.locator("nav.gw-jump a").all_inner_texts() == ["第 1 处", "第 2 处"]
    page.locator("#change-1 a.gw-next-change").click()
    page.wait_for_url(re.compile(r"#change-2$"))
    assert page.locator("#change-2 .gw-after").inner_text().strip().endswith("第2版")


def test_the_tampered_release_shows_its_evidence(page, server: Server) -> None:
    page.goto(f"{server.url}/-/govwatch/release?key={q(REF_KEY)}")
    assert page.locator(".gw-status .gw-type-tampered").count() == 1
    evidence = page.locator("#evidence").inner_text()
    assert "spam_lexicon" in evidence and "365bet" in evidence and "junk_preamble" in evidence
    raw = page.locator("#evidence a.gw-raw-link")
    assert raw.count() == 1 and raw.get_attribute("href").startswith("/-/govwatch/raw?table=versions")
    shot(page, "04-release-tampered")

    page.goto(f"{server.url}/govwatch/tampered")
    text = page.locator("table.rows-and-columns").inner_text()
    assert "365bet" in text and "spam_lexicon" in text and SPAM_TITLE in text
    shot(page, "05-tampered")


def test_a_removed_and_restored_release_tells_its_story(page, server: Server, archive: Archive) -> None:
    page.goto(f"{server.url}/-/govwatch/release?key={q(archive.gone.index_no or '')}")
    assert page.locator("h1.gw-release-title").inner_text() == GONE_TITLE
    events = page.locator("li.gw-tl-event .gw-badge").all_inner_texts()
    assert events == ["恢复", "撤下"], events  # newest first
    failing = f"{server.url}/-/govwatch/release?key={q(archive.hz.index_no or '')}"
    page.goto(failing)
    assert "抓取失败" in page.locator("li.gw-tl-event").first.inner_text()


def test_latest_events_put_tampered_first_and_link_each_change(
    page, server: Server, archive: Archive
) -> None:
    page.goto(f"{server.url}/govwatch/latest_events")
    types = [t.strip() for t in page.locator("td.col-type .gw-badge").all_inner_texts()]
    assert types[: types.count("篡改")] == ["篡改"] * types.count("篡改") and types[0] == "篡改"
    assert {"新发布", "修改", "抓取失败", "撤下", "恢复"} <= set(types)
    row = page.locator("table.rows-and-columns tr", has_text=QZ_TITLE).filter(
        has=page.locator(".gw-type-changed")
    )
    assert "{+" not in row.inner_text() and "[-" not in row.inner_text()  # marks, not raw diff text
    assert row.locator("td.col-diff_summary ins").all_inner_texts() == ["认真"]
    row.locator("a.govwatch-diff-link").click()
    page.wait_for_url(re.compile(r"/-/govwatch/diff\?"))
    assert page.locator(".gw-after ins").all_inner_texts() == ["认真"]
    shot(page, "06-latest-events")


def test_search_filters_stay_in_the_url(page, server: Server, archive: Archive) -> None:
    page.goto(f"{server.url}/govwatch/search?q={q('说明')}")
    sites = {t.strip() for t in page.locator(".gw-result .gw-meta").all_inner_texts()}
    assert any(HOSTILE_SITE in s for s in sites) and any("local" in s for s in sites), sites
    page.select_option("select[name=site]", "local")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"site=local"))
    metas = page.locator(".gw-result .gw-meta").all_inner_texts()
    assert metas and all("· local" in m for m in metas), metas
    assert page.locator("select[name=site]").input_value() == "local"  # the form shows the filter

    page.goto(
        f"{server.url}/govwatch/search?q={q('衢州')}&since=2022-09-15&until=2022-09-16&publisher={q('市政府办公室')}"
    )
    dates = [
        re.search(r"\d{4}-\d{2}-\d{2}", m).group(0)
        for m in page.locator(".gw-result .gw-meta").all_inner_texts()
    ]
    assert dates and all("2022-09-15" <= d <= "2022-09-16" for d in dates), dates
    assert page.locator("input[name=since]").input_value() == "2022-09-15"
    expected = rows(
        archive.db,
        "select count(*) as n from releases where publisher = '市政府办公室' and written_date between "
        "'2022-09-15' and '2022-09-16' and (title like '%衢州%' or key in (select key from versions where body like '%衢州%'))",
    )[0]["n"]
    assert len(dates) == expected
    found = server.json("/govwatch/search.json", q="衢州", site="local", since="2022-09-16", _shape="array")
    assert found and all(r["site"] == "local" and r["written_date"] >= "2022-09-16" for r in found)


def test_the_home_page_draws_the_archive(page, server: Server, archive: Archive) -> None:
    page.goto(server.url + "/")
    figure = page.locator("figure[data-chart=events][data-site=local]")
    bars = figure.locator("rect.gw-bar").evaluate_all(
        "els => els.map(e => [e.dataset.x, e.dataset.series, Number(e.dataset.count)])"
    )
    drawn = Counter()
    for _day, series, count in bars:
        drawn[series] += count
    stored = Counter()
    for row in rows(
        archive.db,
        "select type, count(*) as n from events where site = 'local' and not (type = 'new' and baseline) group by type",
    ):
        key = {"fetch_failed": "failing"}.get(row["type"], row["type"])
        stored[
            key if key in {"new", "changed", "removed", "tampered", "failing", "restored"} else "other"
        ] += row["n"]
    assert drawn == stored and {"changed", "removed", "tampered", "failing", "restored", "new"} <= set(drawn)
    days = {d for d, _, _ in bars}
    assert days == {d[:10] for d in archive.days}  # one bar per crawl day, in local time
    baseline = rows(
        archive.db, "select count(*) as n from events where site = 'local' and type = 'new' and baseline"
    )[0]["n"]
    assert f"首次抓取记录的 {baseline} 条" in figure.inner_text()
    # every bar is drawn: a visible, non-zero box
    assert all(
        b["height"] > 0
        for b in figure.locator("rect.gw-bar").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().toJSON())"
        )
    )

    months = page.locator("figure[data-chart=months] rect.gw-bar").evaluate_all(
        "els => els.map(e => [e.dataset.x, Number(e.dataset.count)])"
    )
    dated = rows(
        archive.db,
        "select substr(coalesce(written_date, published_at), 1, 7) as m, count(*) as n from releases group by m",
    )
    assert sorted(months) == sorted([r["m"], r["n"]] for r in dated if r["m"])

    health = page.locator("figure[data-chart=health][data-site=local]")
    shares = health.locator("rect.gw-meter-fill").evaluate_all(
        "els => els.map(e => [e.dataset.meter, e.dataset.share])"
    )
    assert dict(shares)["index_no"] == "100.0" and dict(shares)["runs"] == "100.0", shares
    shot(page, "00-home", full_page=True)


def test_the_charts_show_on_a_phone_too(phone, server: Server) -> None:
    phone.goto(server.url + "/")
    box = phone.locator("figure[data-chart=events][data-site=local] svg").bounding_box()
    assert box and 200 < box["width"] <= 390 and box["height"] > 80
    assert phone.locator("figure[data-chart=health] .gw-meter").count() == 6
    shot(phone, "00-home-phone", full_page=True)


def test_fonts_name_the_cjk_faces(page, server: Server) -> None:
    page.goto(server.url + "/")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    names = [f.strip().strip('"') for f in family.split(",")]
    assert names.index("PingFang SC") < names.index("Noto Sans CJK SC") < names.index("WenQuanYi Micro Hei")
    assert names[-1] == "sans-serif"
    assert page.evaluate("getComputedStyle(document.querySelector('input[name=q]')).fontFamily") == family


# ------------------------------------------------------------------------------------------ hostile text
def test_hostile_text_stays_text_on_every_page(browser, server: Server, archive: Archive) -> None:
    key = q(HOSTILE_KEY)
    pages = [
        "/",
        "/govwatch",
        f"/govwatch/search?q={q('说明')}",
        f"/govwatch/search?q={q('说明')}&site={q(HOSTILE_SITE)}",
        f"/govwatch/releases?_search={q('说明')}",
        "/govwatch/latest_events",
        "/govwatch/events",
        "/govwatch/tampered",
        "/govwatch/changed_recently",
        f"/govwatch/history?key={key}",
        f"/govwatch/versions?key={key}",
        f"/-/govwatch/release?key={key}",
        f"/-/govwatch/diff?key={key}",
        f"/-/govwatch/release?key={q(archive.xss.index_no or '')}",
        f"/-/govwatch/release?key={q(archive.raw_script.index_no or '')}",
        f"/-/govwatch/diff?key={q(archive.xss.index_no or '')}&from=1&to=1",
        f"/govwatch/releases?site={q(HOSTILE_SITE)}",
    ]
    for width in WIDTHS:
        pg = new_page(browser, width)
        for path in pages:
            pg.goto(server.url + path)
            pg.wait_for_load_state("load")
            found = pg.evaluate(
                """(() => ({
                  scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(')).length,
                  imgs: document.querySelectorAll('img[src=x], img[onerror]').length,
                  italics: [...document.querySelectorAll('i, b')].filter(e => /^(hostile|机构|栏目)$/.test(e.textContent.trim())).length,
                  hrefs: [...document.querySelectorAll('[href], [src], [action], [formaction]')]
                    .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || '')
                    .filter(h => /^\\s*(javascript|data|vbscript):/i.test(h)),
                }))()"""
            )
            assert found == {"scripts": 0, "imgs": 0, "italics": 0, "hrefs": []}, (path, found)
        pg.goto(f"{server.url}/-/govwatch/release?key={key}")
        text = pg.inner_text("body")
        assert (
            HOSTILE_TITLE in text
            and HOSTILE_BODY[0] in text
            and "<script>alert('evidence ran')</script>" in text
        )
        assert "javascript:alert('url ran')" in text  # shown, not linked
        assert pg.locator("a.gw-gov-link").count() == 0
        pg.goto(f"{server.url}/-/govwatch/release?key={q(archive.xss.index_no or '')}")
        assert XSS_TITLE in pg.inner_text("h1") and XSS_TEXT in pg.inner_text(".gw-text")
        pg.goto(server.url + "/")
        assert HOSTILE_SITE in pg.locator("figure[data-chart=events]").first.inner_text()
        if width == 1280:
            shot(pg, "07-hostile-text")
        assert pg.dialogs == [], pg.dialogs
        pg.context.close()


# ------------------------------------------------------------------------------------------ SQL, one click away
def test_with_allow_sql_the_sql_is_one_click_away(browser, archive: Archive) -> None:
    with serve(
        "--config", str(archive.config), "--allow-sql", db_name="govwatch", cwd=archive.config.parent
    ) as s:
        pg = new_page(browser)
        pg.goto(f"{s.url}/govwatch/latest_events")
        pg.locator("a", has_text="查看 / 编辑 SQL").click()
        pg.wait_for_url(re.compile(r"/govwatch\?sql="))
        assert "Custom SQL query" in pg.inner_text("body")
        pg.goto(f"{s.url}/govwatch")
        assert pg.locator("textarea#sql-editor").count() == 1
        pg.context.close()


def test_without_allow_sql_no_page_offers_sql(page, server: Server) -> None:
    for path in ("/govwatch/latest_events", "/govwatch/releases", "/govwatch"):
        page.goto(server.url + path)
        assert page.locator("a", has_text="SQL").count() == 0, path
        assert page.locator("textarea").count() == 0, path
    page.goto(server.url + "/govwatch?sql=select+1")
    assert "不允许" in page.title() and "--allow-sql" in page.inner_text("body")


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
    rows_ = server.json("/govwatch/releases.json", _search="衢州", _shape="array", _size="max")
    titles = [r["title"] for r in rows_]
    assert QZ_TITLE in titles and HZ_TITLE not in titles
    assert all("衢州" in current_text(archive.db, r["key"]) for r in rows_)
    assert server.json("/govwatch/releases.json", _search="西湖", _shape="array")[0]["title"] == HZ_TITLE
    assert server.json("/govwatch/releases.json", _search="不存在的词", _shape="array") == []

    found = server.json("/govwatch/search.json", q="数字化改革", _shape="array")
    assert found[0]["title"] == QZ_TITLE
    scores = [r["score"] for r in found]
    assert scores == sorted(scores)  # bm25: lower is better
    assert all("数字化改革" in current_text(archive.db, r["key"]) for r in found)
    assert "数字化改革" in found[0]["context"] and "\n" not in found[0]["context"]
    assert server.json("/govwatch/search.json", q="", _shape="array") == []


def test_canned_queries(server: Server, archive: Archive) -> None:
    history = server.json("/govwatch/history.json", key=archive.qz.index_no, _shape="array")
    assert [r["version"] for r in history] == [2, 1]
    assert history[0]["diff"] == "v1 → v2"

    recent = server.json("/govwatch/changed_recently.json", days="7", _shape="array")
    assert {archive.qz.index_no, REF_KEY, archive.gone.index_no} <= {r["key"] for r in recent}

    tampered = server.json("/govwatch/tampered.json", _shape="array")
    assert {r["key"] for r in tampered} == {REF_KEY, archive.spam.index_no, HOSTILE_KEY}
    assert any("365bet" in r["evidence"] for r in tampered)

    failing = server.json("/govwatch/failing.json", _shape="array")
    assert [r["title"] for r in failing] == [HZ_TITLE], failing
    assert failing[0]["state"] == "fetch_failed" and failing[0]["streak"] == 1

    latest = server.json("/govwatch/latest_events.json", _shape="array")
    changed = next(r for r in latest if r["type"] == "changed" and r["key"] == archive.qz.index_no)
    assert (changed["version_before"], changed["version"]) == (1, 2)

    health = server.json("/govwatch/site_health.json", site="", _shape="array")
    assert len(health) == 1 and health[0]["site"] == "local"


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


def test_the_served_feed_is_enriched_like_the_atom_sink(server: Server, archive: Archive) -> None:
    from crawler.report.enrich import enrich
    from crawler.report.sinks.atom import build_entry
    from crawler.store import Store

    status, body, content_type = server.get("/-/govwatch/events.atom")
    assert status == 200 and content_type.startswith("application/atom+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert any(t.startswith("[tampered]") for t in titles), titles
    served = next(e for e in feed.entries if e.title == f"[changed] {QZ_TITLE}")
    assert "发布机构: 市政府办公室" in served.summary and "日期: 2022-09-16" in served.summary
    assert "[-阶段性-]" in served.summary  # the diff, as the sink writes it

    store = Store(archive.db, read_only=True)
    try:
        (event,) = [e for e in store.events() if e.type == "changed" and e.key == archive.qz.index_no]
        (sink,) = [build_entry(e) for e in enrich(store, [event])]
    finally:
        store.close()
    expected = sink.findtext("{http://www.w3.org/2005/Atom}summary")
    assert served.summary == expected


def test_stylesheet_is_served(server: Server) -> None:
    status, body, content_type = server.get("/-/govwatch-static/govwatch.css")
    assert (
        status == 200
        and b"WenQuanYi Micro Hei" in body
        and b"Noto Sans CJK SC" in body
        and "css" in content_type
    )


def test_read_only_for_the_web_user(server: Server) -> None:
    assert server.get("/-/permissions")[0] == 403
    status, body, _ = server.get("/govwatch.json", sql="delete from releases")
    assert status == 400
    status, body, _ = server.get("/govwatch.json", sql="select count(*) from releases")
    assert status == 403  # no SQL of the visitor's own without --allow-sql (tests/hostile: with it)
    assert server.json("/govwatch/releases.json", _size="0")["filtered_table_rows_count"] > 0


def test_custom_pages_reject_unknown_input(server: Server) -> None:
    status, body, _ = server.get("/-/govwatch/diff", key="no-such-key")
    assert status == 404 and "no-such-key" in body.decode()
    status, body, _ = server.get("/-/govwatch/diff", key=REF_KEY, to="<b>9</b>")
    assert status == 404 and b"<b>9</b>" not in body and b"&lt;b&gt;9&lt;/b&gt;" in body
    status, body, _ = server.get("/-/govwatch/release", key="<script>x</script>")
    assert status == 404 and b"<script>x" not in body and "没有这条发布" in body.decode()
    assert server.get("/-/govwatch/release")[0] == 404


def test_metadata_follows_the_file_name(archive: Archive, tmp_path: Path) -> None:
    """Datasette names a database after its file: demo.db is served as /demo, with the same plugin."""
    demo = tmp_path / "demo.db"
    with sqlite3.connect(archive.db) as src, sqlite3.connect(demo) as dst:
        src.backup(dst)
    with serve("--db", str(demo), db_name="demo", cwd=tmp_path) as s:
        found = s.json("/demo/releases.json", _search="衢州", _shape="array", _size="max")
        assert QZ_TITLE in [r["title"] for r in found]
        assert s.json("/demo/search.json", q="数字化改革", _shape="array")[0]["title"] == QZ_TITLE
        status, body, _ = s.get("/")
        assert status == 200 and b'href="/demo/search"' in body
        status, body, _ = s.get("/-/govwatch/release", key=archive.qz.index_no)
        assert status == 200 and QZ_TITLE.encode() in body
