"""The site-health tables, read and written for ``crawler.health`` (``store.health``).

``crawler.health`` judges (is a column stale, which links are off-site, what a scorecard says); this
module keeps what it judged: ``column_health`` rows and the ``stale_column`` event once per staleness
episode, the link inventory of each release's current version (``release_links``,
``release_link_sync``), link checks (``link_checks``, ``link_status``) and the per-run scorecard
(``site_health``). Tables: ``crawler.store.schema``, migration ``m006_health``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crawler.model import Event
from crawler.store.codec import select, unpack_fields
from crawler.store.events import emit

if TYPE_CHECKING:
    from sqlite_utils import Database

    from crawler.store.store import Store

#: the date of a listed release: the date its list gave, else its own
ITEM_DATE = "coalesce(u.list_date, r.written_date, substr(r.published_at, 1, 10))"


@dataclass(frozen=True)
class ColumnItems:
    """What the store holds about one column's live releases."""

    newest: str | None  # the latest item date as stored (list date, else the release's date)
    items: int
    undated: int
    read: bool  # a run read the column successfully at least once


@dataclass(frozen=True)
class ColumnHealth:
    """One ``column_health`` row: a column's state as judged in one run."""

    run_id: int | None
    site: str
    column: str
    column_url: str
    kind: str
    stale_after_days: float | None
    newest_item: str | None
    age_days: int | None
    items: int
    undated_items: int
    stale: bool | None  # None: never stale (no limit) or never read


@dataclass(frozen=True)
class WatchedColumn:
    """A column the database has seen crawled, with its kind and limit as last judged."""

    site: str
    column_url: str
    name: str | None
    kind: str | None
    stale_after_days: float | None


@dataclass(frozen=True)
class ReleaseLinks:
    """The current version of a release whose links were not read since it became current."""

    key: str
    version: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class LinkRow:
    """One link or attachment of a release's current version."""

    kind: str  # attachment | link
    url: str
    text: str | None
    host: str | None
    offsite: bool


@dataclass(frozen=True)
class DueLink:
    url: str
    kind: str  # attachment | link (attachment when any release carries it as one)
    host: str | None
    offsite: bool
    last_checked: str | None


class HealthTables:
    """``store.health``: every query and write of the site-health tables. Writes join the caller's
    transaction (``store.transaction()``) or make their own."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any]:
        return next(iter(self._store.db.query(sql, params)))

    # -- columns -----------------------------------------------------------------------------------
    def column_items(self, site: str, column_url: str) -> ColumnItems:
        row = self._one(
            f"SELECT max({ITEM_DATE}) AS newest, count(*) AS items, sum({ITEM_DATE} IS NULL) AS undated "
            "FROM release_urls u JOIN releases r ON r.key = u.key "
            "WHERE u.site = ? AND u.column_url = ? AND r.status = 'live'",
            [site, column_url],
        )
        read = self._store.db.execute(
            "SELECT 1 FROM columns WHERE site = ? AND column_url = ? AND last_ok_at IS NOT NULL LIMIT 1",
            [site, column_url],
        ).fetchone()
        return ColumnItems(
            newest=row["newest"],
            items=int(row["items"] or 0),
            undated=int(row["undated"] or 0),
            read=read is not None,
        )

    def record_column_health(self, state: ColumnHealth, ts: str) -> Event | None:
        """Keep the column's state for its run; a ``stale_column`` event when a staleness episode
        starts (an episode ends when a later run finds the column fresh)."""
        with self._store._write() as db:
            db.execute(
                'INSERT INTO column_health (run_id, site, "column", column_url, kind, stale_after_days, '
                "newest_item, age_days, items, undated_items, stale, checked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, column_url) DO UPDATE SET newest_item = excluded.newest_item, "
                "age_days = excluded.age_days, items = excluded.items, "
                "undated_items = excluded.undated_items, stale = excluded.stale, "
                "checked_at = excluded.checked_at",
                [
                    state.run_id,
                    state.site,
                    state.column,
                    state.column_url,
                    state.kind,
                    state.stale_after_days,
                    state.newest_item,
                    state.age_days,
                    state.items,
                    state.undated_items,
                    None if state.stale is None else int(state.stale),
                    ts,
                ],
            )
            key = "column:" + state.column_url
            if not state.stale or self._episode_reported(state.site, key, state.column_url):
                return None  # once per episode, not once per run
            details = {
                "newest_item": state.newest_item,
                "age_days": state.age_days,
                "stale_after_days": state.stale_after_days,
                "kind": state.kind,
                "items": state.items,
            }
            return emit(
                db,
                "stale_column",
                site=state.site,
                key=key,
                created_at=ts,
                url=state.column_url,
                column=state.column,
                run_id=state.run_id,
                details=details,
            )

    def _episode_reported(self, site: str, key: str, column_url: str) -> bool:
        """A ``stale_column`` event exists for the column and no run since found it fresh."""
        row = next(
            iter(
                self._store.db.query(
                    "SELECT id, run_id FROM events WHERE type = 'stale_column' AND site = ? AND key = ? "
                    "ORDER BY id DESC LIMIT 1",
                    [site, key],
                )
            ),
            None,
        )
        if row is None:
            return False
        fresh = self._store.db.execute(
            "SELECT 1 FROM column_health WHERE site = ? AND column_url = ? AND stale = 0 AND run_id > ? "
            "LIMIT 1",
            [site, column_url, row["run_id"] or 0],
        ).fetchone()
        return fresh is None

    def stale_columns(self, run_id: int) -> int:
        """Columns found stale in run ``run_id``."""
        row = self._one("SELECT count(*) AS n FROM column_health WHERE run_id = ? AND stale = 1", [run_id])
        return int(row["n"])

    # -- the link inventory ------------------------------------------------------------------------
    def releases_to_sync(self, site: str) -> list[ReleaseLinks]:
        """Releases of ``site`` whose current version's links were not read yet."""
        rows = self._store.db.query(
            "SELECT r.key, r.current_version, v.fields, v.body FROM releases r "
            "JOIN versions v ON v.key = r.key AND v.version = r.current_version "
            "LEFT JOIN release_link_sync s ON s.site = r.site AND s.key = r.key "
            "WHERE r.site = ? AND (s.version IS NULL OR s.version != r.current_version)",
            [site],
        )
        return [
            ReleaseLinks(row["key"], int(row["current_version"]), unpack_fields(row["fields"], row["body"]))
            for row in rows
        ]

    def replace_links(self, site: str, release: ReleaseLinks, links: list[LinkRow], ts: str) -> None:
        """The links of a release's current version replace those of its earlier one; a link it
        carried before keeps its ``first_seen``."""
        with self._store._write() as db:
            before = {
                (r["url"], r["kind"]): r["first_seen"]
                for r in select(
                    db,
                    "SELECT url, kind, first_seen FROM release_links WHERE site = ? AND key = ?",
                    [site, release.key],
                )
            }
            db.execute("DELETE FROM release_links WHERE site = ? AND key = ?", [site, release.key])
            for link in links:
                db.execute(
                    "INSERT INTO release_links (site, key, version, kind, text, url, host, offsite, "
                    "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        site,
                        release.key,
                        release.version,
                        link.kind,
                        link.text,
                        link.url,
                        link.host,
                        int(link.offsite),
                        before.get((link.url, link.kind), ts),
                        ts,
                    ],
                )
            db.execute(
                "INSERT INTO release_link_sync (key, site, version, synced_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (site, key) DO UPDATE SET version = excluded.version, "
                "synced_at = excluded.synced_at",
                [release.key, site, release.version, ts],
            )

    def touch_live_links(self, site: str, ts: str) -> None:
        """Links still carried by a live release were seen again now."""
        with self._store._write() as db:
            db.execute(
                "UPDATE release_links SET last_seen = ? WHERE site = ? AND key IN "
                "(SELECT key FROM releases WHERE site = ? AND status = 'live')",
                [ts, site, site],
            )

    def due_links(self, site: str, now: datetime, recheck_after: timedelta, limit: int) -> list[DueLink]:
        """At most ``limit`` URLs of ``site``'s live releases to check now: never-checked ones first,
        then those whose last check is older than ``recheck_after`` (oldest first); attachments before
        links within each group. Attachments the crawl fetches (``attachment_urls``) are not: their
        fetch is their check."""
        if limit <= 0:
            return []
        cutoff = (now - recheck_after).isoformat(timespec="seconds")
        rows = self._store.db.query(
            "SELECT l.url, max(l.kind = 'attachment') AS attachment, min(l.host) AS host, "
            "max(l.offsite) AS offsite, s.checked_at AS last_checked "
            "FROM release_links l JOIN releases r ON r.key = l.key AND r.status = 'live' "
            "LEFT JOIN link_status s ON s.site = l.site AND s.url = l.url "
            "WHERE l.site = ? AND l.url NOT IN (SELECT url FROM attachment_urls) "  # fetched by the crawl
            "GROUP BY l.url HAVING last_checked IS NULL OR last_checked < ? "
            "ORDER BY last_checked IS NOT NULL, attachment DESC, last_checked, l.url LIMIT ?",
            [site, cutoff, limit],
        )
        return [
            DueLink(
                url=r["url"],
                kind="attachment" if r["attachment"] else "link",
                host=r["host"],
                offsite=bool(r["offsite"]),
                last_checked=r["last_checked"],
            )
            for r in rows
        ]

    def record_link_check(
        self,
        site: str,
        run_id: int | None,
        link: DueLink,
        *,
        method: str,
        status: int | None,
        ok: bool,
        error: str | None,
        elapsed: float,
        ts: str,
    ) -> None:
        """Keep one check (``link_checks``) and the URL's latest state (``link_status``)."""
        values = [site, link.url, link.kind, link.host, int(link.offsite), method, status, int(ok), error]
        with self._store._write() as db:
            write_link_check(db, values, elapsed=elapsed, ts=ts, run_id=run_id)

    def broken_links(self, key: str) -> list[dict[str, Any]]:
        """Links and attachments of release ``key`` whose latest check failed."""
        return list(
            self._store.db.query(
                "SELECT kind, text, url, status, error, checked_at, checks FROM broken_links "
                "WHERE key = ? ORDER BY kind = 'link', url",
                [key],
            )
        )

    # -- the scorecard's figures -------------------------------------------------------------------
    def metadata_counts(self, site: str) -> dict[str, int]:
        """Live releases of ``site``, and how many lack a 索引号, a publisher, a date."""
        row = self._one(
            "SELECT count(*) AS releases, "
            "sum(coalesce(trim(index_no), '') = '') AS missing_index_no, "
            "sum(coalesce(trim(publisher), '') = '') AS missing_publisher, "
            "sum(coalesce(written_date, published_at, '') = '') AS missing_date "
            "FROM releases WHERE site = ? AND status = 'live'",
            [site],
        )
        return {k: int(v or 0) for k, v in row.items()}

    def link_counts(self, site: str) -> dict[str, int]:
        """Distinct link URLs of ``site``'s live releases: attachments, checked, broken by their
        latest check, off-site, and the off-site hosts."""
        row = self._one(
            "SELECT count(DISTINCT l.url) AS links, "
            "count(DISTINCT CASE WHEN l.kind = 'attachment' THEN l.url END) AS attachments, "
            "count(DISTINCT CASE WHEN s.url IS NOT NULL THEN l.url END) AS links_checked, "
            "count(DISTINCT CASE WHEN s.ok = 0 THEN l.url END) AS links_broken, "
            "count(DISTINCT CASE WHEN s.ok = 0 AND l.kind = 'attachment' THEN l.url END) "
            "AS attachments_broken, "
            "count(DISTINCT CASE WHEN l.offsite = 1 THEN l.url END) AS offsite_links, "
            "count(DISTINCT CASE WHEN l.offsite = 1 THEN l.host END) AS outbound_hosts "
            "FROM release_links l JOIN releases r ON r.key = l.key AND r.status = 'live' "
            "LEFT JOIN link_status s ON s.site = l.site AND s.url = l.url WHERE l.site = ?",
            [site],
        )
        return {k: int(v or 0) for k, v in row.items()}

    def run_checks(self, run_id: int) -> tuple[int, int]:
        """``(checks, broken)``: the link checks made in run ``run_id``."""
        row = self._one(
            "SELECT count(*) AS checks, coalesce(sum(ok = 0), 0) AS broken FROM link_checks WHERE run_id = ?",
            [run_id],
        )
        return int(row["checks"]), int(row["broken"])

    def finished_runs(self, site: str, since: datetime, upto: datetime) -> tuple[int, int]:
        """``(runs, failed)``: runs of ``site`` started in ``[since, upto]`` that ended ok, partial
        or failed."""
        row = self._one(
            "SELECT count(*) AS runs, coalesce(sum(status = 'failed'), 0) AS failed FROM runs "
            "WHERE site = ? AND status IN ('ok', 'partial', 'failed') AND started_at >= ? "
            "AND started_at <= ?",
            [site, since.isoformat(timespec="seconds"), upto.isoformat(timespec="seconds")],
        )
        return int(row["runs"]), int(row["failed"])

    def watched(self) -> dict[str, list[WatchedColumn]]:
        """The sites crawled into this database (in the order of their first run) and their columns,
        each with the kind and ``stale_after`` its latest health check used."""
        db = self._store.db
        out: dict[str, list[WatchedColumn]] = {
            r["site"]: [] for r in db.query("SELECT site FROM runs GROUP BY site ORDER BY min(id)")
        }
        rows = db.query(
            "SELECT c.site, c.column_url, c.name, h.kind, h.stale_after_days FROM columns c "
            "LEFT JOIN column_health h ON h.id = (SELECT max(id) FROM column_health "
            "WHERE site = c.site AND column_url = c.column_url) ORDER BY c.id"
        )
        for r in rows:
            out.setdefault(r["site"], []).append(
                WatchedColumn(r["site"], r["column_url"], r["name"], r["kind"], r["stale_after_days"])
            )
        return out

    def last_run_at(self, site: str) -> str | None:
        """``started_at`` of the site's latest run that was not skipped (as stored)."""
        row = self._one(
            "SELECT max(started_at) AS at FROM runs WHERE site = ? AND status != 'skipped'", [site]
        )
        return row["at"]

    def record_site_health(self, row: dict[str, Any]) -> None:
        """One ``site_health`` row (the run's scorecard), replacing an earlier one of the same run."""
        names = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" for _ in row)
        with self._store._write() as db:
            db.execute(f"INSERT OR REPLACE INTO site_health ({names}) VALUES ({marks})", list(row.values()))


def write_link_check(
    db: Database, values: list[Any], *, elapsed: float | None, ts: str, run_id: int | None
) -> None:
    """Keep one check (``link_checks``) and the URL's latest state (``link_status``). ``values``:
    site, url, kind, host, offsite, method, status, ok, error — as the two tables name them."""
    ok = bool(values[7])
    db.execute(
        "INSERT INTO link_checks (site, url, kind, host, offsite, method, status, ok, error, "
        "elapsed, checked_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*values, elapsed, ts, run_id],
    )
    db.execute(
        "INSERT INTO link_status (site, url, kind, host, offsite, method, status, ok, error, "
        "checked_at, run_id, checks, broken_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) "
        "ON CONFLICT (site, url) DO UPDATE SET kind = excluded.kind, host = excluded.host, "
        "offsite = excluded.offsite, method = excluded.method, status = excluded.status, "
        "ok = excluded.ok, error = excluded.error, checked_at = excluded.checked_at, "
        "run_id = excluded.run_id, checks = link_status.checks + 1, "
        "broken_since = CASE WHEN excluded.ok = 1 THEN NULL "
        "ELSE coalesce(link_status.broken_since, excluded.checked_at) END",
        [*values, ts, run_id, None if ok else ts],
    )
