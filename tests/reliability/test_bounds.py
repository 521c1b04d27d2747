"""A pagination trap (every list page names one more, with fresh items) cannot keep a crawl going:
each run bound — max_list_pages, max_requests, max_duration — ends it as ``partial``, and the
trap's items never become alerts about the releases already stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.helpers import run_crawl, site_entry, write_config
from tests.reliability.kit import content_events, rows, snapshot

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

NOW = "2022-09-15T09:00:00+08:00"

BOUNDS: list[tuple[str, dict[str, Any]]] = [
    ("max_list_pages", {"max_list_pages": 4, "max_requests": 100_000, "max_duration": "10m"}),
    ("max_requests", {"max_list_pages": 100_000, "max_requests": 40, "max_duration": "10m"}),
    ("max_duration", {"max_list_pages": 100_000, "max_requests": 1_000_000, "max_duration": "6s"}),
]


@pytest.mark.timeout(600)
@pytest.mark.parametrize(("name", "bound"), BOUNDS, ids=[b[0] for b in BOUNDS])
def test_a_pagination_trap_ends_at_its_bound(tmp_path: Path, name: str, bound: dict[str, Any]) -> None:
    site = build_site(12, per_page=5)
    news = next(iter(site.columns))
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, **bound)])
        db = tmp_path / "govwatch.db"
        first = run_crawl(config, now=NOW)  # no trap yet: the site's releases are stored
        assert first.returncode == 0 and first.run["status"] == "ok", first
        before = snapshot(db)

        site.fault(site.column_url(news), sticky="trap")
        run = run_crawl(config, now=NOW, timeout=300)  # the timeout is the test's own bound
        assert run.returncode == 0 and run.run["status"] == "partial", run
        assert content_events(run.events) == [], run
        assert snapshot(db) == before
        counts = json.loads(rows(db, "SELECT counts FROM runs WHERE id = ?", run.run["id"])[0]["counts"])
        assert counts["bounded"], counts
        pages = rows(
            db,
            "SELECT cr.pages FROM column_runs cr JOIN columns c ON c.id = cr.column_id "
            "WHERE cr.run_id = ? AND c.column_url = ?",
            run.run["id"],
            server.url + site.column_url(news),
        )
        if name == "max_list_pages":
            assert pages and pages[0]["pages"] == bound["max_list_pages"], pages
        elif name == "max_requests":
            # every request the spider made counts; robots.txt is the downloader's own
            assert run.run["requests"] <= bound["max_requests"] + 1, run.run
        else:
            assert counts["finish_reason"] == "closespider_timeout", counts
            assert pages and pages[0]["pages"] > 5, pages  # it was trapped, then stopped
