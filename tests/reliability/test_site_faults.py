"""Faults of whole columns and sites, on one small real local site crawled run after run: list pages
answering a JavaScript cookie wall, a login redirect, an empty list; robots.txt closing a column;
the whole site down; one 索引号 at two URLs with different content. None of them may raise a content
event, and each failed list page is a failed fetch in ``fetches``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.helpers import run_crawl, site_entry, write_config
from tests.reliability.kit import content_events, rows, run_fetches, snapshot

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

NOW = "2022-09-15T09:00:00+08:00"


@pytest.mark.timeout(900)
def test_column_and_site_faults_raise_no_content_event(tmp_path: Path) -> None:
    site = build_site(30, per_page=5)
    news, notices = list(site.columns)
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, max_duration="60s")])
        db = tmp_path / "govwatch.db"
        assert run_crawl(config, now=NOW).run["status"] == "ok"
        before = snapshot(db)
        news_url = server.url + site.column_url(news)
        notices_url = server.url + site.column_url(notices)

        def faulty(expect_kinds: dict[str, str], status: str = "partial") -> None:
            run = run_crawl(config, now=NOW)
            assert run.run["status"] == status, run
            assert content_events(run.events) == [], run
            assert snapshot(db) == before
            fetched = run_fetches(db, run.run["id"])
            for url, kind in expect_kinds.items():
                assert url in fetched, (url, fetched.keys())
                assert (fetched[url]["outcome"], fetched[url]["error_kind"]) == ("error", kind), fetched[url]
            site.clear_faults()

        # a JavaScript cookie wall (412 / 521) on the list pages
        site.fault(site.column_url(news), sticky="521")
        site.fault(site.column_url(notices), sticky="412")
        faulty({news_url: "http_521", notices_url: "http_412"}, status="failed")
        # a 302 to the login page; a WAF page in place of a list; an off-site redirect
        site.fault(site.column_url(news), sticky="redirect_login")
        site.fault(site.column_url(notices), sticky="redirect_offsite")
        faulty({news_url: "login", notices_url: "redirect_offsite"}, status="failed")
        site.fault(site.column_url(news), sticky="redirect_loop")
        faulty({news_url: "redirect_loop"})
        # robots.txt closes a column: the crawler obeys, the column's releases stay as they were
        site.robots = f"User-agent: *\nDisallow: {site.column_url(notices)}\n"
        faulty({notices_url: "robots"})
        site.robots = "User-agent: *\nAllow: /\n"
        # the whole site down for a run: a failed run, no removals
        site.down = True
        down = run_crawl(config, now=NOW)
        assert down.returncode == 1 and down.run["status"] == "failed", down
        assert content_events(down.events) == [] and snapshot(db) == before
        site.down = False
        # a list page that suddenly lists nothing, two runs in a row: a layout alert, never removals
        site.fault(site.column_url(news), sticky="empty_list")
        empty = [run_crawl(config, now=NOW) for _ in range(2)]
        assert [e["type"] for r in empty for e in r.events] == ["layout_changed"], empty
        assert snapshot(db) == before
        site.clear_faults()

        back = run_crawl(config, now=NOW)
        assert back.run["status"] == "ok", back
        assert content_events(back.events) == [], back
        assert snapshot(db) == before
        assert rows(db, "SELECT count(*) AS n FROM releases WHERE status != 'live'")[0]["n"] == 0


@pytest.mark.timeout(600)
def test_one_index_number_on_two_urls_is_one_conflict_never_new_nor_changed(tmp_path: Path) -> None:
    site = build_site(10, per_page=5)
    news = next(iter(site.columns))
    first = site.columns[news].pages[0]
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, revisit="always")])
        db = tmp_path / "govwatch.db"
        assert run_crawl(config, now=NOW).run["status"] == "ok"
        before = snapshot(db)
        twin = site.add_page(
            news,
            day=date(2022, 9, 15),
            title=first.title,
            index_no=first.index_no,
            paragraphs=[*first.paragraphs[:-1], "（另一网址上的不同文本）"],
        )
        runs = [run_crawl(config, now=NOW) for _ in range(3)]
        assert runs[0].types() == ["conflict"], runs[0]
        conflict = runs[0].events[0]
        assert conflict["key"] == first.index_no and conflict["url"] == server.url + site.page_path(twin)
        assert [r.events for r in runs[1:]] == [[], []], runs[1:]  # once, not per run
        assert snapshot(db) == before  # the current version still follows the first URL
        urls = rows(db, "SELECT url FROM release_urls WHERE key = ? ORDER BY url", first.index_no)
        assert sorted(u["url"] for u in urls) == sorted(server.url + site.page_path(p) for p in (first, twin))


@pytest.mark.timeout(600)
def test_new_releases_whose_fetch_failed_are_fetched_next_run_wherever_listed(tmp_path: Path) -> None:
    """Early stop ends paging at a page of known releases; new releases listed below it whose fetch
    failed (or was never made: a killed or bounded run) must not be lost behind it."""
    site = build_site(20, per_page=5)
    news = next(iter(site.columns))
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site)])
        db = tmp_path / "govwatch.db"
        assert run_crawl(config, now=NOW).run["status"] == "ok"
        fresh = [site.add_page(news, day=date(2022, 9, 15)) for _ in range(12)]  # pages 1-3 of the list
        behind = [p for p in fresh if p not in site.columns[news].pages[:5]]
        for page in behind:
            site.fault(site.page_path(page), sticky="500")
        second = run_crawl(config, now="2022-09-15T10:00:00+08:00")
        assert second.run["status"] == "partial", second
        assert sorted(e["index_no"] for e in second.events if e["type"] == "new") == sorted(
            p.index_no for p in fresh if p not in behind
        )
        site.clear_faults()
        third = run_crawl(config, now="2022-09-15T11:00:00+08:00")
        assert sorted(e["index_no"] for e in third.events if e["type"] == "new") == sorted(
            p.index_no for p in behind
        ), third
        keys = {r["key"] for r in rows(db, "SELECT key FROM releases")}
        assert keys == {p.index_no for col in site.columns.values() for p in col.pages}


@pytest.mark.timeout(600)
def test_a_known_page_that_loses_its_index_number_is_not_a_new_release(tmp_path: Path) -> None:
    site = build_site(6, per_page=5)
    site.validators = False  # every revisit a full answer
    page = next(iter(site.columns.values())).pages[0]
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, revisit="always")])
        assert run_crawl(config, now=NOW).run["status"] == "ok"
        index_no, page.index_no = page.index_no, None  # the template drops the 索引号 cell's value
        lost = run_crawl(config, now=NOW)
        page.index_no = index_no
        back = run_crawl(config, now=NOW)
        assert "new" not in lost.types() + back.types(), (lost, back)
    assert lost.types() == ["changed"] and back.types() == ["changed"], (lost, back)
    db = tmp_path / "govwatch.db"
    assert not rows(db, "SELECT key FROM releases WHERE key LIKE 'url:%'")
    owner = rows(db, "SELECT key FROM release_urls WHERE url LIKE ?", "%" + site.page_path(page))
    assert [r["key"] for r in owner] == [index_no]
