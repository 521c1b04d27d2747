"""Where each sink starts, and an upgrade: sinks that already had deliveries before starts were
recorded keep receiving everything not yet delivered to them; a sink first seen now starts now."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from crawler.store import Store
from crawler.store.schema import MIGRATIONS
from tests.records import ok, release


def test_an_upgrade_keeps_the_pending_events_of_sinks_with_deliveries(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as store:
        events = ok(store, release()) + ok(store, release(index_no="b", url="http://www.qz.gov.cn/b.html"))
        store.delivered(int(events[0].id or 0), "console")  # the second one failed: still pending
        store.failed(int(events[1].id or 0), "console", "HTTP 500")
    db = Database(path)  # as an older govwatch left it: no starts, no parts
    for table in ("sink_starts", "delivery_parts"):
        db[table].drop()
    db.execute("ALTER TABLE deliveries DROP COLUMN part_id")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_delivery_parts'")
    db.close()

    with Store(path) as store:
        assert "m011_delivery_parts" in [m.name for m in MIGRATIONS.applied(store.db)]
        assert store.start_sinks({"console": False, "wecom": False}) == {"console": 0, "wecom": 2}
        assert [e.id for e in store.pending("console", include_baseline=True)] == [events[1].id]
        assert store.pending("wecom", include_baseline=True) == []
        [later] = ok(store, release(index_no="c", url="http://www.qz.gov.cn/c.html"))
        assert [e.id for e in store.pending("wecom", include_baseline=True)] == [later.id]
        # backfill later: the sink takes the archive's history after all
        assert store.start_sinks({"wecom": True}) == {"wecom": 0}
        assert len(store.pending("wecom", include_baseline=True)) == 3


def test_an_archive_never_delivered_gives_every_sink_everything(store: Store) -> None:
    ok(store, release())
    assert store.start_sinks({"console": False, "jsonl:e.jsonl": False}) == {"console": 0, "jsonl:e.jsonl": 0}
    assert len(store.pending("jsonl:e.jsonl", include_baseline=True)) == 1


def test_a_part_claimed_by_a_process_that_is_gone_is_sent_again(store: Store) -> None:
    from crawler.store import Part

    [event] = ok(store, release())
    [part] = store.queue_parts("wecom", [[Part("t", "b", [int(event.id or 0)])]])
    assert part.id is not None
    assert store.pending("wecom", include_baseline=True) == []  # queued: owned by its part
    assert store.claim_part(part.id) and not store.claim_part(part.id)  # one process per part
    store.db.execute(
        "UPDATE delivery_parts SET claimed_by = 'localhost-that-is-not-this:1' WHERE id = ?", [part.id]
    )
    assert not store.claim_part(part.id)  # another host's claim is alive until it is stale
    import socket

    store.db.execute(
        "UPDATE delivery_parts SET claimed_by = ? WHERE id = ?", [f"{socket.gethostname()}:999999", part.id]
    )
    assert store.claim_part(part.id)  # this host's process 999999 is gone
    store.part_delivered(part.id)
    assert store.open_parts("wecom") == []
    assert store.db.execute("SELECT state FROM deliveries WHERE sink = 'wecom'").fetchall() == [
        ("delivered",)
    ]
