"""Two writer processes on one file: busy_timeout makes the second wait, nothing is lost."""

from __future__ import annotations

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
    from crawler.model import Fetch, Release
    from crawler.store import Store

    store = Store(sys.argv[1], timeout=60)
    name = sys.argv[2]
    for i in range(150):
        url = f"http://x.gov.cn/{name}/{i}.html"
        rel = Release(url=url, index_no=f"{name}/{i}", title=f"{name}{i}", paragraphs=["衢州" * 100])
        store.record(Fetch(url=url, site=name, outcome="ok", status=200, body=b"<p>x</p>"), rel, [])
        if i % 10 == 0:
            store.record(Fetch(url=url, site=name, outcome="ok", status=200), rel, [])
    """
)


def test_two_writers_and_a_reader(tmp_path):
    path = tmp_path / "shared.db"
    Store(path).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], cwd=ROOT, stderr=subprocess.PIPE)
        for name in ("a", "b")
    ]
    with Store(path) as reader:  # reads while the writers write (WAL)
        while any(p.poll() is None for p in procs):
            reader.search("衢州", limit=5)
            reader.db.execute("SELECT count(*) FROM releases").fetchone()
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()
    with Store(path) as store:
        assert store.db["releases"].count == 300
        assert store.db["events"].count == 300
        assert len(store.search("衢州", limit=1000)) == 300
