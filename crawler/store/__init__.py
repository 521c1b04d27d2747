"""SQLite store: every version of every release, keyed by 索引号 (docs/ARCHITECTURE.md, "Identity,
versions, events").

Tables (plain names, foreign keys, indexes; made by ``schema.MIGRATIONS`` when a ``Store`` opens):

- ``releases`` — one row per key (the 索引号, else ``url:`` + URL): latest fields, ``url`` (the first
  URL), site, first/last seen, ``current_version``, ``status`` (live/removed), ``content_hash``.
- ``release_urls`` — every URL a release was seen at, with conditional-request headers, the list
  date, the critical flags of its last ok fetch, and its gone / failure streaks.
- ``versions`` — one row per distinct content: fields JSON, body text, zstd raw HTML, flags.
- ``fetches`` — every fetch; raw HTML only for a fetch that raised ``tampered`` without a version;
  ``evidence`` (status line, headers as received, IP: ``crawler.store.evidence``) for every fetch
  whose body is kept, in its own row or in the version it made (``versions.fetch_id``).
- ``runs``, ``columns``, ``column_runs`` — crawl runs and per-column health.
- ``events`` — one row per fact (``crawler.model.Event``); ``deliveries`` — the outbox. Delivery rows
  are made lazily: an event without a row for a sink is pending for it; ``claim`` writes the row.
- ``releases_fts`` — FTS5 (unicode61) over character bigrams of title and body; rowid = releases.id.
- ``listings`` — release URLs column lists showed, with the run that first listed them.
- the site-health tables (``release_links``, ``link_checks``, ``link_status``, ``column_health``,
  ``site_health`` …), read and written through ``store.health`` (``crawler.store.health``).

Only this package speaks SQL (``crawler.browse``'s read-only Datasette queries aside). A crawl run
reads and records through its :class:`RunLedger` (``store.ledger(site, run_id)``); several calls
become one transaction with ``with store.transaction():``.
"""

from crawler.store.archive import ArchivedRelease, ArchivedVersion, ArchiveReader
from crawler.store.evidence import StoredPage
from crawler.store.files import lock_folder, storage_fault
from crawler.store.health import (
    ColumnHealth,
    ColumnItems,
    DueLink,
    HealthTables,
    LinkRow,
    ReleaseLinks,
    WatchedColumn,
)
from crawler.store.ledger import RunLedger, UrlState
from crawler.store.parts import Part
from crawler.store.search import bigrams, search_query
from crawler.store.store import Store, StoreError, UnknownRelease, UnusableDatabase

__all__ = [
    "ArchiveReader",
    "ArchivedRelease",
    "ArchivedVersion",
    "Part",
    "ColumnHealth",
    "ColumnItems",
    "DueLink",
    "HealthTables",
    "LinkRow",
    "ReleaseLinks",
    "RunLedger",
    "Store",
    "StoreError",
    "StoredPage",
    "UnknownRelease",
    "UnusableDatabase",
    "UrlState",
    "WatchedColumn",
    "bigrams",
    "search_query",
    "lock_folder",
    "storage_fault",
]
