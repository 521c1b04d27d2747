"""``govwatch report`` as a real subprocess: showing recent events, delivering, and failing cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from reportkit import SPAM, changed_paragraphs, release

from crawler.store import Store
from tests.records import ok as record

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def govwatch(tmp_path, *args: str, now: str = "2026-11-28T10:00:00+08:00"):
    env = {**os.environ, "GOVWATCH_NOW": now}
    return subprocess.run(
        [sys.executable, "-m", "crawler", "report", *args],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip


def setup(tmp_path, sinks=None, **top):
    with Store(tmp_path / "govwatch.db") as store:
        record(store, release())
        record(store, release(paragraphs=changed_paragraphs()))
        record(store, release(paragraphs=changed_paragraphs()), flags=[SPAM])
    cfg = {"database": "govwatch.db", "sinks": sinks or [{"type": "console"}], **top}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")


def test_report_shows_the_last_seven_days_in_each_format(tmp_path):
    setup(tmp_path)
    text = govwatch(tmp_path)
    assert text.returncode == 0, text.stderr
    assert text.stdout.index("Tampered") < text.stdout.index("Changed") < text.stdout.index("New")
    md = govwatch(tmp_path, "--format", "markdown")
    assert md.stdout.startswith("# govwatch events since 2026-11-21T10:00:00+08:00")
    data = json.loads(govwatch(tmp_path, "--format", "json").stdout)
    assert [e["type"] for e in data["events"]] == ["new", "changed", "tampered"]
    assert data["events"][0]["details"]["publisher"] == "市政府办公室"
    # eight days later the window is empty; --since brings the events back
    later = govwatch(tmp_path, "--format", "json", now="2026-12-06T10:00:00+08:00")
    assert json.loads(later.stdout)["events"] == []
    since = govwatch(tmp_path, "--format", "json", "--since", "2026-11-28", now="2026-12-06T10:00:00+08:00")
    assert len(json.loads(since.stdout)["events"]) == 3
    # showing delivers nothing
    with Store(tmp_path / "govwatch.db") as store:
        assert len(store.pending("console", include_baseline=True)) == 3


def test_report_says_why_baseline_events_were_not_sent(tmp_path):
    setup(tmp_path)
    with Store(tmp_path / "govwatch.db") as store:
        record(
            store,
            release(index_no="b-1", url="http://www.qz.gov.cn/b1.html", title="首次抓取"),
            baseline=True,
        )
    text = govwatch(tmp_path).stdout
    assert "首次抓取  (baseline)" in text
    assert "Note: 1 of these events are baseline" in text and "notify_baseline is false" in text
    markdown = govwatch(tmp_path, "--format", "markdown").stdout
    assert "Note: 1 of these events are baseline" in markdown
    setup_on = tmp_path / "on"
    setup_on.mkdir()
    setup(setup_on, notify_baseline=True)
    with Store(setup_on / "govwatch.db") as store:
        record(
            store,
            release(index_no="b-1", url="http://www.qz.gov.cn/b1.html", title="首次抓取"),
            baseline=True,
        )
    assert "Note:" not in govwatch(setup_on).stdout  # sent: nothing to explain


def test_report_deliver_sends_pending_once_and_says_what(tmp_path):
    setup(tmp_path, sinks=[{"type": "console"}, {"type": "jsonl", "path": "events.jsonl"}])
    first = govwatch(tmp_path, "--deliver")
    assert first.returncode == 0, first.stderr
    assert "console: delivered 3 (#1 new, #2 changed, #3 tampered)" in first.stdout
    assert "jsonl:events.jsonl: delivered 3" in first.stdout
    assert "== Tampered" in first.stdout  # the console sink's digest
    second = govwatch(tmp_path, "--deliver")
    assert "console: delivered 0" in second.stdout and "== Tampered" not in second.stdout
    assert len((tmp_path / "events.jsonl").read_text().splitlines()) == 3


def test_report_deliver_exit_1_when_a_sink_failed(tmp_path):
    setup(
        tmp_path, sinks=[{"type": "webhook", "url": "http://127.0.0.1:9/hook", "retries": 0, "timeout": "2s"}]
    )
    proc = govwatch(tmp_path, "--deliver")
    assert proc.returncode == 1
    assert "still pending 3" in proc.stdout and "Traceback" not in proc.stderr


def test_bad_config_and_database_exit_2_naming_them(tmp_path):
    (tmp_path / "config.yaml").write_text("database: govwatch.db\nsinks: [{type: carrier_pigeon}]\n")
    proc = govwatch(tmp_path)
    assert proc.returncode == 2 and "config.yaml" in proc.stderr and "carrier_pigeon" in proc.stderr
    assert "Traceback" not in proc.stderr

    missing = govwatch(tmp_path, "--config", "nope.yaml")
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr and "Traceback" not in missing.stderr

    (tmp_path / "config.yaml").write_text("database: govwatch.db\n")
    nodb = govwatch(tmp_path)
    assert nodb.returncode == 2 and "database not found: govwatch.db" in nodb.stderr
    assert not (tmp_path / "govwatch.db").exists()  # a report never creates an empty database

    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    junk = govwatch(tmp_path, "--db", "junk.db")
    assert junk.returncode == 2 and "junk.db" in junk.stderr and "Traceback" not in junk.stderr

    bad_since = govwatch(tmp_path, "--db", "junk.db", "--since", "last tuesday")
    assert bad_since.returncode == 2 and "--since" in bad_since.stderr


def test_db_without_a_config_file_uses_defaults(tmp_path):
    with Store(tmp_path / "x.db") as store:
        record(store, release())
    proc = govwatch(tmp_path, "--db", "x.db")
    assert proc.returncode == 0, proc.stderr
    assert "== New" in proc.stdout
