"""The site-health tables, as their own ``sqlite_utils.Migrations`` set (``govwatch.health``).

They live beside the store's tables in the same SQLite file but in a separate migration set, so the
store's own migrations stay untouched; :func:`ensure_schema` applies whatever is pending
inside the store's write transaction.

Tables: ``release_links`` (the links and attachments of each release's current version),
``release_link_sync`` (which version of a release they were read from), ``link_checks`` (every
check of a URL: status, ok, error), ``link_status`` (the latest check of each URL, with the number
of checks and since when it is broken), ``column_health`` (each column's newest item per run),
``site_health`` (the per-run scorecard). Views: ``broken_links``, ``outbound_hosts``.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database, Migrations

HEALTH_MIGRATIONS = Migrations("govwatch.health")
TABLES = ("release_links", "release_link_sync", "link_checks", "link_status", "column_health", "site_health")


def _run(db: Database, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@HEALTH_MIGRATIONS()
def m001_health(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE release_links (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            key TEXT NOT NULL REFERENCES releases (key),
            version INTEGER NOT NULL,
            kind TEXT NOT NULL,
            text TEXT,
            url TEXT NOT NULL,
            host TEXT,
            offsite INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            UNIQUE (site, key, url, kind)
        );
        CREATE INDEX release_links_site_url ON release_links (site, url);
        CREATE INDEX release_links_key ON release_links (key);
        CREATE INDEX release_links_host ON release_links (site, host);

        CREATE TABLE release_link_sync (
            key TEXT NOT NULL REFERENCES releases (key),
            site TEXT NOT NULL,
            version INTEGER NOT NULL,
            synced_at TEXT NOT NULL,
            PRIMARY KEY (site, key)
        );

        CREATE TABLE link_checks (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs (id),
            site TEXT NOT NULL,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            host TEXT,
            offsite INTEGER NOT NULL DEFAULT 0,
            method TEXT,
            status INTEGER,
            ok INTEGER NOT NULL,
            error TEXT,
            elapsed REAL,
            checked_at TEXT NOT NULL
        );
        CREATE INDEX link_checks_site_url ON link_checks (site, url, id);
        CREATE INDEX link_checks_run ON link_checks (run_id);

        CREATE TABLE column_health (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs (id),
            site TEXT NOT NULL,
            "column" TEXT,
            column_url TEXT NOT NULL,
            kind TEXT NOT NULL,
            stale_after_days REAL,
            newest_item TEXT,
            age_days INTEGER,
            items INTEGER NOT NULL DEFAULT 0,
            undated_items INTEGER NOT NULL DEFAULT 0,
            stale INTEGER,
            checked_at TEXT NOT NULL,
            UNIQUE (run_id, column_url)
        );
        CREATE INDEX column_health_site ON column_health (site, column_url, id);

        CREATE TABLE site_health (
            run_id INTEGER PRIMARY KEY REFERENCES runs (id),
            site TEXT NOT NULL,
            checked_at TEXT NOT NULL,
            releases INTEGER NOT NULL,
            missing_index_no INTEGER NOT NULL,
            missing_publisher INTEGER NOT NULL,
            missing_date INTEGER NOT NULL,
            missing_index_no_share REAL,
            missing_publisher_share REAL,
            missing_date_share REAL,
            links INTEGER NOT NULL,
            attachments INTEGER NOT NULL,
            links_checked INTEGER NOT NULL,
            links_broken INTEGER NOT NULL,
            attachments_broken INTEGER NOT NULL,
            broken_share REAL,
            checks_this_run INTEGER NOT NULL,
            broken_this_run INTEGER NOT NULL,
            offsite_links INTEGER NOT NULL,
            outbound_hosts INTEGER NOT NULL,
            columns INTEGER NOT NULL,
            stale_columns INTEGER NOT NULL
        );
        CREATE INDEX site_health_site ON site_health (site, run_id);

        CREATE TABLE link_status (
            site TEXT NOT NULL,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            host TEXT,
            offsite INTEGER NOT NULL DEFAULT 0,
            method TEXT,
            status INTEGER,
            ok INTEGER NOT NULL,
            error TEXT,
            checked_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs (id),
            checks INTEGER NOT NULL DEFAULT 1,
            broken_since TEXT,
            PRIMARY KEY (site, url)
        );
        CREATE INDEX link_status_checked ON link_status (site, checked_at);

        CREATE VIEW broken_links AS
        SELECT l.site, l.key, r.title, r.url AS release_url, l.kind, l.text, l.url, l.host, l.offsite,
               s.status, s.error, s.checked_at, s.broken_since, s.checks
        FROM release_links l
        JOIN releases r ON r.key = l.key AND r.status = 'live'
        JOIN link_status s ON s.site = l.site AND s.url = l.url
        WHERE s.ok = 0;

        CREATE VIEW outbound_hosts AS
        SELECT l.site, l.host, count(DISTINCT l.url) AS links, count(DISTINCT l.key) AS releases,
               min(l.first_seen) AS first_seen, max(l.last_seen) AS last_seen,
               count(DISTINCT CASE WHEN s.ok = 0 THEN l.url END) AS broken
        FROM release_links l
        JOIN releases r ON r.key = l.key AND r.status = 'live'
        LEFT JOIN link_status s ON s.site = l.site AND s.url = l.url
        WHERE l.offsite = 1
        GROUP BY l.site, l.host
        """,
    )


def ensure_schema(store: Any) -> None:
    """Apply pending health migrations to ``store.db`` (in one write transaction)."""
    if HEALTH_MIGRATIONS.pending(store.db):
        with store._write() as db:
            HEALTH_MIGRATIONS.apply(db)


def has_schema(db: Database) -> bool:
    """True when the health tables exist (read-only callers use this instead of migrating)."""
    return "site_health" in db.table_names()
