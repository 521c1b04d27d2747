"""A writer killed with SIGKILL mid-stream leaves a sound database holding whole records only."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.store import Store

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import sys
    from crawler.model import Fetch, Flag, Release
    from crawler.store import Store

    store = Store(sys.argv[1])
    spam = Flag(rule="spam_lexicon", severity="critical", evidence="365bet")
    i = 0
    while True:
        run = store.start_run("s")
        for edit in range(3):
            url = f"http://x.gov.cn/art/{i}.html"
            rel = Release(url=url, index_no=f"idx/{i}", title=f"标题{i}",
                          paragraphs=["衢州数字化改革" * 50, f"第{edit}版"])
            body = ("<html>" + "内容" * 2000 + "</html>").encode()
            fetch = Fetch(url=url, site="s", outcome="ok", status=200, body=body, run_id=run)
            store.record(fetch, rel, [spam] if edit == 2 else [])
        store.record_column(run, "s", "col", "http://x.gov.cn/col", ok=True, items=i % 7, pages=1)
        store.finish_run(run, "ok", {"requests": 3})
        print(i, flush=True)
        i += 1
    """
)


def test_sigkill_mid_write_leaves_whole_records(tmp_path):
    path = tmp_path / "crash.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        for _ in range(60):  # let it write a good many records, then kill it mid-stream
            assert proc.stdout.readline(), "writer stopped early"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    def count(sql: str) -> int:
        return conn.execute(sql).fetchone()[0]

    assert count("SELECT count(*) FROM releases") >= 60
    # every release has its current version, its URL and its search row
    assert (
        count(
            "SELECT count(*) FROM releases r LEFT JOIN versions v "
            "ON v.key = r.key AND v.version = r.current_version WHERE v.id IS NULL"
        )
        == 0
    )
    assert (
        count(
            "SELECT count(*) FROM releases r WHERE NOT EXISTS "
            "(SELECT 1 FROM release_urls u WHERE u.key = r.key)"
        )
        == 0
    )
    assert count("SELECT count(*) FROM releases_fts") == count("SELECT count(*) FROM releases")
    # every new/changed/tampered event has its version and vice versa; every version its fetch
    assert (
        count(
            "SELECT count(*) FROM events e WHERE e.type IN ('new', 'changed', 'tampered') AND NOT EXISTS "
            "(SELECT 1 FROM versions v WHERE v.key = e.key AND v.version = e.version)"
        )
        == 0
    )
    assert (
        count(
            "SELECT count(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM events e "
            "WHERE e.key = v.key AND e.version = v.version AND e.type IN ('new', 'changed'))"
        )
        == 0
    )
    assert (
        count(
            "SELECT count(*) FROM versions v WHERE NOT EXISTS "
            "(SELECT 1 FROM fetches f WHERE f.key = v.key AND f.fetched_at = v.first_seen)"
        )
        == 0
    )
    # every release with 3 fetches has its 3 versions and its tampered event
    for key, fetches in conn.execute("SELECT key, count(*) FROM fetches GROUP BY key"):
        versions = count(f"SELECT count(*) FROM versions WHERE key = '{key}'")
        assert versions == fetches
        tampered = count(f"SELECT count(*) FROM events WHERE key = '{key}' AND type = 'tampered'")
        assert tampered == (1 if fetches == 3 else 0)
    conn.close()

    with Store(path) as store:  # and it opens and carries on
        assert store.db["releases"].count >= 60
        store.finish_run(store.start_run("s"), "ok", {})
