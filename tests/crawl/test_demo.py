"""`govwatch demo`: the bundled site crawled end to end, the report printed, tampered first."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


@pytest.mark.timeout(300)
def test_demo_crawls_the_bundled_site_and_prints_the_report(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "demo", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "Traceback" not in out + proc.stderr
    # the defaced reference page's tampered event comes before any other event
    first_event = re.search(r"^\[(critical|warning|info)\] .*$", out, re.M)
    assert first_event and first_event.group(0).startswith("[critical] “‘浙’十年·衢州”主题新闻发布会答问实录")
    assert "365bet" in out and "h4sia" in out
    with sqlite3.connect(db) as conn:
        releases = conn.execute("select index_no, title from releases").fetchall()
    assert len(releases) == 37
    for index_no, title in releases:  # every release is listed with its 索引号 and title
        assert f"索引号: {index_no}" in out and title in out
    assert f"govwatch serve --db {db}" in out
