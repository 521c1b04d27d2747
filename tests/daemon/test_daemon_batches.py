"""The daemon's batches: sites that come due together share one crawl process of the batch
supervisor; SIGTERM in the middle of a batch loses nothing committed and leaves no run
``running``; a batch process that dies under the daemon is bisected until the site that kills it
runs alone."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import psutil
import pytest

from crawler.demo.server import SiteServer, serve
from crawler.demo.site import SampleSite
from tests.crawl.test_batches import distinct_site
from tests.daemon.daemonkit import Daemon, log_lines, rows, runs, wait_for
from tests.helpers import REPO, batch_children, env_with, site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

NAMES = ("s1", "s2", "s3")


def feed_ids(feed: Path) -> list[int]:
    if not feed.exists():
        return []
    return [json.loads(line)["id"] for line in feed.read_text(encoding="utf-8").splitlines() if line.strip()]


def new_events_per_release(db: Path) -> list[dict[str, Any]]:
    return rows(db, "SELECT site, key, count(*) AS n FROM events WHERE type = 'new' GROUP BY site, key")


def every_site_started(daemon: Daemon) -> list[dict[str, Any]]:
    """The daemon's ``run_start`` lines once there is one for each of ``NAMES``, else none."""
    starts = daemon.lines("run_start")
    return starts if {e["site"] for e in starts} >= set(NAMES) else []


def once(config: Path, *args: str, on_start: Any = None) -> tuple[int, str]:
    """``govwatch daemon --once --log-json`` as a subprocess: (exit status, its log)."""
    cmd = [sys.executable, "-m", "crawler", "daemon", "--config", str(config), "--once", "--log-json", *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env_with()
    )
    if on_start is not None:
        on_start(proc.pid)
    _out, err = proc.communicate(timeout=600)
    return proc.returncode, err


@pytest.mark.timeout(400)
def test_sigterm_in_the_middle_of_a_batch_loses_nothing_committed(tmp_path: Path) -> None:
    """Three sites crawled by one process, each with one release page that answers nothing for a
    minute; SIGTERM once the others are stored. The daemon exits 0, no run is left ``running`` (the
    stopped ones say so), every event committed was delivered, each exactly once — and the next run
    completes every site, each ``new`` once."""
    sites = {name: distinct_site(16, i) for i, name in enumerate(NAMES)}
    for site in sites.values():
        site.slow_seconds = 60  # type: ignore[attr-defined]
        site.fault(site.page_path(site.columns["1229037215"].pages[-1]), sticky="slow")
    feed = tmp_path / "events.jsonl"
    with serve(sites["s1"]) as a, serve(sites["s2"]) as b, serve(sites["s3"]) as c:
        entries = [
            site_entry(server.url, sites[name], name=name, schedule="*/2 * * * * *")
            for name, server in zip(NAMES, (a, b, c), strict=True)
        ]
        config = write_config(
            tmp_path, entries, sinks=[{"type": "jsonl", "path": str(feed)}], notify_baseline=True
        )
        db = tmp_path / "govwatch.db"
        with Daemon(config, "--log-json") as daemon:
            wait_for(
                "every site's releases stored but the hung one",
                lambda: len(rows(db, "SELECT site FROM releases")) == 3 * 15,
                120,
                daemon,
            )
            assert [r for r in runs(db) if r["status"] == "running"], runs(db)
            # the daemon logs a run's start at its next look at the store (every POLL seconds),
            # which may come after the releases are stored
            starts = wait_for(
                "a run_start line for each site", lambda: every_site_started(daemon), 30, daemon
            )
            pids = {e["pid"] for e in starts}
            assert len(pids) == 1, starts  # one crawl process for the three sites
            assert daemon.terminate(timeout=120) == 0, daemon.log()
            lines = daemon.lines()

        first = runs(db)
        assert first and not [r for r in first if r["status"] == "running"], first
        # SIGTERM came before the slow crawl could end: the runs stopped say so (partial when a
        # column was read to its end before, failed otherwise)
        stopped = [r for r in first if "shutdown" in (r["notes"].get("error") or "")]
        assert stopped, first
        assert all(r["status"] == "ok" or r in stopped for r in first), first
        ends = {e["run"]: e for e in lines if e["event"] == "run_end"}
        assert {r["id"] for r in first} <= set(ends), (first, ends)
        # every committed event went out at shutdown, once; each stored release has its `new`
        recorded = [r["id"] for r in rows(db, "SELECT id FROM events ORDER BY id")]
        assert recorded and sorted(feed_ids(feed)) == recorded
        stored = {
            r["site"]: r["n"] for r in rows(db, "SELECT site, count(*) AS n FROM releases GROUP BY site")
        }
        news = new_events_per_release(db)
        assert all(r["n"] == 1 for r in news), news
        assert {s: sum(1 for r in news if r["site"] == s) for s in stored} == stored

        # the next run (cron's --once) completes every site; nothing repeats
        for site in sites.values():
            site.clear_faults()
        code, err = once(config)
        assert code == 0, err[-3000:]
    stored = {r["site"]: r["n"] for r in rows(db, "SELECT site, count(*) AS n FROM releases GROUP BY site")}
    assert stored == {name: 16 for name in NAMES}, stored
    news = new_events_per_release(db)
    assert len(news) == 48 and all(r["n"] == 1 for r in news), news
    ids = feed_ids(feed)
    assert sorted(ids) == [r["id"] for r in rows(db, "SELECT id FROM events ORDER BY id")]
    assert len(ids) == len(set(ids))


@pytest.mark.timeout(900)
def test_a_batch_process_killed_under_the_daemon_is_bisected(tmp_path: Path) -> None:
    """``daemon --once`` with five due sites: whenever the "bomb" site is fetched, the crawl process
    is SIGKILLed. The batch is split until the bomb runs alone and is recorded failed saying so;
    the four others end ``ok`` with all their releases, each ``new`` once; --once exits 1."""
    names = ["s1", "s2", "bomb", "s4", "s5"]
    sites: dict[str, SampleSite] = {name: distinct_site(6, i) for i, name in enumerate(names)}
    daemon_pid: list[int] = []
    kills: list[int] = []

    class BombServer(SiteServer):
        def process_request(self, request: Any, client_address: Any) -> None:
            for child in batch_children(daemon_pid[0]) if daemon_pid else []:
                kills.append(child.pid)
                child.send_signal(signal.SIGKILL)
            super().process_request(request, client_address)

    servers: dict[str, Any] = {}
    try:
        for name in names:
            servers[name] = (BombServer if name == "bomb" else SiteServer)(sites[name])
            threading.Thread(target=servers[name].serve_forever, daemon=True).start()
        config = write_config(
            tmp_path,
            [site_entry(servers[n].url, sites[n], name=n) for n in names],
            crawl={"batch_size": 5},
        )
        code, err = once(config, on_start=daemon_pid.append)
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()
    assert code == 1, err[-3000:]  # one site failed
    assert kills, "the bomb site was never fetched"
    db = tmp_path / "govwatch.db"
    all_runs = runs(db)
    assert not [r for r in all_runs if r["status"] == "running"], all_runs
    last = {r["site"]: r for r in all_runs}
    assert {s: r["status"] for s, r in last.items()} == {
        n: ("failed" if n == "bomb" else "ok") for n in names
    }
    note = last["bomb"]["notes"]
    assert note["by"] == "supervisor" and "alone" in note["error"], note
    assert "killed by signal 9" in note["error"], note
    # bisection, not one process per site: 5 → (3, 2) → … the bomb alone
    assert 2 <= len(set(kills)) <= 4, kills
    starts = log_lines(err, "batch_start")
    assert starts[0]["sites"] == 5 and len(starts) <= 6, starts
    stored = rows(db, "SELECT site, count(*) AS n FROM releases GROUP BY site")
    assert {r["site"]: r["n"] for r in stored if r["site"] != "bomb"} == {n: 6 for n in names if n != "bomb"}
    news = new_events_per_release(db)
    assert news and all(r["n"] == 1 for r in news), news
    # every run has its end line, the bomb's last one saying why
    ends = {e["run"]: e for e in log_lines(err, "run_end")}
    assert {r["id"] for r in all_runs} == set(ends), (all_runs, ends)
    assert ends[last["bomb"]["id"]]["status"] == "failed"


@pytest.mark.timeout(400)
def test_a_daemon_killed_outright_takes_its_crawl_processes_with_it(tmp_path: Path) -> None:
    """SIGKILL of the daemon alone (as the out-of-memory killer would) in the middle of a batch: its
    crawl process does not go on unsupervised — it stops as on a shutdown, recording what it
    fetched, and leaves no run ``running``; the next run completes every site."""
    sites = {name: distinct_site(16, i) for i, name in enumerate(NAMES)}
    for site in sites.values():
        site.slow_seconds = 60  # type: ignore[attr-defined]
        site.fault(site.page_path(site.columns["1229037215"].pages[-1]), sticky="slow")
    with serve(sites["s1"]) as a, serve(sites["s2"]) as b, serve(sites["s3"]) as c:
        entries = [
            site_entry(server.url, sites[name], name=name, schedule="*/2 * * * * *")
            for name, server in zip(NAMES, (a, b, c), strict=True)
        ]
        config = write_config(tmp_path, entries)
        db = tmp_path / "govwatch.db"
        with Daemon(config, "--log-json") as daemon:
            wait_for(
                "every site's releases stored but the hung one",
                lambda: len(rows(db, "SELECT site FROM releases")) == 3 * 15,
                120,
                daemon,
            )
            crawls = daemon.crawls()
            assert len(crawls) == 1, crawls
            daemon.proc.kill()
            daemon.proc.wait(timeout=30)
            gone, alive = psutil.wait_procs(crawls, timeout=60)
            assert not alive, f"the crawl process went on after the daemon was killed: {alive}"
        first = runs(db)
        assert first and not [r for r in first if r["status"] == "running"], first
        stopped = [r for r in first if "shutdown" in (r["notes"].get("error") or "")]
        assert len(stopped) == 3, first  # each was waiting for its hung page
        for site in sites.values():
            site.clear_faults()
        code, err = once(config)
        assert code == 0, err[-3000:]
    stored = {r["site"]: r["n"] for r in rows(db, "SELECT site, count(*) AS n FROM releases GROUP BY site")}
    assert stored == {name: 16 for name in NAMES}, stored
