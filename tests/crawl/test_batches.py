"""Many sites, one spider: ``govwatch crawl`` with several sites crawls them in one process per batch,
each site with its own run, budget and deadline; a batch process that dies (killed as the kernel's
out-of-memory killer would) is re-run in smaller batches until the site under which it dies runs
alone and is recorded ``failed`` — every other site ends with a run of its own."""

from __future__ import annotations

import contextlib
import itertools
import json
import signal
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest

from crawler.demo.server import SiteServer, serve
from crawler.demo.site import SampleSite
from tests.helpers import batch_children, env_with, rows, site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

NOW = "2022-09-15T09:00:00+08:00"


def crawl_all(config: Path, *, on_start: Any = None, timeout: float = 400) -> tuple[int, dict[str, Any], str]:
    """``govwatch crawl`` (every site of ``config``) as a subprocess; (exit status, report, stderr)."""
    report = config.parent / "report.json"
    cmd = [sys.executable, "-m", "crawler", "crawl", "--config", str(config)]
    cmd += ["--no-notify", "--report-json", str(report)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_with(NOW), cwd=config.parent
    )
    if on_start is not None:
        on_start(proc.pid)
    out, err = proc.communicate(timeout=timeout)
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {"runs": [], "events": []}
    return proc.returncode, data, err


def distinct_site(n: int, number: int) -> SampleSite:
    """A sample site whose releases (ids, 索引号, URLs) no other ``number`` shares."""
    site = SampleSite()
    site._ids = itertools.count(59047001 + number * 1000)
    for cid, name, form in (("1229037214", "发布实录", "new"), ("1229037215", "通知公告", "old")):
        site.add_column(cid, name, form=form, per_page=5)
    for i in range(n):
        site.add_page(
            ("1229037214", "1229037215")[i % 2], day=date(2022, 9, 14) - timedelta(days=i), top=False
        )
    return site


@pytest.mark.timeout(600)
def test_sites_of_one_batch_keep_their_own_runs_and_bounds(tmp_path: Path) -> None:
    """Three sites in one crawl process: a pagination trap on one ends that site's run at its own
    ``max_duration`` (partial); the other two end ok with their releases, each its own run."""
    sites = {name: distinct_site(9, i) for i, name in enumerate(("a", "trap", "c"))}
    news = next(iter(sites["trap"].columns))
    sites["trap"].fault(sites["trap"].column_url(news), sticky="trap")
    with serve(sites["a"]) as sa, serve(sites["trap"]) as st, serve(sites["c"]) as sc:
        entries = [
            site_entry(sa.url, sites["a"], name="a"),
            site_entry(st.url, sites["trap"], name="trap", max_duration="6s", max_list_pages=100_000),
            site_entry(sc.url, sites["c"], name="c"),
        ]
        write_config(tmp_path, entries, crawl={"processes": 1})
        pids: list[int] = []
        seen: set[int] = set()
        configs: set[str] = set()  # the configuration each batch process read
        done = threading.Event()

        def watch(pid: int) -> None:
            def loop() -> None:
                while not done.wait(0.2):
                    for child in batch_children(pid):
                        seen.add(child.pid)
                        with contextlib.suppress(psutil.Error):
                            cmd = child.cmdline()
                            configs.add(
                                cmd[cmd.index("--batch-config") + 1] if "--batch-config" in cmd else ""
                            )

            pids.append(pid)
            threading.Thread(target=loop, daemon=True).start()

        code, report, err = crawl_all(tmp_path / "config.yaml", on_start=watch)
        done.set()
    assert code == 0, err
    db = tmp_path / "govwatch.db"
    runs = {r["site"]: r for r in rows(db, "SELECT site, status, counts FROM runs")}
    assert {s: r["status"] for s, r in runs.items()} == {"a": "ok", "trap": "partial", "c": "ok"}, runs
    assert json.loads(runs["trap"]["counts"])["bounded"], runs["trap"]
    assert len(seen) == 1, f"one crawl process for the batch, saw {len(seen)}"
    # it read its own sites, written out by the supervisor, not the whole configuration file
    assert len(configs) == 1 and "" not in configs, configs
    releases = rows(db, "SELECT site, count(*) AS n FROM releases GROUP BY site")
    stored = {r["site"]: r["n"] for r in releases}
    assert stored["a"] == 9 and stored["c"] == 9, stored
    new = [e for e in report["events"] if e["type"] == "new" and e["site"] in ("a", "c")]
    assert len(new) == 18, report["events"]


@pytest.mark.timeout(900)
def test_a_batch_process_that_dies_is_bisected_down_to_the_site_that_kills_it(tmp_path: Path) -> None:
    """Whenever the "bomb" site is fetched, its crawl process is SIGKILLed (an out-of-memory kill).
    The batch of five is split until the bomb runs alone; it ends ``failed`` saying so, and every
    other site ends ``ok`` with all its releases — the kills lose and repeat nothing."""
    names = ["s1", "s2", "bomb", "s4", "s5"]
    sites = {name: distinct_site(6, i) for i, name in enumerate(names)}
    crawl_pid: list[int] = []
    kills: list[int] = []

    class BombServer(SiteServer):
        def process_request(self, request: Any, client_address: Any) -> None:
            # the crawl process that fetches the bomb dies, not a batch beside it
            for child in batch_children(crawl_pid[0]) if crawl_pid else []:
                with contextlib.suppress(psutil.Error):
                    if any(c.laddr and c.laddr[1] == client_address[1] for c in child.net_connections("tcp")):
                        kills.append(child.pid)
                        child.send_signal(signal.SIGKILL)
            super().process_request(request, client_address)

    bomb = BombServer(sites["bomb"])
    threading.Thread(target=bomb.serve_forever, daemon=True).start()
    servers: dict[str, Any] = {"bomb": bomb}
    try:
        for name in names:
            if name != "bomb":
                servers[name] = SiteServer(sites[name])
                threading.Thread(target=servers[name].serve_forever, daemon=True).start()
        config = write_config(
            tmp_path,
            [site_entry(servers[n].url, sites[n], name=n) for n in names],
            crawl={"batch_size": 5},
        )
        code, report, err = crawl_all(config, on_start=crawl_pid.append)
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()
    assert code == 1, err  # one site failed
    assert kills, "the bomb site was never fetched"
    db = tmp_path / "govwatch.db"
    runs = rows(db, "SELECT id, site, status, notes FROM runs ORDER BY id")
    assert not [r for r in runs if r["status"] == "running"], runs
    last = {r["site"]: r for r in runs}
    assert {s: r["status"] for s, r in last.items()} == {
        n: ("failed" if n == "bomb" else "ok") for n in names
    }
    note = json.loads(last["bomb"]["notes"])
    assert note["by"] == "supervisor" and "alone" in note["error"], note
    assert "killed by signal 9" in note["error"], note
    # bisection, not one process per site: 5 → (3, 2) → … the bomb alone; at most log2(5)+1 deaths
    assert 2 <= len(set(kills)) <= 4, kills
    stored = rows(db, "SELECT site, count(*) AS n FROM releases GROUP BY site")
    assert {r["site"]: r["n"] for r in stored if r["site"] != "bomb"} == {n: 6 for n in names if n != "bomb"}
    # each release's ``new`` once, whatever runs the kills cut short
    new = rows(db, "SELECT key, count(*) AS n FROM events WHERE type = 'new' GROUP BY key")
    assert new and all(r["n"] == 1 for r in new), new
    reported = {r["site"]: r["status"] for r in report["runs"]}
    assert reported == {n: ("failed" if n == "bomb" else "ok") for n in names}, report["runs"]
