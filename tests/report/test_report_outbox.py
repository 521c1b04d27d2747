"""Outbox semantics seen from the sinks: baseline events, per-sink state, the registry."""

from __future__ import annotations

import json

import pytest
from reportkit import changed_paragraphs, config, release

from crawler.report import SINKS, Sink, build_sink, deliver, deliver_pending, register
from tests.records import ok as record


def test_baseline_events_are_skipped_unless_notify_baseline(store, tmp_path):
    out = tmp_path / "e.jsonl"
    cfg = config(tmp_path, [{"type": "jsonl", "path": str(out)}])
    record(store, release(), baseline=True)
    record(store, release(index_no="b2", url="http://x.gov.cn/b2.html"), baseline=True)
    record(store, release(paragraphs=changed_paragraphs()))  # a real change after the baseline

    [result] = deliver(store, cfg)
    assert [e.type for e in result.delivered] == ["changed"]
    assert result.skipped_baseline == 2
    assert [json.loads(x)["type"] for x in out.read_text().splitlines()] == ["changed"]
    # settled, not pending forever — and turning notify_baseline on later does not replay them
    assert store.pending(result.sink, include_baseline=True) == []
    cfg_on = config(tmp_path, [{"type": "jsonl", "path": str(out)}], notify_baseline=True)
    assert deliver_pending(store, cfg_on) == {result.sink: 0}


def test_baseline_events_are_delivered_with_notify_baseline(store, tmp_path):
    out = tmp_path / "e.jsonl"
    cfg = config(tmp_path, [{"type": "jsonl", "path": str(out)}], notify_baseline=True)
    record(store, release(), baseline=True)
    assert deliver_pending(store, cfg) == {"jsonl:e.jsonl": 1}  # named as the config writes it
    [row] = [json.loads(x) for x in out.read_text().splitlines()]
    assert row["type"] == "new" and row["baseline"] is True


def test_a_new_sink_starts_with_the_next_event_unless_backfill(store, tmp_path):
    a, b, c = (tmp_path / f"{n}.jsonl" for n in "abc")
    record(store, release())
    deliver_pending(store, config(tmp_path, [{"type": "jsonl", "path": str(a)}]))
    sinks = [
        {"type": "jsonl", "path": str(a)},
        {"type": "jsonl", "path": str(b)},
        {"type": "jsonl", "path": str(c), "backfill": True},
    ]
    counts = deliver_pending(store, config(tmp_path, sinks))
    assert counts == {"jsonl:a.jsonl": 0, "jsonl:b.jsonl": 0, "jsonl:c.jsonl": 1}
    record(store, release(paragraphs=changed_paragraphs()))
    assert deliver_pending(store, config(tmp_path, sinks)) == {
        "jsonl:a.jsonl": 1,
        "jsonl:b.jsonl": 1,
        "jsonl:c.jsonl": 1,
    }
    assert [json.loads(x)["type"] for x in b.read_text().splitlines()] == ["changed"]
    assert [json.loads(x)["type"] for x in c.read_text().splitlines()] == ["new", "changed"]


def test_an_event_claimed_by_another_process_is_left_alone(store, tmp_path):
    out = tmp_path / "e.jsonl"
    cfg = config(tmp_path, [{"type": "jsonl", "path": str(out)}])
    [event] = record(store, release())
    assert store.claim(event.id, "jsonl:e.jsonl")  # someone else is delivering it right now
    assert deliver_pending(store, cfg) == {"jsonl:e.jsonl": 0}
    assert not out.exists()


def test_registry_builds_every_type_with_stable_names(tmp_path):
    assert set(SINKS) == {"console", "jsonl", "markdown", "atom", "webhook", "apprise"}
    cfg = config(
        tmp_path,
        [
            {"type": "console"},
            {"type": "jsonl", "path": "x.jsonl"},
            {"type": "markdown", "dir": "md"},
            {"type": "atom", "path": "feed.xml"},
            {"type": "webhook", "url": "https://hooks.example.com/services/T0/B0/XYZsecret"},
        ],
    )
    names = [build_sink(s).name for s in cfg.sinks]
    assert names[:4] == [
        "console",
        "jsonl:x.jsonl",
        "markdown:md",
        "atom:feed.xml",
    ]
    assert names[4].startswith("webhook:https://hooks.example.com/…#") and "XYZsecret" not in names[4]
    assert names == [build_sink(s).name for s in cfg.sinks]  # stable


def test_register_adds_a_sink_type():
    @register("test-memory")
    class Memory(Sink):
        got: list = []

        def write(self, events):
            Memory.got.extend(events)

    try:
        assert SINKS["test-memory"] is Memory and Memory.type == "test-memory"
        with pytest.raises(ValueError):
            register("test-memory")(type("Other", (Sink,), {}))
    finally:
        SINKS.pop("test-memory")
