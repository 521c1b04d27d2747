"""One scenario — baseline, no change, new, edit, withdrawal, 500s and WAF pages — on every kind of
site: the event sequences must match the UTF-8 Hanweb site's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import SampleSite, build_site
from tests.helpers import run_crawl, site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

VARIANTS = {
    "hanweb-utf8": {"profile": "hanweb", "encoding": "utf-8"},
    "hanweb-gbk": {"profile": "hanweb", "encoding": "gbk"},
    "trs": {"profile": "trs", "encoding": "utf-8"},
    "trs-gbk": {"profile": "trs", "encoding": "gbk"},
    "generic": {"profile": "generic", "encoding": "utf-8"},
}


def scenario(site: SampleSite, config: Path) -> list[tuple[str, list[str], str]]:
    """Run the scenario; returns ``(step, sorted event types, run status)`` per crawl."""
    steps: list[tuple[str, list[str], str]] = []

    def crawl(step: str) -> None:
        result = run_crawl(config)
        assert result.returncode in (0, 1), result
        steps.append((step, result.types(), result.run["status"]))

    crawl("baseline")
    crawl("no change")
    site.add_page("1229037214", day=date(2022, 9, 20), title="关于衢州市新增政策文件的通知")
    crawl("new")
    old = site.columns["1229037215"].pages[-1]
    site.edit(old.id, old.paragraphs[0][:5], old.paragraphs[0][:5] + "（已修订）")
    crawl("edit")
    site.withdraw(site.columns["1229037215"].pages[2].id)
    crawl("withdrawn once")
    crawl("withdrawn twice")
    pages = site.columns["1229037214"].pages
    site.fault(site.page_path(pages[1]), sticky="500")
    site.fault(site.page_path(pages[3]), sticky="waf")
    crawl("500 and WAF")
    site.clear_faults()
    crawl("recovered")
    return steps


@pytest.mark.timeout(900)
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_same_events_on_every_kind_of_site(
    variant: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    options = VARIANTS[variant]
    site = build_site(24, per_page=5, **options)
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site, revisit="always")])
        steps = scenario(site, config)
    expected = [
        ("baseline", ["new"] * 24, "ok"),
        ("no change", [], "ok"),
        ("new", ["new"], "ok"),
        ("edit", ["changed"], "ok"),
        ("withdrawn once", [], "ok"),
        ("withdrawn twice", ["removed"], "ok"),
        ("500 and WAF", [], "partial"),
        ("recovered", [], "ok"),
    ]
    assert steps == expected
