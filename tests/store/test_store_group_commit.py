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


def test_a_write_that_fails_half_way_is_undone_alone(store) -> None:
    """The database refuses the middle write after its URL, release, version and fetch rows went in
    (a trigger on its event): those rows are undone, the fetch is recorded failed instead, and the
    writes before and after it in the same transaction are kept."""
    run_id = store.start_run("quzhou")
    words = ["柯城", "龙游", "江山"]
    rels = [
        release(index_no=f"{INDEX_NO}-{n}", url=f"{MIRROR[:-5]}{n}.html", paragraphs=[f"{word}召开会议"])
        for n, word in enumerate(words)
    ]
    refused = rels[1]
    conn = sqlite3.connect(store.path)
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.url = ? "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END".replace("?", f"'{refused.url}'")
    )
    conn.commit()
    conn.close()
    with store.group_commit(interval=3600, max_writes=1000) as group:
        ledger = store.ledger("quzhou", run_id)
        for rel in rels:
            ledger.record(fetch(rel.url, run_id=run_id, body=page(rel)), rel, [])
        group.flush()
    assert types(ledger.events) == ["new", "new"] and ledger.failed == 1
    conn = sqlite3.connect(store.path)
    try:
        stored = {r[0] for r in conn.execute("SELECT url FROM releases")}
        versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        fetches = conn.execute("SELECT url, outcome FROM fetches ORDER BY id").fetchall()
    finally:
        conn.close()
    assert stored == {rels[0].url, rels[2].url} and versions == 2
    assert [f[0] for f in fetches] == [r.url for r in rels]
    assert dict(fetches)[refused.url] == "error"
    # the search index holds what was kept, not the refused page
    assert [[r["key"] for r in store.search(word)] for word in words] == [[rels[0].key], [], [rels[2].key]]


def test_a_group_of_pages_is_indexed_for_search_at_once(store) -> None:
    """The pages of one group commit go into the full-text index together, at the end of its
    transaction: SQLite's FTS5 writes out what it holds at every savepoint, and a segment per page
    made recording a page several times dearer. Each page is found."""
    run_id = store.start_run("quzhou")
    rels = [
        release(index_no=f"{INDEX_NO}-{n}", url=f"{MIRROR[:-5]}{n}.html", paragraphs=[f"第{n}号文件"])
        for n in range(40)
    ]
    index_writes: list[str] = []  # SQLite's own statements on the index's segment table
    with store.group_commit(interval=3600, max_writes=1000) as group:
        ledger = store.ledger("quzhou", run_id)
        for rel in rels:
            ledger.record(fetch(rel.url, run_id=run_id, body=page(rel)), rel, [])
        store.db.conn.set_trace_callback(lambda sql: index_writes.append(sql) if "fts_data" in sql else None)
        try:
            group.flush()
        finally:
            store.db.conn.set_trace_callback(None)
    assert 0 < len(index_writes) < 10, len(index_writes)  # one segment, not one (and merges) per page
    for n in (0, 17, 39):
        assert [r["key"] for r in store.search(f"第{n}号")] == [rels[n].key]
