"""Every crawl ends by its max_duration plus 30 s, whatever a server does (finding 3, and the deadline
half of finding 4): headers drip-fed one byte at a time, requests never answered, a robots.txt that
never ends."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.helpers import run_crawl
from tests.hostile.kit import (
    NOW,
    HostileSite,
    drip_headers,
    list_html,
    paragraphs,
    release_html,
    serving,
    site_config,
)

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def never_answer(handler) -> None:  # reads the request, then holds the connection without a word
    time.sleep(600)


def test_drip_fed_and_silent_pages_cannot_hold_a_crawl_past_max_duration(tmp_path: Path) -> None:
    site = HostileSite()
    with serving(site):
        site.route("/robots.txt", drip_headers(interval=0.2))
        site.prefix("/drip/", drip_headers(interval=0.2))
        site.prefix("/silent/", never_answer)
        site.page("/art/ok.html", release_html("关于正常发布的通知", "DEADLINE-0001", paragraphs(3)))
        items = [("/art/ok.html", "正常")]
        items += [(f"/drip/{i}.html", f"慢{i}") for i in range(100)]
        items += [(f"/silent/{i}.html", f"无声{i}") for i in range(100)]
        site.page("/col/index.html", list_html(items))
        config = site_config(tmp_path, site, ["/col/index.html"], max_duration="20s")
        started = time.monotonic()
        result = run_crawl(config, now=NOW, timeout=300)
        elapsed = time.monotonic() - started
    assert elapsed < 20 + 30, f"the crawl took {elapsed:.0f} s"
    assert result.returncode == 0 and result.run["status"] == "partial", result
    conn = sqlite3.connect(tmp_path / "govwatch.db")
    try:
        ((status, finished),) = conn.execute("SELECT status, finished_at FROM runs").fetchall()
        kinds = {
            k for (k,) in conn.execute("SELECT DISTINCT error_kind FROM fetches WHERE outcome = 'error'")
        }
    finally:
        conn.close()
    assert status == "partial" and finished
    assert kinds <= {"timeout", "ignored"}, kinds


def test_the_watchdog_stops_a_process_that_outlives_its_grace(tmp_path: Path) -> None:
    """The last layer, for what no timeout covers: the run is recorded failed, one line says so."""
    db = tmp_path / "govwatch.db"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from crawler.crawl.deadline import Watchdog
        from crawler.store import Store

        store = Store(Path({str(db)!r}))
        run_id = store.start_run("stuck")
        Watchdog(Path({str(db)!r}), time.monotonic() + 1, grace=5).start().watch(run_id, "stuck")
        time.sleep(120)  # a crawl that would never end
        """
    )
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == 1 and elapsed < 1 + 5 + 10, (proc, elapsed)
    lines = proc.stderr.strip().splitlines()
    assert lines == ["govwatch: stuck: run 1 still running 2 s after max_duration: stopped"], proc.stderr
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT status FROM runs WHERE id = 1").fetchone() == ("failed",)
    finally:
        conn.close()
