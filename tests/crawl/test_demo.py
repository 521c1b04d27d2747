"""`govwatch demo`: two sample sites (Hanweb and TRS) crawled on four days, so the archive holds
every kind of event; `govwatch demo --serve`: the two sites kept up with a config for them."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from crawler.config import config_from_dict
from crawler.demo.story import EDITED_INDEX_NO, REFERENCE_INDEX_NO, REFERENCE_TITLE
from tests.helpers import env_with, rows

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.db"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "demo", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=400,
        cwd=folder,
        env=env_with(now="2026-11-30T10:00:00+08:00"),
    )
    return proc, db


@pytest.mark.timeout(450)
def test_the_archive_holds_every_kind_of_event(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, db = demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    events = rows(db, "SELECT type, baseline, site, created_at FROM events ORDER BY id")
    later = sorted({e["type"] for e in events if not e["baseline"]})
    assert later == ["changed", "fetch_failed", "new", "removed", "restored", "tampered"], events
    assert sum(1 for e in events if e["type"] == "removed") == 2
    assert {e["site"] for e in events} == {"quzhou", "kecheng"}  # a Hanweb site and a TRS site
    # four crawls a day apart, the last one "now"
    runs = rows(db, "SELECT site, started_at, status FROM runs ORDER BY id")
    assert [r["started_at"][:10] for r in runs] == [
        day for day in ("2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30") for _ in (1, 2)
    ]
    # the defaced page's tampered event comes first in the first day's report
    first_event = re.search(r"^\[(critical|warning|info)\] .*$", proc.stdout, re.M)
    assert first_event and first_event.group(0).startswith(f"[critical] {REFERENCE_TITLE}")
    for day in range(1, 5):
        assert f"── day {day}, 2026-11-{26 + day}:" in proc.stdout
    assert f"govwatch diff --db {db} {EDITED_INDEX_NO}" in proc.stdout
    assert f"govwatch history --db {db} {REFERENCE_INDEX_NO}" in proc.stdout


@pytest.mark.timeout(450)
def test_diff_shows_the_silent_edit(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, db = demo
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "diff", "--db", str(db), EDITED_INDEX_NO],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "v1 → v2" in proc.stdout and "changed: paragraphs" in proc.stdout
    assert "绿色贷款4[-2-]8{+2+}亿元" in proc.stdout  # 428亿元 → 482亿元, character by character


@pytest.mark.timeout(120)
def test_serve_keeps_both_sites_up_and_prints_a_config_for_them(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "demo", "--serve", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_with(),
    )
    try:
        notes = []
        deadline = time.monotonic() + 60
        while not any("TRS column:" in n for n in notes):
            assert proc.poll() is None and time.monotonic() < deadline, notes
            line = proc.stderr.readline()
            notes.append(line)
        hanweb = re.search(r"Hanweb column: (\S+)", "".join(notes))
        trs = re.search(r"TRS column:\s+(\S+)", "".join(notes))
        assert hanweb and trs
        for url in (hanweb.group(1), trs.group(1)):
            with urllib.request.urlopen(url, timeout=10) as answer:
                assert answer.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    data = yaml.safe_load(out)
    config = config_from_dict(data, base_dir=tmp_path)
    assert [(s.name, s.profile) for s in config.sites] == [("quzhou", "hanweb"), ("kecheng", "trs")]
    assert all(s.link_check.allow_private is True for s in config.sites)
    assert config.sites[0].columns[0].url == hanweb.group(1)
    assert config.sites[1].columns[0].url == trs.group(1)


def test_serve_on_a_busy_port_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", "demo", "--serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"govwatch: error: cannot serve a demo site on 127.0.0.1:{port}")
    assert proc.stdout == ""
