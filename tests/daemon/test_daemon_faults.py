"""A crawl that hangs or crashes cannot take the daemon down: it is stopped or reaped, recorded
failed, and the schedule goes on; the crawl's own lock makes a manual crawl of a busy site `skipped`;
SIGTERM ends the daemon cleanly."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import psutil
import pytest

from crawler.demo.server import serve
from crawler.demo.site import SampleSite, build_site
from tests.crawl.test_batches import distinct_site
from tests.daemon.daemonkit import Daemon, runs, wait_for
from tests.helpers import run_crawl, site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def hang(site: SampleSite) -> None:
    """Every list page of ``site`` accepts the connection and answers nothing for a minute."""
    site.slow_seconds = 60
    for column in site.columns.values():
        site.fault(site.column_url(column.id), sticky="slow")


def running_crawl(daemon: Daemon, site: str) -> tuple[dict, psutil.Process] | None:
    """The run row of ``site`` being crawled right now, and the daemon's crawl process writing it."""
    live = [r for r in runs(daemon.db, site) if r["status"] == "running"]
    crawls = daemon.crawls()
    if len(live) == 1 and len(crawls) == 1:
        return live[0], crawls[0]
    return None


@pytest.mark.timeout(240)
def test_a_hung_site_fails_at_its_run_timeout_and_the_others_of_its_batch_end_ok(tmp_path: Path) -> None:
    """Three sites due together share one crawl process; the daemon's ``run_timeout`` is each
    site's own: the hung one ends ``failed`` at it, the two others end ``ok`` before it, each with
    its own run and lines, and the schedule goes on."""
    stuck, fine, other = (distinct_site(4, i) for i in range(3))
    hang(stuck)
    with serve(stuck) as a, serve(fine) as b, serve(other) as c:
        config = write_config(
            tmp_path,
            [
                site_entry(a.url, stuck, name="stuck", schedule="*/2 * * * * *"),
                site_entry(b.url, fine, name="fine", schedule="*/2 * * * * *"),
                site_entry(c.url, other, name="other", schedule="*/2 * * * * *"),
            ],
            daemon={"run_timeout": "8s", "max_parallel": 2},
        )
        with Daemon(config, "--log-json") as daemon:
            db = daemon.db
            first = wait_for(
                "the hung run recorded failed",
                lambda: [r for r in runs(db, "stuck") if r["status"] == "failed"],
                90,
                daemon,
            )[0]
            assert "run_timeout (8s)" in first["notes"]["error"], first
            end = wait_for(
                "its run_end line",
                lambda: [e for e in daemon.lines("run_end") if e["run"] == first["id"]],
                10,
                daemon,
            )[0]
            assert end["status"] == "failed" and end["killed"] == "timeout", end
            # one crawl process began the three sites' first runs
            firsts = {site: runs(db, site)[0] for site in ("stuck", "fine", "other")}
            starts = {e["run"]: e for e in daemon.lines("run_start")}
            assert len({starts[r["id"]]["pid"] for r in firsts.values()}) == 1, (firsts, starts)
            # the others were not held by the hang: ok, and ended before it
            for name in ("fine", "other"):
                run = firsts[name]
                assert run["status"] == "ok", run
                assert run["finished_at"] <= first["finished_at"], (run, first)
            ends = [e["run"] for e in daemon.lines("run_end")]
            assert ends.index(firsts["fine"]["id"]) < ends.index(first["id"]), ends

            stuck.clear_faults()
            wait_for(
                "the next run of the hung site",
                lambda: [r for r in runs(db, "stuck") if r["status"] == "ok"],
                90,
                daemon,
            )
            assert len([r for r in runs(db, "fine") if r["status"] == "ok"]) >= 2
            assert daemon.alive()
            assert daemon.terminate() == 0, daemon.log()

    stuck_runs = runs(db, "stuck")
    assert stuck_runs[0]["status"] == "failed"
    assert all(r["status"] != "running" for r in runs(db)), runs(db)


@pytest.mark.timeout(240)
def test_a_crashed_crawl_is_recorded_failed_and_the_daemon_goes_on(tmp_path: Path) -> None:
    site = build_site(4, per_page=5)
    hang(site)
    with serve(site) as server:
        config = write_config(
            tmp_path, [site_entry(server.url, site, schedule="*/2 * * * * *")], daemon={"run_timeout": "2m"}
        )
        with Daemon(config) as daemon:
            db = daemon.db
            row, crawl = wait_for("a crawl under way", lambda: running_crawl(daemon, "local"), 60, daemon)
            crawl.send_signal(signal.SIGKILL)
            crashed = wait_for(
                "the killed run recorded failed",
                lambda: [r for r in runs(db, "local") if r["id"] == row["id"] and r["status"] == "failed"],
                60,
                daemon,
            )[0]
            assert "signal 9" in crashed["notes"]["error"], crashed
            assert daemon.alive()

            site.clear_faults()
            wait_for(
                "a later run that succeeds", lambda: [r for r in runs(db) if r["status"] == "ok"], 60, daemon
            )
            assert daemon.alive()
            assert daemon.terminate() == 0, daemon.log()


@pytest.mark.timeout(240)
def test_a_manual_crawl_of_a_busy_site_is_skipped_and_sigterm_ends_the_daemon(tmp_path: Path) -> None:
    site = build_site(4, per_page=5)
    hang(site)
    with serve(site) as server:
        config = write_config(
            tmp_path, [site_entry(server.url, site, schedule="*/2 * * * * *")], daemon={"run_timeout": "2m"}
        )
        with Daemon(config) as daemon:
            db = daemon.db
            row, crawl = wait_for("a crawl under way", lambda: running_crawl(daemon, "local"), 60, daemon)

            manual = run_crawl(config, "--site", "local", timeout=120)
            assert manual.returncode == 1, manual
            assert manual.run["status"] == "skipped", manual
            assert "being crawled by another process" in manual.proc.stdout + manual.proc.stderr, manual

            assert daemon.terminate(timeout=90) == 0, daemon.log()
            assert not crawl.is_running() or crawl.status() == psutil.STATUS_ZOMBIE
            # the manual crawl's skipped run is not taken for one of the daemon's
            assert not re.search(rf"run={manual.run['id']}\b", daemon.log()), daemon.log()

    interrupted = next(r for r in runs(db) if r["id"] == row["id"])
    assert interrupted["status"] == "failed", interrupted
    assert "shutdown" in interrupted["notes"]["error"], interrupted
    assert [r["status"] for r in runs(db) if r["status"] == "running"] == []
