"""The spider's decisions, in process: what it requests on a first run, when it stops paging, how its
request budget binds, which known releases it looks for when the list no longer shows them, and that
a run after an unclean one reads every list page again.

Each test drives a real ``SiteCrawl`` (one site's run inside the spider) by hand: its requests are
answered by a sample site's own handler (no server, no reactor), the answers are
``scrapy.http.HtmlResponse`` objects, and what it fetched goes through the real pipeline into a real
``Store`` on a temporary SQLite file. The end-to-end crawls in this folder check the same behaviour
through Scrapy and HTTP.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse

from crawler.config import SiteConfig, config_from_dict
from crawler.crawl.sitecrawl import SiteCrawl
from crawler.demo.site import SampleSite, build_site
from crawler.store import Store
from tests.helpers import site_entry

BASE = "http://www.qz.gov.cn"
NOW = "2026-11-28T09:00:00+08:00"
#: nothing known falls due for a revisit between two runs at the same "now"
QUIET = {"recent": "1d", "recent_every": "30d", "older_every": "30d"}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("GOVWATCH_NOW", NOW)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "govwatch.db") as s:
        yield s


def sample(n: int = 30, per_page: int = 10) -> SampleSite:
    """A TRS site: one column, ``n`` releases, ``per_page`` a list page (index.html, index_1.html …)."""
    return build_site(
        n, profile="trs", columns=(("tzgg", "通知公告", "new"),), per_page=per_page, noise=False
    )


def site_config(site: SampleSite, **overrides: Any) -> SiteConfig:
    entry = site_entry(BASE, site, name="qz", **{"revisit": QUIET, **overrides})
    return config_from_dict({"sites": [entry]}, base_dir=Path(".")).sites[0]


class Run:
    """One run of the spider over ``site``: every request it made, and what it recorded."""

    def __init__(self, store: Store, site: SampleSite, config: SiteConfig) -> None:
        self.store = store
        self.site = site
        self.run_id = store.start_run(config.name)
        self.ledger = store.ledger(config.name, self.run_id, fail_after=config.fail_after)
        self.spider = SiteCrawl(config, self.ledger)
        self.requests: list[scrapy.Request] = []

    def answer(self, request: scrapy.Request) -> HtmlResponse:
        path = request.url.removeprefix(BASE)
        got = self.site.handle(request.method, path, request.body, dict(request.headers.to_unicode_dict()))
        return HtmlResponse(
            request.url, status=got.status, headers=got.headers, body=got.body, request=request
        )

    def go(self, *, finish: str | None = "ok") -> Run:
        queue = deque(self.spider.start_requests())
        self.spider.check_done()
        while queue:
            request = queue.popleft()
            self.requests.append(request)
            queue.extend(request.callback(self.answer(request)) or ())
        assert self.spider.stopped and self.spider.pending == 0  # every request answered: the run ended
        assert self.spider.reason == "finished"
        if finish:
            self.store.finish_run(self.run_id, finish, {"bounded": self.spider.bounded})
        return self

    def lists(self) -> list[str]:
        return [r.url.removeprefix(BASE) for r in self.requests if r.meta["gw_kind"] == "list"]

    def details(self, reason: str | None = None) -> list[str]:
        return [
            r.url.removeprefix(BASE)
            for r in self.requests
            if r.meta["gw_kind"] == "detail" and (reason is None or r.meta["gw_reason"] == reason)
        ]

    def events(self) -> list[str]:
        return sorted(e.type for e in self.ledger.events)


def list_pages(n: int) -> list[str]:
    return ["/tzgg/index.html", *(f"/tzgg/index_{i}.html" for i in range(1, n))]


def test_a_first_run_reads_every_list_page_and_every_release_as_baseline(store):
    site = sample(30, per_page=10)
    run = Run(store, site, site_config(site)).go()
    assert run.lists() == list_pages(3)  # a baseline never stops early
    assert sorted(run.details("new")) == sorted(site.page_path(p) for p in site.all_pages())
    assert all(r.meta["gw_baseline"] for r in run.requests if r.meta["gw_kind"] == "detail")
    assert run.events() == ["new"] * 30 and all(e.baseline for e in run.ledger.events)
    assert store.baselined_columns("qz") == {BASE + "/tzgg/index.html"}


def test_a_later_run_stops_at_the_first_page_of_known_releases(store):
    site = sample(30, per_page=10)
    config = site_config(site)
    Run(store, site, config).go()
    added = site.add_page("tzgg", title="新发布的通知")
    run = Run(store, site, config).go()
    # page 1 carries the new release (so page 2 is read); page 2 is all known: paging stops there
    assert run.lists() == list_pages(2)
    assert run.details() == [site.page_path(added)]
    assert run.events() == ["new"] and not run.ledger.events[0].baseline


def test_without_early_stop_every_list_page_is_read(store):
    site = sample(30, per_page=10)
    config = site_config(site, early_stop=False)
    Run(store, site, config).go()
    assert Run(store, site, config).go().lists() == list_pages(3)


@pytest.mark.parametrize(
    ("status", "stats", "again"),
    [
        ("ok", {}, False),
        ("partial", {"finish_reason": "finished"}, False),  # some release failed, all listed items known
        ("partial", {"bounded": True}, True),  # a bound cut it short
        ("partial", {"finish_reason": "closespider_timeout"}, True),
        ("failed", {}, True),
        (None, {}, True),  # killed: its row is finished failed by the next run
    ],
)
def test_after_an_unclean_run_every_list_page_is_read_again(store, status, stats, again):
    site = sample(30, per_page=10)
    config = site_config(site)
    Run(store, site, config).go()
    previous = Run(store, site, config).go(finish=None)
    store.finish_run(previous.run_id, status or "failed", stats)
    skipped = store.start_run("qz")  # a skipped run (the lock was held) says nothing either way
    store.finish_run(skipped, "skipped")
    run = Run(store, site, config)
    assert run.ledger.full_listing is again
    assert run.go().lists() == list_pages(3 if again else 1)


def test_a_failed_list_page_or_unknown_url_in_a_partial_run_makes_the_next_one_read_everything(store):
    site = sample(30, per_page=10)
    config = site_config(site)
    Run(store, site, config).go()
    site.fault("/tzgg/index_1.html", "500", "500", "500")  # every try of page 2 fails
    added = site.add_page("tzgg", title="第一页的新通知")
    partial = Run(store, site, config).go(finish=None)
    assert partial.spider.columns[BASE + "/tzgg/index.html"].error == "http_500"
    assert partial.ledger.failed == 1
    store.finish_run(partial.run_id, "partial", {"finish_reason": "finished"})
    assert store.needs_full_listing("qz", before_run=partial.run_id + 1)
    assert site.page_path(added) in partial.details("new")


def test_the_request_budget_binds_and_says_so(store):
    site = sample(30, per_page=10)
    run = Run(store, site, site_config(site, max_requests=5)).go()
    assert len(run.requests) == 5
    assert run.spider.bounded
    column = run.spider.columns[BASE + "/tzgg/index.html"]
    assert not column.listing_read  # the baseline is not done: the next run reads it again
    assert store.baselined_columns("qz") == set()


def test_max_list_pages_ends_the_listing_as_read_as_far_as_allowed(store):
    site = sample(30, per_page=10)
    run = Run(store, site, site_config(site, max_list_pages=2)).go()
    assert run.lists() == list_pages(2)
    assert run.spider.bounded
    assert store.baselined_columns("qz") == {BASE + "/tzgg/index.html"}


def test_releases_no_longer_listed_are_fetched_to_see_whether_they_are_gone(store):
    site = sample(30, per_page=10)
    config = site_config(site, early_stop=False)
    Run(store, site, config).go()
    gone = site.withdraw(site.columns["tzgg"].pages[12].id)  # taken off the list, and 404
    run = Run(store, site, config).go()
    # the listing was read to its end: a known release it no longer shows is fetched as "missing",
    # without its conditional-request headers (a 304 would hide a removal)
    missing = [r for r in run.requests if r.meta["gw_kind"] == "detail" and r.meta["gw_reason"] == "missing"]
    assert [r.url.removeprefix(BASE) for r in missing] == [site.page_path(gone)]
    assert b"If-None-Match" not in missing[0].headers and b"If-Modified-Since" not in missing[0].headers
    assert run.events() == []  # one gone answer is not yet a removal
    assert Run(store, site, config).go().events() == ["removed"]


def test_early_stop_looks_for_missing_releases_only_within_the_dates_it_read(store):
    site = sample(30, per_page=10)
    config = site_config(site)
    Run(store, site, config).go()
    pages = site.columns["tzgg"].pages
    recent, old = pages[3], pages[25]
    site.withdraw(recent.id)
    site.withdraw(old.id)
    run = Run(store, site, config).go()
    assert run.lists() == list_pages(1)
    # page 1 lists the newest releases: a gap among their dates is a missing release; a release
    # older than anything read may simply be on a page not read
    assert run.details("missing") == [site.page_path(recent)]


def test_a_redirect_off_the_site_is_a_failed_fetch_not_a_release(store):
    site = sample(5, per_page=10)
    config = site_config(site)
    Run(store, site, config).go()
    page = site.columns["tzgg"].pages[0]
    site.fault(site.page_path(page), "redirect_offsite")
    run = Run(store, site, site_config(site, revisit="always")).go()
    assert run.ledger.failed == 1
    rows = store.db.execute(
        "SELECT outcome, error_kind FROM fetches WHERE run_id = ? AND url = ?",
        [run.run_id, BASE + site.page_path(page)],
    ).fetchall()
    assert rows == [("error", "redirect_offsite")]
    assert run.events() == []
