"""End to end: real Scrapy crawls of column pages wrapped in furniture (a guide link, a scrolling
notice bar, a sidebar, footer links — all in the detail form, all pages the site serves). Only the
list's releases are recorded; furniture that changes between crawls raises no `new`."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from crawler.demo.server import serve
from tests.crawl.furnished import ABOUT, MARQUEE, SIDEBAR, WATCHED, furnished_site, watched_entry
from tests.helpers import run_crawl, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def urls(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("select url from release_urls")}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("profile", ["trs", "hanweb"])
def test_only_list_items_become_releases_and_furniture_raises_no_new(profile: str, tmp_path: Path) -> None:
    site = furnished_site(profile)
    listed = {site.page_path(p) for cid, _ in WATCHED for p in site.columns[cid].pages}
    furniture = {site.page_path(p) for cid in (MARQUEE, SIDEBAR, ABOUT) for p in site.columns[cid].pages}
    with serve(site) as server:
        config = write_config(tmp_path, [watched_entry(server.url, site)])
        db = tmp_path / "govwatch.db"

        first = run_crawl(config)
        assert first.returncode == 0 and first.run["status"] == "ok", first
        assert first.types() == ["new"] * 24, first
        assert {e["url"] for e in first.events} == {server.url + path for path in listed}
        assert not [path for path in furniture if site.hits[path]]  # never even fetched
        assert urls(db) == {server.url + path for path in listed}
        if profile == "hanweb":  # the older form: InitData group, then a POST with the nested ajaxParam
            assert site.hits["/module/jpage/dataproxy.jsp"] == 0  # 12 per column, 15 in the first group

        # the furniture moves on: a new 停电 notice scrolls in, the sidebar and the guide change
        site.add_page(MARQUEE, day=date(2022, 9, 20), title="关于9月22日城东片区计划停电的通知")
        site.add_page(SIDEBAR, day=date(2022, 9, 20), title="云山市2022年下半年公开招聘公告")
        site.add_page(ABOUT, day=date(2022, 9, 20), title="云山市人民政府信息公开指南（2022年修订）")
        quiet = run_crawl(config)
        assert quiet.returncode == 0 and quiet.events == [], quiet

        # a real release in a watched column is the one `new`
        added = site.add_page(
            WATCHED[0][0], day=date(2022, 9, 21), title="关于印发云山市数字经济发展规划的通知"
        )
        third = run_crawl(config)
        assert third.types() == ["new"], third
        assert third.events[0]["url"] == server.url + site.page_path(added)
        assert third.events[0]["baseline"] is False


@pytest.mark.timeout(600)
def test_older_hanweb_groups_are_posted_with_the_pages_own_form(tmp_path: Path) -> None:
    """More releases than the InitData group: the rest come by POST, whose form must carry webid,
    unitid and webname (the site answers an empty datastore otherwise)."""
    site = furnished_site("hanweb", n=80, per_page=5)  # 40 per column: 15 in InitData, 25 by POST
    with serve(site) as server:
        config = write_config(tmp_path, [watched_entry(server.url, site)])
        first = run_crawl(config)
        assert first.returncode == 0 and first.run["status"] == "ok", first
        assert first.types() == ["new"] * 80, first
        assert site.hits["/module/jpage/dataproxy.jsp"] == 4  # per column: records 16–30, then 31–40
