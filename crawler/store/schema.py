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


@MIGRATIONS()
def m006_health(db: Database) -> None:
    """The site-health tables (``crawler.health``): ``release_links`` (the links and attachments of
    each release's current version), ``release_link_sync`` (which version they were read from),
    ``link_checks`` (every check of a URL), ``link_status`` (the latest check of each URL, its count
    and since when it is broken), ``column_health`` (each column's newest item per run),
    ``site_health`` (the per-run scorecard); views ``broken_links`` and ``outbound_hosts``.

    They were once a migration set of their own (``govwatch.health``), applied after a crawl; a
    database that has them already keeps them as they are (``IF NOT EXISTS``)."""
    _run(
        db,
        """
        CREATE TABLE IF NOT EXISTS release_links (
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
        CREATE INDEX IF NOT EXISTS release_links_site_url ON release_links (site, url);
        CREATE INDEX IF NOT EXISTS release_links_key ON release_links (key);
        CREATE INDEX IF NOT EXISTS release_links_host ON release_links (site, host);

        CREATE TABLE IF NOT EXISTS release_link_sync (
            key TEXT NOT NULL REFERENCES releases (key),
            site TEXT NOT NULL,
            version INTEGER NOT NULL,
            synced_at TEXT NOT NULL,
            PRIMARY KEY (site, key)
        );

        CREATE TABLE IF NOT EXISTS link_checks (
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
        CREATE INDEX IF NOT EXISTS link_checks_site_url ON link_checks (site, url, id);
        CREATE INDEX IF NOT EXISTS link_checks_run ON link_checks (run_id);

        CREATE TABLE IF NOT EXISTS column_health (
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
        CREATE INDEX IF NOT EXISTS column_health_site ON column_health (site, column_url, id);

        CREATE TABLE IF NOT EXISTS site_health (
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
        CREATE INDEX IF NOT EXISTS site_health_site ON site_health (site, run_id);

        CREATE TABLE IF NOT EXISTS link_status (
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
        CREATE INDEX IF NOT EXISTS link_status_checked ON link_status (site, checked_at);

        CREATE VIEW IF NOT EXISTS broken_links AS
        SELECT l.site, l.key, r.title, r.url AS release_url, l.kind, l.text, l.url, l.host, l.offsite,
               s.status, s.error, s.checked_at, s.broken_since, s.checks
        FROM release_links l
        JOIN releases r ON r.key = l.key AND r.status = 'live'
        JOIN link_status s ON s.site = l.site AND s.url = l.url
        WHERE s.ok = 0;

        CREATE VIEW IF NOT EXISTS outbound_hosts AS
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


@MIGRATIONS()
def m007_acks(db: Database) -> None:
    """Flags a person reviewed (``govwatch ack KEY RULE``): a reviewed (rule, evidence) pair on a
    release raises no ``tampered`` again until its evidence changes (crawler/store/acks.py)."""
    db.execute(
        """
        CREATE TABLE acks (
            key TEXT NOT NULL,
            rule TEXT NOT NULL,
            evidence TEXT NOT NULL,
            acked_at TEXT NOT NULL,
            PRIMARY KEY (key, rule, evidence)
        )
        """
    )


@MIGRATIONS()
def m008_evidence(db: Database) -> None:
    """The response as fetched, kept with every stored page from now on (docs/ARCHITECTURE.md,
    "Evidence"): ``fetches.evidence`` holds the status line, the headers as received, the request's
    headers, the resolved IP and the content hash (compact JSON, zstd) of a fetch whose body was
    kept; ``versions.fetch_id`` names the fetch a version's ``raw_html`` came from (the body is kept
    once, in the version). Versions stored before keep their body and no fetch (NULL)."""
    db.execute("ALTER TABLE fetches ADD COLUMN evidence BLOB")
    db.execute("ALTER TABLE versions ADD COLUMN fetch_id INTEGER REFERENCES fetches (id)")


#: versions rewritten per statement batch by ``m009_compact_versions``
_COMPACT_CHUNK = 500


@MIGRATIONS()
def m009_compact_versions(db: Database) -> None:
    """Each thing stored once: a version's ``fields`` JSON no longer repeats the paragraphs its ``body``
    holds, nor the turns derived from them (``crawler.store.codec.pack_fields``). Every row is
    rewritten only when reading it back gives exactly the fields it held; a row that would not (a
    paragraph with a line break in it) keeps what it cannot give back. Reading works either way.

    And ``raw_dropped_at``: when a version's raw HTML was dropped by ``retention.raw_html`` (NULL:
    kept), so readers can tell a page dropped on purpose from one never stored."""
    from crawler.store.codec import loads, pack_fields, unpack_fields

    db.execute("ALTER TABLE versions ADD COLUMN raw_dropped_at TEXT")
    last = 0
    while True:
        rows = db.execute(
            "SELECT id, fields, body FROM versions WHERE id > ? ORDER BY id LIMIT ?", [last, _COMPACT_CHUNK]
        ).fetchall()
        if not rows:
            return
        updates = []
        for rowid, text, body in rows:
            last = rowid
            fields = loads(text, {})
            if "paragraphs" not in fields and "turns" not in fields:
                continue  # written compact already
            packed = pack_fields(fields, body)
            if unpack_fields(packed, body) != unpack_fields(text, body) or len(packed) >= len(text or ""):
                continue
            updates.append((packed, rowid))
        db.conn.executemany("UPDATE versions SET fields = ? WHERE id = ?", updates)


@MIGRATIONS()
def m010_attachments(db: Database) -> None:
    """Attachments (附件) fetched with their releases: each distinct file once, by its sha256
    (``attachment_files``: the bytes compressed, the sniffed type, the extracted text); what each
    attachment URL answered last (``attachment_urls``: validators, the last file, too large, its
    failure streak); and the files each version lists (``version_attachments``)."""
    _run(
        db,
        """
        CREATE TABLE attachment_files (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            type TEXT NOT NULL,
            data BLOB,
            text TEXT,
            text_status TEXT NOT NULL,
            first_seen TEXT NOT NULL
        );

        CREATE TABLE attachment_urls (
            url TEXT PRIMARY KEY,
            site TEXT NOT NULL,
            key TEXT,
            name TEXT,
            sha256 TEXT REFERENCES attachment_files (sha256),
            state TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            content_length INTEGER,
            first_seen TEXT NOT NULL,
            last_checked TEXT NOT NULL,
            last_ok_at TEXT,
            error_kind TEXT,
            warning TEXT,
            fail_streak INTEGER NOT NULL DEFAULT 0,
            fail_run INTEGER,
            fail_reported INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX attachment_urls_site ON attachment_urls (site);
        CREATE INDEX attachment_urls_key ON attachment_urls (key);

        CREATE TABLE version_attachments (
            id INTEGER PRIMARY KEY,
            version_id INTEGER NOT NULL REFERENCES versions (id),
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            url TEXT NOT NULL,
            sha256 TEXT REFERENCES attachment_files (sha256),
            state TEXT NOT NULL,
            warning TEXT,
            UNIQUE (version_id, position)
        );
        CREATE INDEX version_attachments_sha ON version_attachments (sha256);
        CREATE INDEX version_attachments_url ON version_attachments (url)
        """,
    )


@MIGRATIONS()
def m011_delivery_parts(db: Database) -> None:
    """Where each sink starts and the messages a sink sends in parts (crawler/store/parts.py).

    ``sink_starts``: a sink new to an archive is responsible for the events after ``after_event``
    only (``0``: all of them). Sinks that already have deliveries start at the beginning.
    ``delivery_parts``: one row per message of a digest (or per event's message): its text, the
    events it carries (JSON ids), the destinations that accepted it (``sent_to``) and its state; the
    ``deliveries`` rows of those events point to it (``part_id``, state ``queued``) until it is sent.
    """
    stamp = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')").fetchone()[0]
    _run(
        db,
        """
        CREATE TABLE sink_starts (
            sink TEXT PRIMARY KEY,
            after_event INTEGER NOT NULL,
            started_at TEXT NOT NULL
        );
        CREATE TABLE delivery_parts (
            id INTEGER PRIMARY KEY,
            sink TEXT NOT NULL,
            digest INTEGER NOT NULL,
            part INTEGER NOT NULL,
            parts INTEGER NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            level TEXT NOT NULL,
            events TEXT NOT NULL,
            sent_to TEXT NOT NULL DEFAULT '[]',
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            claimed_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX delivery_parts_sink_state ON delivery_parts (sink, state);
        ALTER TABLE deliveries ADD COLUMN part_id INTEGER REFERENCES delivery_parts (id)
        """,
    )
    db.execute(
        "INSERT INTO sink_starts (sink, after_event, started_at) SELECT DISTINCT sink, 0, ? FROM deliveries",
        [stamp],
    )


@MIGRATIONS()
def m012_releases_site_status(db: Database) -> None:
    """One site's releases of one status: the after-run checks count a site's live releases
    (``site_health``) and mark their links seen. With only ``releases_status`` to go by, SQLite read
    every live release of every site for each site's run, a cost that grew with the database."""
    _run(db, "CREATE INDEX releases_site_status ON releases (site, status)")
