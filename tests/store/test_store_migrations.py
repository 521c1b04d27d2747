"""Opening a database written by an older schema upgrades it in place and keeps its rows."""

from __future__ import annotations

import json

from sqlite_utils import Database, Migrations

from crawler.store import Store
from crawler.store.codec import content_hash
from crawler.store.schema import MIGRATIONS, m006_health
from tests.records import INDEX_NO, URL, ok, release


def test_database_from_older_schema_keeps_rows_and_gains_search(tmp_path):
    path = tmp_path / "old.db"
    old = Database(path)
    MIGRATIONS.apply(old, stop_before="m002_search")  # the schema before search existed
    assert "releases_fts" not in old.table_names()
    rel = release()
    h = content_hash(rel)
    ts = "2026-01-01T09:00:00+08:00"
    old["releases"].insert(
        {
            "key": INDEX_NO,
            "title": rel.title,
            "url": URL,
            "site": "quzhou",
            "first_seen": ts,
            "last_seen": ts,
            "current_version": 1,
            "content_hash": h,
        }
    )
    old["versions"].insert(
        {
            "key": INDEX_NO,
            "version": 1,
            "content_hash": h,
            "fields": json.dumps(rel.to_dict(), ensure_ascii=False),
            "body": rel.body_text,
            "first_seen": ts,
            "last_seen": ts,
            "url": URL,
        }
    )
    old["release_urls"].insert(
        {"url": URL, "key": INDEX_NO, "site": "quzhou", "first_seen": ts, "last_seen": ts}
    )
    old.close()

    with Store(path) as store:
        applied = [m.name for m in MIGRATIONS.applied(store.db)]
        assert [name for name in applied if not name.endswith("_compact_versions")] == [
            "m001_core",
            "m002_search",
            "m003_claim_owner",
            "m004_listings",
            "m005_column_complete",
            "m006_health",
            "m007_acks",
            "m008_evidence",
            "m010_attachments",
            "m011_delivery_parts",
            "m012_releases_site_status",
        ]
        assert any(name.endswith("_compact_versions") for name in applied), applied
        assert store.release(INDEX_NO)["first_seen"] == ts
        assert [v["version"] for v in store.history(URL)] == [1]
        # the old row's paragraphs are read from its body now, and read back the same
        stored = json.loads(store.db.execute("SELECT fields FROM versions").fetchone()[0])
        assert "paragraphs" not in stored and "turns" not in stored
        assert store.history(URL)[0]["fields"] == rel.to_dict()
        assert [r["key"] for r in store.search("数字化改革")] == [INDEX_NO]
        assert ok(store, release()) == []  # the same content: still no event
    with Store(path) as store:  # opening again applies nothing twice
        assert len(MIGRATIONS.applied(store.db)) == len(MIGRATIONS.pending(Database(memory=True)))
        assert store.db["versions"].count == 1


def test_health_tables_made_by_their_old_migration_set_are_kept(tmp_path):
    """Site-health tables were once a migration set of their own (``govwatch.health``), applied after
    a crawl; a database that has them (with rows) opens with the one store migration set."""
    path = tmp_path / "old.db"
    old = Database(path)
    MIGRATIONS.apply(old, stop_before="m006_health")
    old_set = Migrations("govwatch.health")
    old_set(name="m001_health")(m006_health)
    old_set.apply(old)
    old["site_health"].insert(
        {
            "run_id": 1,
            "site": "quzhou",
            "checked_at": "2026-01-01T09:00:00+08:00",
            **{
                name: 0
                for name in (
                    "releases",
                    "missing_index_no",
                    "missing_publisher",
                    "missing_date",
                    "links",
                    "attachments",
                    "links_checked",
                    "links_broken",
                    "attachments_broken",
                    "checks_this_run",
                    "broken_this_run",
                    "offsite_links",
                    "outbound_hosts",
                    "columns",
                    "stale_columns",
                )
            },
        }
    )
    old.close()
    with Store(path) as store:
        assert MIGRATIONS.pending(store.db) == []
        assert store.db["site_health"].count == 1
        assert store.health.last_run_at("quzhou") is None  # and the tables answer queries
        assert store.health.broken_links(INDEX_NO) == []


def test_schema_has_foreign_keys_and_indexes(store):
    fks = {(fk.table, fk.column, fk.other_table) for fk in store.db["versions"].foreign_keys}
    assert ("versions", "key", "releases") in fks
    assert any(ix.columns == ["key", "content_hash"] for ix in store.db["versions"].indexes)
    assert store.db.journal_mode == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
