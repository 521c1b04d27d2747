"""The daemon runs each site on its (seconds-level) schedule: runs recorded, a change seen once,
JSON log lines, and a clean exit on SIGTERM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.daemon.daemonkit import Daemon, events, rows, runs, wait_for
from tests.helpers import site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

FINISHED = ("ok", "partial", "failed", "skipped")


@pytest.mark.timeout(180)
def test_scheduled_runs_record_a_change_exactly_once(tmp_path: Path) -> None:
    site = build_site(6, per_page=5)
    edited = site.columns["1229037214"].pages[0]
    with serve(site) as server:
        config = write_config(
            tmp_path, [site_entry(server.url, site, schedule="*/2 * * * * *", revisit="always")]
        )
        with Daemon(config, "--log-json") as daemon:
            db = daemon.db
            wait_for("a first ok run", lambda: [r for r in runs(db) if r["status"] == "ok"], 60, daemon)
            site.edit(edited.id, new="本页内容于发布后修改：新增一段说明。")
            mark = max(r["id"] for r in runs(db))

            def two_runs_after_the_edit() -> bool:
                return len([r for r in runs(db) if r["id"] > mark and r["status"] in FINISHED]) >= 2

            wait_for("two runs after the edit", two_runs_after_the_edit, 60, daemon)
            assert daemon.terminate() == 0, daemon.log()

    all_runs = runs(db, "local")
    # every run ended ok but perhaps the last, which SIGTERM may have interrupted
    assert len(all_runs) >= 3 and {r["status"] for r in all_runs[:-1]} == {"ok"}, all_runs
    # runs are one at a time: each starts after the previous one finished
    for before, after in zip(all_runs, all_runs[1:], strict=False):
        assert before["finished_at"] and before["finished_at"] <= after["started_at"], all_runs

    changed = events(db, "changed")
    assert len(changed) == 1, changed
    assert changed[0]["index_no"] == edited.index_no
    assert changed[0]["run_id"] > mark
    # the daemon delivered it after the run (console sink: the daemon's stdout); baseline `new` events
    # stay undelivered (notify_baseline: false)
    deliveries = rows(db, "SELECT * FROM deliveries WHERE event_id = ?", changed[0]["id"])
    assert [(d["sink"], d["state"]) for d in deliveries] == [("console", "delivered")]
    assert edited.title in daemon.out_path.read_text(encoding="utf-8")

    lines = [json.loads(line) for line in daemon.log().splitlines() if line.strip()]
    ends = [e for e in lines if e["event"] == "run_end"]
    assert len(ends) >= 3
    for end in ends:
        assert {
            "site",
            "run",
            "status",
            "requests",
            "new",
            "changed",
            "removed",
            "tampered",
            "seconds",
        } <= set(end)
    assert sum(e["changed"] for e in ends) == 1, ends
    by_run = {e["run"]: e for e in ends}
    assert by_run[changed[0]["run_id"]]["changed"] == 1
    assert len([e for e in lines if e["event"] == "run_start"]) == len(ends)
