"""Incremental crawling on a local Hanweb site of 300 releases: early stop, conditional requests,
the revisit policy (time moved with GOVWATCH_NOW), failure reports and run health."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.helpers import run_crawl, site_entry, value, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

T0 = "2022-09-15T09:00:00+08:00"
T0_1H = "2022-09-15T10:00:00+08:00"
T0_8D = "2022-09-23T10:00:00+08:00"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("incremental")
    site = build_site(300, per_page=15)
    with serve(site) as server:
        config = write_config(tmp, [site_entry(server.url, site)])
        yield site, config, tmp / "govwatch.db"


@pytest.mark.timeout(900)
def test_incremental_recrawls_are_cheap_and_still_catch_due_edits(big) -> None:
    site, config, db = big
    first = run_crawl(config, now=T0)
    assert first.returncode == 0 and first.run["status"] == "ok", first
    assert first.types(baseline=True).count("new") == 300
    full = first.run["requests"]
    assert full >= 300

    # nothing changed, nothing due: one list page per column (early stop), no release pages
    again = run_crawl(config, now=T0_1H)
    assert again.events == [], again
    assert again.run["requests"] <= 0.05 * full, (again.run, full)

    # a silent edit of a release published 200 days earlier: not due an hour later …
    old = next(
        p
        for p in site.columns["1229037215"].pages
        if (site.columns["1229037215"].pages[0].day - p.day).days > 200
    )
    site.edit(old.id, old.paragraphs[1][:4], old.paragraphs[1][:4] + "不")
    early = run_crawl(config, now=T0_1H)
    assert early.events == [], early
    # … and caught on the run where its revisit (older_every: 7d) falls due
    due = run_crawl(config, now=T0_8D)
    changed = [e for e in due.events if e["type"] == "changed"]
    assert [e["index_no"] for e in changed] == [old.index_no], due
    assert due.types() == ["changed"], due
    # conditional requests: unchanged releases answered 304 and were taken as unchanged
    assert (
        value(db, "select count(*) from fetches where run_id = ? and outcome = 'not_modified'", due.run["id"])
        > 200
    )


@pytest.mark.timeout(900)
def test_failing_column_reports_once_then_recovers(tmp_path: Path) -> None:
    site = build_site(40, per_page=10)
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site)])
        assert run_crawl(config, now=T0).returncode == 0
        column_path = site.column_url("1229037214")
        site.fault(column_path, sticky="500")
        runs = [run_crawl(config, now=f"2022-09-1{6 + i}T09:00:00+08:00") for i in range(4)]
        failed = [e for r in runs for e in r.events if e["type"] == "fetch_failed"]
        assert len(failed) == 1 and runs[2].types() == ["fetch_failed"], runs
        assert failed[0]["key"] == "column:" + server.url + column_path and failed[0]["version"] is None
        assert not [e for r in runs for e in r.events if e["type"] in ("removed", "new", "changed")]
        site.clear_faults()
        back = run_crawl(config, now="2022-09-21T09:00:00+08:00")
        assert back.types() == ["fetch_recovered"], back
        later = run_crawl(config, now="2022-09-21T10:00:00+08:00")
        assert later.events == [], later


@pytest.mark.timeout(900)
def test_short_list_is_layout_changed_and_waf_is_a_failed_fetch(tmp_path: Path) -> None:
    site = build_site(60, per_page=15)
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site)])
        assert run_crawl(config, now=T0).returncode == 0
        assert run_crawl(config, now=T0_1H).events == []
        column_path = site.column_url("1229037214")
        site.fault(column_path, sticky="short_list")
        short1 = run_crawl(config, now="2022-09-16T09:00:00+08:00")
        short2 = run_crawl(config, now="2022-09-17T09:00:00+08:00")
        assert short1.types() == ["layout_changed"], short1
        assert short2.events == [], short2  # once, not per run; and never removals
        site.clear_faults()
        site.fault(column_path, sticky="waf")
        waf_runs = [run_crawl(config, now=f"2022-09-1{8 + i}T09:00:00+08:00") for i in range(2)]
        for r in waf_runs:
            assert not [e for e in r.events if e["type"] in ("layout_changed", "removed")], r
            assert r.run["status"] == "partial", r
        failures = value(tmp_path / "govwatch.db", "select count(*) from column_runs where ok = 0")
        assert failures >= 2


@pytest.mark.timeout(600)
def test_releases_listed_in_a_bounded_baseline_run_stay_baseline(tmp_path: Path) -> None:
    site = build_site(40, per_page=10)
    with serve(site) as server:
        bounded = write_config(tmp_path, [site_entry(server.url, site, max_requests=15)])
        first = run_crawl(bounded, now=T0)
        assert first.run["status"] == "partial", first
        fetched = first.types().count("new")
        assert 0 < fetched < 40
        config = write_config(tmp_path, [site_entry(server.url, site)])
        second = run_crawl(config, now=T0_1H)
        new = [e for e in second.events if e["type"] == "new"]
        assert len(new) == 40 - fetched, second
        assert all(e["baseline"] for e in new), second  # listed in the baseline run: not news
        added = site.add_page("1229037214", day=date(2022, 9, 16), title="衢州市新发布的通知")
        third = run_crawl(config, now="2022-09-16T10:00:00+08:00")
        assert [(e["type"], e["baseline"], e["title"]) for e in third.events] == [
            ("new", False, added.title)
        ], third
