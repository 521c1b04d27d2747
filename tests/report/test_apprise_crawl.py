"""A sink added to a crawled archive, end to end: real crawls of a sample site on 127.0.0.1, delivering
to a JSON Lines file and then also to apprise (``json://`` to an HTTP receiver). The new sink gets
nothing of the archive's history, and the events of the first crawl after it was added."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from alertkit import json_url, messages
from reportkit import Receiver

from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.helpers import run_crawl, site_entry, write_config


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_sink_added_to_a_crawled_archive_starts_with_the_next_crawl(tmp_path: Path) -> None:
    receiver = Receiver()
    site = build_site(30, per_page=10)
    jsonl = {"type": "jsonl", "path": "events.jsonl"}
    try:
        with serve(site) as server:
            entry = site_entry(server.url, site, name="quzhou")
            config = write_config(tmp_path, [entry], sinks=[jsonl], notify_baseline=True)
            first = run_crawl(config, notify=True)
            assert first.returncode == 0, first
            history = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
            assert len(history) >= 30

            sink = {"type": "apprise", "name": "wecom-group", "urls": [json_url(receiver)], "format": "text"}
            config = write_config(tmp_path, [entry], sinks=[jsonl, sink], notify_baseline=True)
            added = site.add_page("1229037214", day=date(2022, 9, 20), title="衢州市新增发布会答问实录")
            second = run_crawl(config, notify=True)
            assert second.returncode == 0, second
            assert second.types() == ["new"], second
            [message] = messages(receiver)
            assert (
                "衢州市新增发布会答问实录" in message["message"] and str(added.index_no) in message["message"]
            )
            assert message["title"] == "govwatch: 1 new"

            third = run_crawl(config, notify=True)
            assert third.events == [] and len(receiver.received) == 1
    finally:
        receiver.stop()
    lines = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(history) + 1
