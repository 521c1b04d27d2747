"""Column health: fetch_failed after 3 failing runs, fetch_recovered, layout_changed, baselines."""

from __future__ import annotations

from tests.records import types

COL = "http://www.qz.gov.cn/col/col1229037214/index.html"


def column(store, *, ok=True, items=20, pages=1, **kw):
    run = store.start_run("quzhou")
    return store.record_column(run, "quzhou", "发布实录", COL, ok=ok, items=items, pages=pages, **kw)


def test_fetch_failed_after_three_failing_runs_then_recovered(store):
    assert not store.column_baselined("quzhou", COL)
    assert column(store) == []
    assert store.column_baselined("quzhou", COL)
    assert column(store, ok=False, items=0, error="timeout") == []
    assert column(store, ok=False, items=0, error="timeout") == []
    events = column(store, ok=False, items=0, error="timeout")
    assert types(events) == ["fetch_failed"]
    event = events[0]
    assert event.key == "column:" + COL and event.url == COL and event.column == "发布实录"
    assert event.version is None and event.id is not None
    assert column(store, ok=False, items=0) == []  # once
    assert types(column(store)) == ["fetch_recovered"]
    assert column(store) == []


def test_a_run_counts_once_per_column(store):
    run = store.start_run("quzhou")
    for _ in range(3):
        store.record_column(run, "quzhou", "发布实录", COL, ok=False, items=0, pages=0)
    assert store.events() == []


def test_layout_changed_when_items_collapse_once_until_recovery(store):
    assert column(store, items=0) == []  # first run: nothing to compare with
    for items in (20, 22, 18):
        assert column(store, items=items) == []
    events = column(store, items=5)
    assert types(events) == ["layout_changed"]
    assert events[0].details["median_items"] > 5 and events[0].key == "column:" + COL
    assert column(store, items=0) == []  # still broken: once
    assert column(store, items=20) == []  # recovered
    assert types(column(store, items=0)) == ["layout_changed"]


def test_failed_column_is_not_layout_changed(store):
    column(store, items=20)
    assert column(store, ok=False, items=0) == []
    assert store.events() == []
