"""Two real processes run ``govwatch report --deliver`` at the same moment on one database: every event
reaches the webhook (and the JSON Lines file) exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
import yaml
from reportkit import release

from crawler.store import Store
from tests.records import ok as record

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

N = 30


def test_two_processes_deliver_each_event_once(tmp_path, receiver):
    db = tmp_path / "govwatch.db"
    with Store(db) as store:
        for i in range(N):
            record(
                store,
                release(index_no=f"idx-{i}", url=f"http://www.qz.gov.cn/art/{i}.html", title=f"发布 {i}"),
            )
        ids = sorted(e.id for e in store.events())
    assert len(ids) == N
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "database": "govwatch.db",
                "sinks": [
                    {"type": "webhook", "url": receiver.url, "secret_env": "HOOK_SECRET", "retries": 2},
                    {"type": "jsonl", "path": "out/events.jsonl"},
                    {"type": "atom", "path": "out/feed.xml"},
                ],
            }
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "HOOK_SECRET": "k", "GOVWATCH_NOW": "2026-11-28T09:00:00+08:00"}
    cmd = [sys.executable, "-m", "crawler", "report", "--deliver", "--config", str(cfg), "--format", "json"]
    procs = [
        subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err

    receipts = Counter(receiver.ids())
    assert sorted(receipts) == ids
    assert set(receipts.values()) == {1}, receipts

    lines = [json.loads(x) for x in (tmp_path / "out/events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(x["id"] for x in lines) == ids

    import feedparser

    feed = feedparser.parse(str(tmp_path / "out/feed.xml"))
    assert feed.bozo == 0
    assert len(feed.entries) == N  # both processes' batches merged under the file lock

    # what each process says it delivered adds up to every event, once
    delivered = Counter()
    for out, _ in outs:
        for row in json.loads(out)["deliveries"]:
            if row["sink"].startswith("webhook:"):
                delivered.update(row["delivered"])
    assert sorted(delivered) == ids and set(delivered.values()) == {1}
