"""The archive ``govwatch demo`` leaves, as a reader meets it in headless Chromium at 1280 and 390 px
with visitors' SQL off: the home page's charts draw the demo's changed, removed, tampered, failing
and restored events (the numbers in the database), and the edited release leads to its diff."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from crawler.demo.story import EDITED_INDEX_NO
from tests.browse.browsekit import Server, serve
from tests.helpers import env_with, rows

SERIES = {"new", "changed", "removed", "tampered", "failing", "restored"}
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-browse")
    db = folder / "demo.db"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "demo", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=400,
        cwd=folder,
        env=env_with(now="2026-11-30T10:00:00+08:00"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return db


@pytest.fixture(scope="module")
def server(demo_db: Path) -> Iterator[Server]:
    with serve("--db", str(demo_db), db_name="demo", cwd=demo_db.parent) as s:
        yield s


def stored_events(db: Path) -> dict[str, Counter[str]]:
    """site → series → count of the events after the first crawl, as the chart groups them."""
    out: dict[str, Counter[str]] = {}
    for row in rows(
        db, "select site, type, count(*) as n from events where not (type = 'new' and baseline) group by 1, 2"
    ):
        series = {"fetch_failed": "failing"}.get(row["type"], row["type"])
        out.setdefault(row["site"], Counter())[series if series in SERIES else "other"] += row["n"]
    return out


@pytest.mark.parametrize("width", [1280, 390])
def test_the_home_page_draws_the_demo(browser, server: Server, demo_db: Path, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/")
    assert "Custom SQL query" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    stored = stored_events(demo_db)
    assert {"changed", "removed", "failing"} <= set().union(*stored.values())  # what the demo gives
    for site, counts in stored.items():
        figure = page.locator(f"figure[data-chart=events][data-site={site}]")
        bars = figure.locator("rect.gw-bar").evaluate_all(
            "els => els.map(e => [e.dataset.series, Number(e.dataset.count), e.getBoundingClientRect().height])"
        )
        drawn: Counter[str] = Counter()
        for series, count, height in bars:
            assert height > 0, (site, series)
            drawn[series] += count
        assert drawn == counts, site
        assert figure.locator("svg").bounding_box()["width"] <= width  # type: ignore[index]

    months = page.locator("figure[data-chart=months] rect.gw-bar").evaluate_all(
        "els => els.reduce((n, e) => n + Number(e.dataset.count), 0)"
    )
    dated = rows(
        demo_db, "select count(*) as n from releases where coalesce(written_date, published_at) is not null"
    )[0]["n"]
    assert months == dated > 0
    for site in stored:
        assert page.locator(f"figure[data-chart=health][data-site={site}] .gw-meter").count() > 0
    context.close()


def test_the_edited_release_leads_to_its_diff(browser, server: Server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/-/govwatch/release?key={quote(EDITED_INDEX_NO, safe='')}")
    assert EDITED_INDEX_NO in page.inner_text("body") and "版本 v2" in page.inner_text("body")
    page.locator("a", has_text="v1 → v2").first.click()
    page.wait_for_load_state("load")
    assert "/-/govwatch/diff" in page.url
    assert page.locator("ins", has_text="2").count() > 0 and page.locator("del", has_text="2").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert page.title() and "SQL" not in page.title()
    context.close()
