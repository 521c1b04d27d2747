"""File sinks on real files: Atom (parsed by feedparser), Markdown digests, JSON Lines; console."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import feedparser
from reportkit import SPAM, changed_paragraphs, config, release

from crawler.report import deliver, deliver_pending
from tests.records import ok as record


def _events(store):
    record(store, release())  # new
    record(store, release(index_no="idx-2", url="http://www.qz.gov.cn/art/2.html", title="另一篇"))  # new
    record(store, release(paragraphs=changed_paragraphs()))  # changed
    record(store, release(paragraphs=changed_paragraphs()), flags=[SPAM])  # tampered


def test_atom_feed_parses_cleanly_and_holds_the_events(store, tmp_path):
    feed_path = tmp_path / "feeds" / "govwatch.xml"
    cfg = config(tmp_path, [{"type": "atom", "path": str(feed_path)}])
    _events(store)
    [result] = deliver(store, cfg)
    assert result.sink == "atom:feeds/govwatch.xml" and len(result.delivered) == 4

    feed = feedparser.parse(str(feed_path))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.id for e in feed.entries] == [f"tag:govwatch,2026-11-28:event/{n}" for n in (4, 3, 2, 1)]
    tampered, changed = feed.entries[0], feed.entries[1]
    assert tampered.title.startswith("[tampered] ")
    assert tampered.link == "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html"
    assert "索引号: 11330800002618015K/2022-134528" in tampered.summary
    assert "发布机构: 市政府办公室" in tampered.summary and "日期: 2022-09-14" in tampered.summary
    assert "hidden_offsite_link" in tampered.summary
    assert "diff: " in changed.summary and "示范区" in changed.summary
    assert changed.updated == "2026-11-28T09:00:00+08:00"
    ET.parse(feed_path)  # well-formed XML


def test_atom_feed_keeps_the_newest_max_entries_across_deliveries(store, tmp_path):
    feed_path = tmp_path / "feed.xml"
    cfg = config(tmp_path, [{"type": "atom", "path": str(feed_path), "max_entries": 3}])
    for i in range(2):
        record(store, release(index_no=f"a-{i}", url=f"http://x.gov.cn/{i}.html"))
    deliver_pending(store, cfg)
    for i in range(2, 5):
        record(store, release(index_no=f"a-{i}", url=f"http://x.gov.cn/{i}.html"))
    deliver_pending(store, cfg)
    feed = feedparser.parse(str(feed_path))
    assert feed.bozo == 0
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == ["5", "4", "3"]


def test_atom_entry_without_url_has_content(store, tmp_path):
    from crawler.model import Event
    from crawler.report.sinks.atom import AtomSink

    path = tmp_path / "f.xml"
    sink = AtomSink({"path": path})
    sink.write(
        [Event(type="stale_column", site="s", key="column:x", id=7, created_at="2026-11-28T09:00:00+08:00")]
    )
    feed = feedparser.parse(str(path))
    assert feed.bozo == 0 and feed.entries[0].content[0].value


def test_markdown_digest_lists_tampered_first(store, tmp_path):
    out = tmp_path / "digests"
    cfg = config(tmp_path, [{"type": "markdown", "dir": str(out)}])
    run_id = store.start_run("quzhou")
    record(store, release(), run_id=run_id)
    record(store, release(paragraphs=changed_paragraphs()), run_id=run_id)
    record(store, release(paragraphs=changed_paragraphs()), flags=[SPAM], run_id=run_id)
    deliver_pending(store, cfg)

    [path] = list(out.iterdir())
    assert re.fullmatch(rf"govwatch-20261128-090000-run{run_id}\.md", path.name)
    text = path.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(" ")[1] for h in headings] == ["Tampered", "Changed", "New"]
    assert text.index("hidden\\_offsite\\_link") < text.index("## Changed")
    assert "- 索引号: `11330800002618015K/2022-134528`" in text
    assert "- 发布机构: 市政府办公室" in text and "- 日期: 2022-09-14" in text
    assert "示范区" in text  # the diff of the changed event

    # a second delivery with nothing pending writes no file; with new events, a second file
    deliver_pending(store, cfg)
    assert len(list(out.iterdir())) == 1
    record(store, release(index_no="z", url="http://x.gov.cn/z.html"))
    deliver_pending(store, cfg)
    names = {p.name for p in out.iterdir()}
    assert names == {path.name, "govwatch-20261128-090000-manual.md"}


def test_jsonl_appends_one_object_per_event_and_two_files_are_separate_sinks(store, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "sub" / "b.jsonl"
    cfg = config(tmp_path, [{"type": "jsonl", "path": str(a)}, {"type": "jsonl", "path": "sub/b.jsonl"}])
    _events(store)
    assert deliver_pending(store, cfg) == {"jsonl:a.jsonl": 4, "jsonl:sub/b.jsonl": 4}
    record(store, release(index_no="n", url="http://x.gov.cn/n.html"))
    assert deliver_pending(store, cfg) == {"jsonl:a.jsonl": 1, "jsonl:sub/b.jsonl": 1}
    rows = [json.loads(line) for line in a.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[2]["type"] == "changed" and rows[2]["details"]["diff"]
    assert rows[3]["flags"][0]["rule"] == "hidden_offsite_link"
    assert b.read_text(encoding="utf-8") == a.read_text(encoding="utf-8")


def test_a_failing_file_sink_leaves_events_pending_and_others_unaffected(store, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    good = tmp_path / "ok.jsonl"
    cfg = config(
        tmp_path, [{"type": "jsonl", "path": str(blocker / "x.jsonl")}, {"type": "jsonl", "path": str(good)}]
    )
    record(store, release())
    bad, ok = deliver(store, cfg)
    assert bad.failed == 1 and bad.error and not bad.delivered
    assert len(ok.delivered) == 1
    assert len(store.pending(bad.sink, include_baseline=False)) == 1
    blocker.unlink()
    blocker.mkdir()
    bad, ok = deliver(store, cfg)
    assert len(bad.delivered) == 1 and ok.delivered == []
    assert len((blocker / "x.jsonl").read_text().splitlines()) == 1


def test_console_sink_prints_the_digest_once(store, tmp_path, capsys):
    cfg = config(tmp_path, [{"type": "console"}])
    _events(store)
    assert deliver_pending(store, cfg) == {"console": 4}
    out = capsys.readouterr().out
    assert out.index("Tampered") < out.index("Changed") < out.index("New")
    assert "索引号: 11330800002618015K/2022-134528" in out and "发布机构: 市政府办公室" in out
    assert deliver_pending(store, cfg) == {"console": 0}
    assert capsys.readouterr().out == ""
