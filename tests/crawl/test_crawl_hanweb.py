"""End to end: real Scrapy crawls (subprocesses) of a Hanweb-style site served on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from crawler.demo.server import serve
from crawler.demo.site import SampleSite, build_site
from crawler.demo.story import add_reference_page
from tests.helpers import run_crawl, schema, site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

REF_KEY = "11330800002618015K/2022-134528"


def make_site() -> SampleSite:
    # 20 releases per column, 5 per page: the newer form pages 4 times, the older form posts once
    site = build_site(40, per_page=5)
    add_reference_page(site)
    return site


@pytest.fixture
def local(tmp_path: Path):
    site = make_site()
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, revisit="always")])
        yield site, server, config


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.mark.timeout(600)
def test_successive_crawls_report_exactly_what_happened(local, tmp_path: Path) -> None:
    site, server, config = local
    db = tmp_path / "govwatch.db"

    first = run_crawl(config)
    assert first.returncode == 0, first
    assert first.run["status"] == "ok", first
    # everything is stored as baseline; the defaced reference page is flagged on first sight
    new = [e for e in first.events if e["type"] == "new"]
    assert len(new) == 41 and all(e["baseline"] for e in new), first
    tampered = [e for e in first.events if e["type"] == "tampered"]
    assert [e["key"] for e in tampered] == [REF_KEY], first
    assert any("365bet" in f["evidence"] for f in tampered[0]["flags"])
    # both dataproxy forms were read: the GET ?page=N pages and the POST startrecord/endrecord group
    assert site.hits["/module/web/jpage/dataproxy.jsp"] == 4  # 21 items, 5 per page
    assert site.hits["/module/jpage/dataproxy.jsp"] == 1
    assert count(db, "select count(*) from releases") == 41
    jsonschema.validate(first.report, schema("report"))

    # no change (noise only: counters, dates, nonces, related lists) → no events
    second = run_crawl(config)
    assert second.returncode == 0 and second.events == [], second

    # a new release, an edit of an old one, a withdrawal
    added = site.add_page("1229037214", day=date(2022, 9, 20), title="衢州市新增发布会答问实录")
    old = site.columns["1229037215"].pages[-1]
    site.edit(old.id, old.paragraphs[0][:6], old.paragraphs[0][:6] + "（修订）")
    gone = site.columns["1229037215"].pages[3]
    site.withdraw(gone.id)
    third = run_crawl(config)
    assert third.returncode == 0, third
    by_type = {e["type"]: e for e in third.events}
    assert third.types() == ["changed", "new"], third
    assert by_type["new"]["title"] == "衢州市新增发布会答问实录" and not by_type["new"]["baseline"]
    assert by_type["changed"]["index_no"] == old.index_no and by_type["changed"]["version"] == 2
    assert added.index_no == by_type["new"]["index_no"]

    fourth = run_crawl(config)  # the second run in a row that finds it gone
    assert fourth.types() == ["removed"], fourth
    assert fourth.events[0]["index_no"] == gone.index_no

    # faults: 500s and WAF pages for a run → no content event, nothing lost
    victim = site.columns["1229037214"].pages[2]
    site.fault(site.page_path(victim), sticky="500")
    other = site.columns["1229037214"].pages[4]
    site.fault(site.page_path(other), sticky="waf")
    site.fault("/module/web/jpage/dataproxy.jsp", sticky="waf")
    versions_before = count(db, "select count(*) from versions")
    fifth = run_crawl(config)
    assert fifth.returncode == 0, fifth
    assert fifth.run["status"] == "partial", fifth
    assert not [e for e in fifth.events if e["type"] in ("new", "changed", "removed")], fifth
    assert count(db, "select count(*) from versions") == versions_before
    assert count(db, "select count(*) from releases where status = 'removed'") == 1
    site.clear_faults()
    sixth = run_crawl(config)
    assert sixth.events == [] and sixth.run["status"] == "ok", sixth


@pytest.mark.timeout(300)
def test_site_down_is_a_failed_run_not_removals(local, tmp_path: Path) -> None:
    site, server, config = local
    assert run_crawl(config).returncode == 0
    site.down = True
    down = run_crawl(config)
    assert down.returncode == 1 and down.run["status"] == "failed", down
    again = run_crawl(config)
    assert not [e for e in again.events if e["type"] == "removed"], again
    site.down = False
    back = run_crawl(config)
    assert back.run["status"] == "ok" and back.events == [], back


@pytest.mark.timeout(300)
def test_spam_edited_into_a_known_release_is_changed_and_tampered(local, tmp_path: Path) -> None:
    site, server, config = local
    assert run_crawl(config).returncode == 0
    victim = site.columns["1229037215"].pages[1]
    site.edit(victim.id, new="更多精彩请访问365bet备用网址，注册开户即送彩金，联系QQ：123456789")
    hit = run_crawl(config)
    assert hit.types() == ["changed", "tampered"], hit
    tampered = next(e for e in hit.events if e["type"] == "tampered")
    assert tampered["index_no"] == victim.index_no
    assert {f["rule"] for f in tampered["flags"]} >= {"spam_lexicon", "spam_added"}
    assert run_crawl(config).events == []  # still defaced, but nothing new to say
