"""The database schema, as ``sqlite_utils.Migrations`` applied when a ``Store`` opens.

Migrations only ever add: a database written by an older govwatch upgrades in place and keeps its
rows. Append a new function to change the schema; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from crawler.store.search import bigrams

MIGRATIONS = Migrations("govwatch.store")


def _run(db: Database, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@MIGRATIONS()
def m001_core(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            requests INTEGER NOT NULL DEFAULT 0,
            bytes INTEGER NOT NULL DEFAULT 0,
            counts TEXT NOT NULL DEFAULT '{}',
            notes TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX runs_site_started ON runs (site, started_at);

        CREATE TABLE releases (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            index_no TEXT,
            title TEXT,
            publisher TEXT,
            written_date TEXT,
            published_at TEXT,
            doc_number TEXT,
            category TEXT,
            validity TEXT,
            unified_no TEXT,
            site_name TEXT,
            "column" TEXT,
            url TEXT NOT NULL,
            site TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            current_version INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'live',
            content_hash TEXT NOT NULL,
            removed_at TEXT
        );
        CREATE INDEX releases_site ON releases (site);
        CREATE INDEX releases_first_seen ON releases (first_seen);
        CREATE INDEX releases_status ON releases (status);

        CREATE TABLE release_urls (
            url TEXT PRIMARY KEY,
            key TEXT NOT NULL REFERENCES releases (key),
            site TEXT NOT NULL,
            "column" TEXT,
            column_url TEXT,
            list_date TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            last_ok_at TEXT,
            etag TEXT,
            last_modified TEXT,
            content_hash TEXT,
            critical_flags TEXT NOT NULL DEFAULT '[]',
            conflict_reported INTEGER NOT NULL DEFAULT 0,
            gone_streak INTEGER NOT NULL DEFAULT 0,
            gone_run INTEGER,
            fail_streak INTEGER NOT NULL DEFAULT 0,
            fail_run INTEGER,
            fail_reported INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX release_urls_key ON release_urls (key);
        CREATE INDEX release_urls_site ON release_urls (site);

        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL REFERENCES releases (key),
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            fields TEXT NOT NULL,
            body TEXT,
            raw_html BLOB,
            normalizer_version INTEGER,
            flags TEXT NOT NULL DEFAULT '[]',
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            run_id INTEGER REFERENCES runs (id),
            url TEXT,
            UNIQUE (key, version)
        );
        CREATE INDEX versions_key_hash ON versions (key, content_hash);

        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs (id),
            site TEXT NOT NULL,
            url TEXT NOT NULL,
            status INTEGER,
            bytes INTEGER NOT NULL DEFAULT 0,
            elapsed REAL,
            etag TEXT,
            last_modified TEXT,
            outcome TEXT NOT NULL,
            error_kind TEXT,
            not_release_reason TEXT,
            flags TEXT NOT NULL DEFAULT '[]',
            fetched_at TEXT NOT NULL,
            key TEXT REFERENCES releases (key),
            raw_html BLOB
        );
        CREATE INDEX fetches_run ON fetches (run_id);
        CREATE INDEX fetches_url ON fetches (url, fetched_at);
        CREATE INDEX fetches_key ON fetches (key);

        CREATE TABLE columns (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            column_url TEXT NOT NULL,
            name TEXT,
            first_ok_run INTEGER REFERENCES runs (id),
            last_ok_at TEXT,
            fail_streak INTEGER NOT NULL DEFAULT 0,
            failing INTEGER NOT NULL DEFAULT 0,
            layout_alert INTEGER NOT NULL DEFAULT 0,
            UNIQUE (site, column_url)
        );

        CREATE TABLE column_runs (
            id INTEGER PRIMARY KEY,
            column_id INTEGER NOT NULL REFERENCES columns (id),
            run_id INTEGER REFERENCES runs (id),
            ok INTEGER NOT NULL,
            items INTEGER NOT NULL DEFAULT 0,
            pages INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            recorded_at TEXT NOT NULL,
            UNIQUE (column_id, run_id)
        );
        CREATE INDEX column_runs_run ON column_runs (run_id);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            severity TEXT NOT NULL,
            baseline INTEGER NOT NULL DEFAULT 0,
            site TEXT NOT NULL,
            key TEXT NOT NULL,
            index_no TEXT,
            url TEXT,
            title TEXT,
            "column" TEXT,
            version INTEGER,
            version_before INTEGER,
            flags TEXT NOT NULL DEFAULT '[]',
            details TEXT NOT NULL DEFAULT '{}',
            run_id INTEGER REFERENCES runs (id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX events_run ON events (run_id);
        CREATE INDEX events_key ON events (key);
        CREATE INDEX events_created ON events (created_at);
        CREATE INDEX events_type ON events (type);

        CREATE TABLE deliveries (
            event_id INTEGER NOT NULL REFERENCES events (id),
            sink TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (event_id, sink)
        );
        CREATE INDEX deliveries_sink_state ON deliveries (sink, state)
        """,
    )


@MIGRATIONS()
def m002_search(db: Database) -> None:
    """Bigram full-text search over title and body (docs/ARCHITECTURE.md), filled from what is stored. The FTS
    rowid is ``releases.id``."""
    db.execute(
        "CREATE VIRTUAL TABLE releases_fts USING fts5("
        "key UNINDEXED, title_bigrams, body_bigrams, tokenize = 'unicode61')"
    )
    rows = db.execute(
        "SELECT r.id, r.key, r.title, v.body FROM releases r "
        "JOIN versions v ON v.key = r.key AND v.version = r.current_version"
    ).fetchall()
    for rowid, key, title, body in rows:
        db.execute(
            "INSERT INTO releases_fts (rowid, key, title_bigrams, body_bigrams) VALUES (?, ?, ?, ?)",
            [rowid, key, bigrams(title or ""), bigrams(body or "")],
        )


@MIGRATIONS()
def m003_claim_owner(db: Database) -> None:
    """Who holds a delivery claim (``host:pid``), so the claims of a process that died between
    claiming and delivering are taken over at once instead of after the stale-claim timeout."""
    db.execute("ALTER TABLE deliveries ADD COLUMN claimed_by TEXT")


@MIGRATIONS()
def m004_listings(db: Database) -> None:
    """Every release URL a column list showed, with the run that first listed it: a release listed
    in a column's baseline run but fetched only later (a run bound cut the baseline short) is
    baseline too, not news."""
    db.execute(
        """
        CREATE TABLE listings (
            url TEXT PRIMARY KEY,
            site TEXT NOT NULL,
            column_url TEXT,
            list_date TEXT,
            first_listed_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs (id),
            baseline INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX listings_site ON listings (site, baseline)")


@MIGRATIONS()
def m005_column_complete(db: Database) -> None:
    """Whether a run read a column's listing to its end (or to ``max_list_pages``): the column's
    baseline is done only then. Older rows count as complete when they were ok."""
    db.execute("ALTER TABLE column_runs ADD COLUMN complete INTEGER")
