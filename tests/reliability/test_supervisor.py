"""The batch supervisor's own ways of ending a crawl process, with real crawl processes and real
servers: a process whose heartbeat stops (a page that holds it: here its server freezes the process
with SIGSTOP) is killed after ``stall`` seconds and bisected down to the site that holds it, which
ends ``failed`` saying it stalled while the others end ``ok``; a site whose crawl never ends (a
pagination that goes on forever) fails at the daemon's ``run_timeout`` without holding up the other
sites of its batch."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
import pytest

from crawler.children import child_env
from crawler.config.build import load_config
from crawler.crawl.batches import Supervisor
from crawler.crawl.settings import MAX_DOWNLOAD_TIMEOUT
from crawler.demo.server import SiteServer
from tests.helpers import rows, write_config
from tests.reliability.batchkit import (
    batch_children,
    batch_site,
    crawl,
    entries,
    finish,
    keys_of,
    running_runs,
    serving,
    start,
    wait_for,
)
from tests.reliability.kit import NOW, integrity

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

#: seconds without a heartbeat before the supervisor kills a crawl process (a crawl process beats
#: every second; its start-up on this loaded machine takes a few)
STALL = 8.0


@pytest.fixture
def crawl_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawl processes the supervisor starts see the sample sites' time (nothing is stale)."""
    monkeypatch.setenv("GOVWATCH_NOW", NOW)


def check_others(db: Path, sites: dict[str, Any], culprit: str) -> None:
    """Every site but ``culprit`` ended ``ok`` with all its releases, each one ``new`` once."""
    for name, site in sites.items():
        if name == culprit:
            continue
        keys = {r["key"] for r in rows(db, "SELECT key FROM releases WHERE site = ?", name)}
        assert keys == keys_of(site), name
        news = rows(
            db, "SELECT key, count(*) AS n FROM events WHERE type = 'new' AND site = ? GROUP BY key", name
        )
        assert {r["key"] for r in news} == keys_of(site) and {r["n"] for r in news} == {1}, (name, news)


@pytest.mark.timeout(600)
def test_a_crawl_process_that_stops_beating_is_killed_and_its_culprit_found(
    tmp_path: Path, crawl_clock: None
) -> None:
    names = ["s0", "s1", "frozen", "s3"]
    sites = {name: batch_site(5, i) for i, name in enumerate(names)}
    supervisor: list[Supervisor] = []
    frozen: list[int] = []

    class FreezingServer(SiteServer):
        """Each request freezes the crawl processes that are running (SIGSTOP): no heartbeat."""

        def process_request(self, request: Any, client_address: Any) -> None:
            for pid in supervisor[0].pids if supervisor else []:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                    frozen.append(pid)
            super().process_request(request, client_address)

    freezer = FreezingServer(sites["frozen"])
    threading.Thread(target=freezer.serve_forever, daemon=True).start()
    try:
        with serving({n: s for n, s in sites.items() if n != "frozen"}) as servers:
            servers["frozen"] = freezer
            config_path = write_config(tmp_path, entries(sites, servers), crawl={"batch_size": 4})
            config = load_config(config_path)
            supervisor.append(Supervisor(config, config_path, config.database, stall=STALL))
            results = supervisor[0].run(list(config.sites))
    finally:
        freezer.shutdown()
        freezer.server_close()
    db = config.database
    assert frozen, "the frozen site was never fetched"
    assert integrity(db) == "ok"
    assert {r.site: r.status for r in results} == {n: ("failed" if n == "frozen" else "ok") for n in names}
    culprit = next(r for r in results if r.site == "frozen")
    assert "stalled" in (culprit.message or "") and "alone" in (culprit.message or ""), culprit
    assert f"no heartbeat for {STALL:g}s" in (culprit.message or ""), culprit
    runs = rows(db, "SELECT id, site, status, notes FROM runs ORDER BY id")
    assert not [r for r in runs if r["status"] == "running"], runs
    notes = json.loads([r for r in runs if r["site"] == "frozen"][-1]["notes"])
    assert notes["by"] == "supervisor" and notes["killed"] == "stall", notes
    check_others(db, sites, "frozen")


@pytest.mark.timeout(600)
def test_a_site_that_never_ends_fails_at_run_timeout_and_holds_up_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOVWATCH_NOW", raising=False)  # the real clock: runs' times say when they ended
    names = ["s0", "s1", "endless", "s3"]
    sites = {name: batch_site(5, i) for i, name in enumerate(names)}
    endless = sites["endless"]
    endless.fault(endless.column_url(next(iter(endless.columns))), sticky="trap")
    endless.latency = 0.2  # type: ignore[attr-defined]  # a page every so often, for ever
    with serving(sites) as servers:
        config_path = write_config(
            tmp_path,
            entries(sites, servers, endless={"max_duration": "10m", "max_list_pages": 100_000}),
            crawl={"batch_size": 4},
        )
        config = load_config(config_path)
        supervisor = Supervisor(config, config_path, config.database, run_timeout=8, stall=60)
        results = supervisor.run(list(config.sites))
    db = config.database
    assert integrity(db) == "ok"
    assert {r.site: r.status for r in results} == {n: ("failed" if n == "endless" else "ok") for n in names}
    culprit = next(r for r in results if r.site == "endless")
    assert "run_timeout" in (culprit.message or "") and "run_timeout" in culprit.reason, culprit
    runs = {r["site"]: r for r in rows(db, "SELECT * FROM runs ORDER BY id")}
    assert json.loads(runs["endless"]["counts"])["finish_reason"] == "run_timeout", runs["endless"]
    # one crawl process for the four; the others ended before the endless one was stopped
    assert len({r.run_id for r in results}) == 4 and len(runs) == 4, runs
    for name in names:
        if name != "endless":
            assert runs[name]["finished_at"] < runs["endless"]["finished_at"], (name, runs)
    check_others(db, sites, "endless")


@pytest.mark.timeout(600)
def test_a_site_stopped_at_run_timeout_leaves_no_download_holding_its_batch_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site whose release pages never answer fails at ``run_timeout``; its downloads in flight end
    with its run (their answers would be ignored), not at the 20 s download timeout — so the batch
    process, and with it the locks of its batch-mates, is not held for nothing."""
    monkeypatch.delenv("GOVWATCH_NOW", raising=False)  # the real clock: runs' times say when they began
    run_timeout = 6.0
    names = ["s0", "hung", "s2"]
    sites = {name: batch_site(4, i) for i, name in enumerate(names)}
    hung = sites["hung"]
    hung.slow_seconds = MAX_DOWNLOAD_TIMEOUT + 5  # type: ignore[attr-defined]  # longer than any timeout
    for page in hung.all_pages():
        hung.fault(hung.page_path(page), sticky="slow")
    with serving(sites) as servers:
        config_path = write_config(tmp_path, entries(sites, servers), crawl={"batch_size": 3})
        config = load_config(config_path)
        supervisor = Supervisor(config, config_path, config.database, run_timeout=run_timeout, stall=60)
        results = supervisor.run(list(config.sites))
        ended = time.time()
    db = config.database
    assert {r.site: r.status for r in results} == {n: ("failed" if n == "hung" else "ok") for n in names}
    runs = {r["site"]: r for r in rows(db, "SELECT * FROM runs ORDER BY id")}
    assert json.loads(runs["hung"]["counts"])["finish_reason"] == "run_timeout", runs["hung"]
    assert sum(hung.hits.values()) and len(runs) == 3, runs
    timed_out = datetime.fromisoformat(runs["hung"]["started_at"]).timestamp() + run_timeout
    # the process ended seconds after the run's timeout, well before a download timeout could run out
    assert ended - timed_out < MAX_DOWNLOAD_TIMEOUT / 2, (ended - timed_out, runs["hung"])
    check_others(db, sites, "hung")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_govwatch_crawl_stopped_by_a_signal_stops_its_crawl_processes(tmp_path: Path, sig: int) -> None:
    """SIGTERM or Ctrl-C to ``govwatch crawl`` of several batches: its crawl processes stop too (none
    goes on crawling alone), what they fetched is recorded, no run is left ``running``, no batch
    begins after it; the next crawl completes every site."""
    sites = {f"s{i}": batch_site(6, i) for i in range(6)}
    with serving(sites) as servers:
        for site in sites.values():
            site.latency = 0.5  # type: ignore[attr-defined]  # a crawl that lasts
        config = write_config(tmp_path, entries(sites, servers), crawl={"batch_size": 3, "processes": 1})
        db = tmp_path / "govwatch.db"
        proc = start(config)
        began = lambda: rows(db, "SELECT count(*) AS n FROM runs WHERE status = 'running'")[0]["n"] == 3  # noqa: E731
        assert wait_for(proc, began), proc.log.read_text()  # type: ignore[attr-defined]
        children = batch_children(proc.pid)
        assert len(children) == 1
        os.kill(proc.pid, sig)
        code, report, out = finish(proc, timeout=120)
        gone, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, f"crawl processes still running after govwatch crawl ended: {alive}"
        assert "Traceback" not in out, out[-3000:]
        assert "stopped by a signal: 3 site(s) not crawled: s3, s4, s5" in out, out[-3000:]
        assert not running_runs(db), rows(db, "SELECT * FROM runs")
        runs = rows(db, "SELECT site, status, counts FROM runs")
        assert len(runs) == 3, runs  # the second batch never began
        # the crawl process stopped when told, its runs cut short (not crawled to their end)
        assert {json.loads(r["counts"])["finish_reason"] for r in runs} == {"shutdown"}, runs
        for site in sites.values():
            site.latency = 0.0  # type: ignore[attr-defined]
        code, again, out = crawl(config)
    assert code == 0 and {r["status"] for r in again["runs"]} == {"ok"}, out[-3000:]
    check_others(db, sites, culprit="")


@pytest.mark.timeout(600)
def test_batch_processes_stop_when_govwatch_crawl_is_killed_outright(tmp_path: Path) -> None:
    """SIGKILL (or the out-of-memory killer) of ``govwatch crawl`` alone, not its batch processes:
    they stop as on a shutdown instead of crawling on unsupervised — what they fetched recorded, no
    run left ``running`` — and the next crawl completes every site."""
    sites = {f"s{i}": batch_site(6, i) for i in range(4)}
    with serving(sites) as servers:
        for site in sites.values():
            site.latency = 0.5  # type: ignore[attr-defined]  # a crawl that lasts
        config = write_config(tmp_path, entries(sites, servers), crawl={"batch_size": 2, "processes": 2})
        db = tmp_path / "govwatch.db"
        proc = start(config)
        began = lambda: rows(db, "SELECT count(*) AS n FROM runs WHERE status = 'running'")[0]["n"] == 4  # noqa: E731
        assert wait_for(proc, began), proc.log.read_text()  # type: ignore[attr-defined]
        children = batch_children(proc.pid)
        assert len(children) == 2
        proc.kill()
        proc.wait(30)
        gone, alive = psutil.wait_procs(children, timeout=60)
        assert not alive, f"batch processes crawl on after govwatch crawl was killed: {alive}"
        assert not running_runs(db), rows(db, "SELECT * FROM runs")
        runs = rows(db, "SELECT site, status, counts FROM runs")
        assert len(runs) == 4, runs
        # each stopped cleanly, as on a shutdown (a second signal would have left them unsettled)
        reasons = {r["site"]: json.loads(r["counts"]).get("finish_reason") for r in runs}
        assert set(reasons.values()) <= {"shutdown", "finished"} and "shutdown" in reasons.values(), runs
        for site in sites.values():
            site.latency = 0.0  # type: ignore[attr-defined]
        code, again, out = crawl(config)
    assert code == 0 and {r["status"] for r in again["runs"]} == {"ok"}, out[-3000:]
    check_others(db, sites, culprit="")


def test_the_parent_s_death_signal_handled_twice_asks_for_one_shutdown_only() -> None:
    """The kernel sends a batch process its parent-death signal again as the dying parent's threads
    end one after another; one arriving as the handler begins calls it a second time. The process
    asks itself to stop once: a second SIGTERM would force Scrapy's unclean shutdown, every run left
    "could not be settled"."""
    script = (
        "import os, signal, time\n"
        "from crawler.children import end_with_parent\n"
        "terms = []\n"
        "signal.signal(signal.SIGTERM, lambda *_: terms.append(1))\n"
        "assert end_with_parent(os.getppid())\n"
        "handler = signal.getsignal(signal.SIGHUP)\n"
        "handler(signal.SIGHUP, None)\n"
        "handler(signal.SIGHUP, None)  # delivered again before SIG_IGN took effect\n"
        "os.kill(os.getpid(), signal.SIGHUP)  # and after: ignored\n"
        "time.sleep(0.2)\n"
        "print(len(terms))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=child_env()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1", done.stdout
