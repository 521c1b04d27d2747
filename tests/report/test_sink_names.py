"""Deliveries are keyed by the sink's name, and a file sink's name is its path as the config writes it:
a folder copied elsewhere sends nothing twice, and an upgrade from the absolute-path names takes their
rows over so nothing is re-delivered. Lock files stay out of the outputs' folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from crawler.report import deliver_pending
from crawler.store import Store, lock_folder
from tests.records import ok as record
from tests.report.reportkit import config, release

SINKS = [
    {"type": "jsonl", "path": "out/events.jsonl"},
    {"type": "atom", "path": "out/feed.xml"},
    {"type": "markdown", "dir": "out/digests"},
]


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_a_copied_folder_delivers_nothing_twice(tmp_path: Path) -> None:
    first = tmp_path / "first"
    first.mkdir()
    with Store(first / "govwatch.db") as store:
        record(store, release())
        record(store, release(index_no="idx-2", url="http://www.qz.gov.cn/art/2.html", title="另一篇"))
        sent = deliver_pending(store, config(first, SINKS))
    assert sent == {"jsonl:out/events.jsonl": 2, "atom:out/feed.xml": 2, "markdown:out/digests": 2}

    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(first, copy)
    with Store(copy / "govwatch.db") as store:
        assert deliver_pending(store, config(copy, SINKS)) == {name: 0 for name in sent}
        record(store, release(index_no="idx-3", url="http://www.qz.gov.cn/art/3.html", title="第三篇"))
        assert deliver_pending(store, config(copy, SINKS)) == {name: 1 for name in sent}
    assert [e["index_no"] for e in lines(copy / "out" / "events.jsonl")] == [
        "11330800002618015K/2022-134528",
        "idx-2",
        "idx-3",
    ]


def _old_rows(store: Store, folder: Path) -> None:
    """Deliveries recorded by an earlier version: file sinks named by their absolute paths."""
    for event in store.pending("console", include_baseline=True):
        assert event.id is not None
        for options in SINKS:
            written = options.get("path") or options.get("dir")
            old = f"{options['type']}:{folder / str(written)}"
            assert store.claim(event.id, old)
            store.delivered(event.id, old)


def test_an_upgrade_takes_the_absolute_names_over(tmp_path: Path) -> None:
    with Store(tmp_path / "govwatch.db") as store:
        record(store, release())
        _old_rows(store, tmp_path)
        assert deliver_pending(store, config(tmp_path, SINKS)) == {
            "jsonl:out/events.jsonl": 0,
            "atom:out/feed.xml": 0,
            "markdown:out/digests": 0,
        }
        assert sorted(store.delivery_sinks()) == [
            "atom:out/feed.xml",
            "jsonl:out/events.jsonl",
            "markdown:out/digests",
        ]
    assert not (tmp_path / "out" / "events.jsonl").exists()


def test_a_folder_copied_before_the_upgrade_is_recognised(tmp_path: Path) -> None:
    old_place = tmp_path / "old"
    new_place = tmp_path / "new"
    new_place.mkdir()
    with Store(new_place / "govwatch.db") as store:
        record(store, release())
        _old_rows(store, old_place)  # the rows name the folder the database was copied from
        assert deliver_pending(store, config(new_place, SINKS))["jsonl:out/events.jsonl"] == 0
        record(store, release(index_no="idx-2", url="http://www.qz.gov.cn/art/2.html", title="另一篇"))
        assert deliver_pending(store, config(new_place, SINKS))["jsonl:out/events.jsonl"] == 1
    assert [e["index_no"] for e in lines(new_place / "out" / "events.jsonl")] == ["idx-2"]


def test_an_adopted_row_never_unsettles_an_event(tmp_path: Path) -> None:
    with Store(tmp_path / "govwatch.db") as store:
        [event] = record(store, release())
        assert event.id is not None
        old, new = f"jsonl:{tmp_path / 'out/events.jsonl'}", "jsonl:out/events.jsonl"
        assert store.claim(event.id, old)
        store.delivered(event.id, old)  # sent under the old name …
        assert store.claim(event.id, new)
        store.failed(event.id, new, "boom")  # … and failed once under the new one
        assert store.adopt_deliveries(old, new) == 1
        assert store.pending(new, include_baseline=True) == []
        assert store.delivery_sinks() == [new]


def test_lock_files_stay_in_the_database_lock_folder(tmp_path: Path) -> None:
    with Store(tmp_path / "govwatch.db") as store:
        record(store, release())
        deliver_pending(store, config(tmp_path, SINKS))
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["digests", "events.jsonl", "feed.xml"]
    assert not list(out.rglob("*.lock"))
    assert [
        p.name.startswith("output-feed.xml-") for p in lock_folder(tmp_path / "govwatch.db").iterdir()
    ] == [True]
