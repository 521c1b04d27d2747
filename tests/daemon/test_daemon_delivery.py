"""A daemon killed between a crawl and its delivery loses nothing: the events stay in the outbox and
the next daemon delivers each of them exactly once."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.daemon.daemonkit import Daemon, rows, runs, wait_for
from tests.helpers import REPO, env_with, site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


@pytest.mark.timeout(240)
def test_daemon_killed_during_delivery_loses_nothing(tmp_path: Path) -> None:
    site = build_site(6, per_page=5)
    feed = tmp_path / "events.jsonl"
    with serve(site) as server:
        config = write_config(
            tmp_path,
            [site_entry(server.url, site, schedule="*/2 * * * * *", revisit="always")],
            sinks=[{"type": "jsonl", "path": str(feed)}],
            notify_baseline=True,
        )
        # hold the sink file's lock (a JSON Lines file is locked through itself): the daemon's
        # delivery blocks after its first crawl
        lock_fd = os.open(str(feed), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        try:
            with Daemon(config) as daemon:
                db = daemon.db
                wait_for(
                    "a finished first run", lambda: [r for r in runs(db) if r["status"] == "ok"], 90, daemon
                )
                wait_for(
                    "the daemon claiming events for delivery",
                    lambda: rows(db, "SELECT * FROM deliveries WHERE state = 'claimed'"),
                    60,
                    daemon,
                )
                daemon.proc.kill()  # between the crawl and its delivery
                daemon.proc.wait(30)
        finally:
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)
        assert not feed.exists() or feed.read_text() == ""

        # the next daemon (here: cron's `--once` with nothing due) delivers what is pending, once
        once = subprocess.run(
            [sys.executable, "-m", "crawler", "daemon", "--once", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
            env=env_with(),
        )
        assert once.returncode == 0, once.stderr[-3000:]
    delivered = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    ids = [e["id"] for e in delivered]
    recorded = [r["id"] for r in rows(db, "SELECT id FROM events ORDER BY id")]
    assert sorted(ids) == recorded, (ids, recorded)  # every event, each exactly once
    assert {e["type"] for e in delivered} >= {"new"}
