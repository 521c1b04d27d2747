"""Group commit: while ``store.group_commit()`` is open, the ledgers' writes wait in a queue and are
committed together; their events exist (in the ledger and in the database, where delivery reads
them) only after the commit, and another connection sees nothing of the queue before it."""

from __future__ import annotations

import sqlite3

from tests.records import INDEX_NO, MIRROR, fetch, page, release, types


def committed_events(store) -> int:
    conn = sqlite3.connect(store.path)  # another reader: what a delivery or a crash would see
    try:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()


def test_queued_writes_raise_events_only_once_committed(store) -> None:
    run_id = store.start_run("quzhou")
    with store.group_commit(interval=3600, max_writes=1000) as group:
        ledger = store.ledger("quzhou", run_id)  # a ledger made while the group is open queues
        rel = release()
        other = release(index_no=INDEX_NO + "-2", url=MIRROR)
        assert ledger.record(fetch(rel.url, run_id=run_id, body=page(rel)), rel, []) == []
        assert ledger.record(fetch(other.url, run_id=run_id, body=page(other)), other, []) == []
        assert ledger.events == [] and committed_events(store) == 0
        group.flush()
        assert types(ledger.events) == ["new", "new"]
        assert all(e.id is not None for e in ledger.events)
        assert committed_events(store) == 2


def test_a_full_queue_commits_by_itself(store) -> None:
    run_id = store.start_run("quzhou")
    with store.group_commit(interval=3600, max_writes=2):
        ledger = store.ledger("quzhou", run_id)
        for n in range(4):
            rel = release(index_no=f"{INDEX_NO}-{n}", url=f"{MIRROR[:-5]}{n}.html")
            ledger.record(fetch(rel.url, run_id=run_id, body=page(rel)), rel, [])
        assert committed_events(store) >= 2  # at least the first full queue
    assert committed_events(store) == 4  # closing commits the rest
