"""``Store``: the SQLite database of releases, versions, fetches, runs, columns, events and deliveries.

One connection per ``Store``; WAL mode so Datasette reads while a crawl writes; ``busy_timeout`` so a
second writer waits. Every write is one transaction (``BEGIN IMMEDIATE``; inside an open one, a
savepoint of it): the write lock is taken up front, so a read-then-write never fails half way on a
busy database, and a process killed at any point leaves whole records only.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.clock import now, now_iso, parse_iso
from crawler.model import AttachmentFetch, Event, Fetch, Flag, Release
from crawler.store import acks, outbox, parts, upgrade
from crawler.store import attachments as attachment_rows
from crawler.store.archive import ArchiveReader
from crawler.store.attachments import AttachmentState
from crawler.store.codec import (
    decompress,
    dumps,
    event_from_row,
    insert,
    loads,
    savepoint,
    select_one,
    unpack_fields,
)
from crawler.store.columns import record_column, typical_items
from crawler.store.diffing import changed_fields, char_diff, version_text
from crawler.store.evidence import StoredPage, stored_pages
from crawler.store.files import DatabaseUnusable, check_file, check_govwatch, connect_read_only, lock_folder
from crawler.store.group import INTERVAL, MAX_WRITES, GroupCommit
from crawler.store.health import HealthTables
from crawler.store.ledger import RunLedger, UrlState
from crawler.store.record import FetchRecorder
from crawler.store.reparse import STATS, reparse_release
from crawler.store.schema import MIGRATIONS
from crawler.store.search import search_query

RUN_STATUSES = ("running", "ok", "partial", "failed", "skipped")


#: a column run (``cr``) that read its listing to the end, or to ``max_list_pages`` (older runs: ok):
#: once a column has one, its baseline is done
_BASELINE_DONE = "coalesce(cr.complete, cr.ok) = 1"


class StoreError(Exception):
    """A request the store cannot answer (unknown release, bad version…); the message names it."""


class UnusableDatabase(StoreError):
    """The file is not one govwatch can use (not SQLite, another program's, unreadable)."""


class UnknownRelease(StoreError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown release"


class Store:
    """``read_only=True``: an existing database opened for reading only (no migrations, no WAL switch):
    what ``history``, ``diff``, ``releases``, ``report`` and ``health`` use, so they work on a file
    they may not write. ``UnusableDatabase`` for a file that is not a govwatch database."""

    def __init__(self, path: str | Path, *, timeout: float = 30, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        #: the open group commit, if any (``group_commit()``): ledgers queue their writes into it
        self.group: GroupCommit | None = None
        self.health = HealthTables(self)
        try:
            check_file(self.path)
            if read_only:
                self.db = Database(connect_read_only(self.path, timeout))
                check_govwatch(self.db, self.path, MIGRATIONS.name)
                if MIGRATIONS.pending(self.db):
                    self._upgrade(timeout)
                return
        except DatabaseUnusable as exc:
            raise UnusableDatabase(str(exc)) from None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self.db = Database(conn)
        try:
            check_govwatch(self.db, self.path, MIGRATIONS.name)
        except DatabaseUnusable as exc:
            conn.close()
            raise UnusableDatabase(str(exc)) from None
        self._open(timeout)

    def _upgrade(self, timeout: float) -> None:
        """A read-only open of a file an older govwatch wrote: migrate it once (when it can be
        written), then read it again."""
        self.db.close()
        try:
            Store(self.path, timeout=timeout).close()
        except sqlite3.Error as exc:
            raise DatabaseUnusable(
                f"{self.path} was written by an older govwatch and cannot be upgraded here ({exc}); "
                "run `govwatch crawl` once where it can be written"
            ) from None
        self.db = Database(connect_read_only(self.path, timeout))

    def _open(self, timeout: float) -> None:
        """WAL mode and migrations. Switching a new file to WAL needs a moment alone with it, which
        a second process opening the same new file at once may not get: retry within ``timeout``."""
        deadline = time.monotonic() + timeout
        for attempt in itertools.count(1):
            try:
                self.db.enable_wal()
                self.db.execute("PRAGMA synchronous = NORMAL")
                self.db.execute("PRAGMA foreign_keys = ON")
                with self._write():  # two processes opening one new file migrate it once
                    MIGRATIONS.apply(self.db)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(min(1.0, 0.05 * attempt))

    @property
    def lock_dir(self) -> Path:
        """Where lock files for this database go (``crawler.store.files.lock_folder``)."""
        return lock_folder(self.path.resolve())

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def group_commit(self, interval: float = INTERVAL, max_writes: int = MAX_WRITES) -> GroupCommit:
        """Queue the writes of the ledgers made from now on and commit them together, one
        transaction per ``interval`` seconds (``crawler/store/group.py``); ``close()`` (or the end of
        a ``with`` block) commits what is left."""
        if self.group is not None:
            raise StoreError("a group commit is already open on this store")
        self.group = GroupCommit(self, interval, max_writes)
        return self.group

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Several store calls as one transaction: every write inside commits together at the end, or
        none does when the block raises. Store calls made inside join it (each one a savepoint, so a
        call that fails leaves the others' writes in place). The write lock is taken at once."""
        with self._write():
            yield

    @contextlib.contextmanager
    def _write(self) -> Iterator[Database]:
        """One write transaction, the write lock first (waiting up to ``timeout``); inside an open
        transaction, a savepoint of it."""
        if self.db.conn.in_transaction:
            with savepoint(self.db):
                yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def check(self) -> None:
        """Read the events table: ``sqlite3.DatabaseError`` when the file is not a readable govwatch
        database."""
        self.db.execute("SELECT count(*) FROM events").fetchone()

    # -- runs ------------------------------------------------------------------------------------
    def start_run(self, site: str) -> int:
        with self._write() as db:
            return int(insert(db, "runs", {"site": site, "started_at": now_iso(), "status": "running"}))

    def unfinished_runs(self, site: str, after_id: int = 0) -> list[int]:
        """Runs of ``site`` still ``running`` (id above ``after_id``): with the site's lock held, crawls
        that were killed before finishing their run."""
        rows = self.db.query(
            "SELECT id FROM runs WHERE site = ? AND status = 'running' AND id > ? ORDER BY id",
            [site, after_id],
        )
        return [int(r["id"]) for r in rows]

    def site_runs_after(self, site: str, after_id: int) -> list[dict[str, Any]]:
        """``site``'s runs with an id above ``after_id`` (id and status), oldest first."""
        return list(
            self.db.query(
                "SELECT id, status FROM runs WHERE site = ? AND id > ? ORDER BY id", [site, after_id]
            )
        )

    def runs_after(self, after_id: int) -> list[dict[str, Any]]:
        """Every run with an id above ``after_id`` (id, site, status), oldest first."""
        return list(self.db.query("SELECT id, site, status FROM runs WHERE id > ? ORDER BY id", [after_id]))

    def last_run_id(self) -> int:
        """The highest run id in the database (0 when there is none)."""
        row = self.db.execute("SELECT max(id) FROM runs").fetchone()
        return int(row[0] or 0)

    def last_started(self, site: str) -> datetime | None:
        """The latest ``started_at`` of ``site``'s runs (any status), compared as instants."""
        rows = self.db.query("SELECT started_at FROM runs WHERE site = ?", [site])
        times = [parse_iso(r["started_at"]) for r in rows if r["started_at"]]
        return max(times, default=None)

    def needs_full_listing(self, site: str, before_run: int) -> bool:
        """Whether ``site``'s last run before ``before_run`` may have left listed items unfetched:
        it never finished (killed), failed, was cut short by a bound or ended early, or a list page
        or a not-yet-known URL failed. Early stop trusts that everything below a page of known items
        is known; after such a run that is not so, and every list page must be read again."""
        prev = next(
            iter(
                self.db.query(
                    "SELECT id, status, counts FROM runs WHERE site = ? AND id < ? AND status != 'skipped' "
                    "ORDER BY id DESC LIMIT 1",
                    [site, before_run],
                )
            ),
            None,
        )
        if prev is None or prev["status"] == "ok":
            return False
        if prev["status"] != "partial":
            return True
        try:
            counts = json.loads(prev["counts"] or "{}")
        except ValueError:
            counts = {}
        if counts.get("bounded") or counts.get("finish_reason") not in (None, "finished"):
            return True
        unresolved = self.db.execute(
            "SELECT 1 FROM fetches WHERE run_id = ? AND outcome = 'error' AND key IS NULL "
            "UNION ALL SELECT 1 FROM column_runs WHERE run_id = ? AND error IS NOT NULL LIMIT 1",
            [prev["id"], prev["id"]],
        ).fetchone()
        return unresolved is not None

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any] | None = None) -> None:
        """``stats``: ``requests``, ``bytes``, ``notes`` (a dict) and any counts; event counts of the run
        are added from the events table."""
        if status not in RUN_STATUSES:
            raise StoreError(f"unknown run status {status!r}")
        stats = dict(stats or {})
        with self._write() as db:
            counts = {
                row["type"]: row["n"]
                for row in db.query(
                    "SELECT type, count(*) AS n FROM events WHERE run_id = ? GROUP BY type", [run_id]
                )
            }
            requests = int(stats.pop("requests", 0) or 0)
            nbytes = int(stats.pop("bytes", 0) or 0)
            notes = stats.pop("notes", {}) or {}
            extra = stats.pop("counts", {}) or {}
            counts.update(extra)
            counts.update(stats)
            db.table("runs").update(
                run_id,
                {
                    "finished_at": now_iso(),
                    "status": status,
                    "requests": requests,
                    "bytes": nbytes,
                    "counts": dumps(counts),
                    "notes": dumps(notes),
                },
            )

    def run(self, run_id: int) -> dict[str, Any] | None:
        row = next(iter(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id])), None)
        if row:
            row["counts"], row["notes"] = loads(row["counts"], {}), loads(row["notes"], {})
        return row

    # -- recording ---------------------------------------------------------------------------------
    def record(
        self,
        fetch: Fetch,
        release: Release | None,
        flags: list[Flag],
        *,
        fail_after: int = 3,
        attachments: list[AttachmentFetch] | None = None,
    ) -> list[Event]:
        """Store one fetch (and any new version, and what its attachments' fetches gave) and return
        the events it proved, in one transaction."""
        ts = fetch.fetched_at or now_iso()
        with self._write() as db:
            recorder = FetchRecorder(db, fetch, ts, fail_after, attachments)
            recorder.record(release, flags)
        return recorder.events

    def record_column(
        self,
        run_id: int | None,
        site: str,
        column: str | None,
        column_url: str,
        *,
        ok: bool,
        items: int,
        pages: int,
        error: str | None = None,
        fail_after: int = 3,
        layout_threshold: float = 0.5,
        complete: bool | None = None,
    ) -> list[Event]:
        """``complete``: the run read the column's listing to its end (None: as far as ``ok`` says)."""
        with self._write() as db:
            return record_column(
                db,
                now_iso(),
                run_id,
                site,
                column,
                column_url,
                ok=ok,
                items=items,
                pages=pages,
                error=error,
                fail_after=fail_after,
                layout_threshold=layout_threshold,
                complete=complete,
            )

    def outdated(self, site: str, version: int) -> bool:
        """Whether ``site`` has versions written by a normalizer older than ``version``."""
        return bool(upgrade.outdated_keys(self.db, site, version))

    def upgrade(self, site: str, version: int, rederive: upgrade.Rederive) -> dict[str, int]:
        """Re-derive ``site``'s releases that hold a version of a normalizer older than ``version``
        and re-key those that now show their 索引号; no events (crawler/store/upgrade.py). One
        transaction per release; returns counts of releases, versions, rehashed, skipped versions,
        renamed and merged releases."""
        stats: Counter[str] = Counter({name: 0 for name in upgrade.STATS})
        for key in upgrade.outdated_keys(self.db, site, version):
            with self._write() as db:
                upgrade.upgrade_release(db, key, version, rederive, stats)
        return dict(stats)

    def drop_old_raw_html(self, site: str, after: timedelta) -> int:
        """Retention (``retention.raw_html``): drop the raw HTML of ``site``'s versions superseded
        longer than ``after`` ago (their ``last_seen``), keeping it for a release's current version,
        a version with a critical flag and a version a ``tampered`` event names; fields and text stay.
        Returns how many were dropped (``raw_dropped_at`` records when)."""
        rows = self.db.query(
            "SELECT v.id, v.last_seen FROM versions v JOIN releases r ON r.key = v.key "
            "WHERE r.site = ? AND v.version != r.current_version AND v.raw_html IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM json_each(v.flags) f "
            "WHERE json_extract(f.value, '$.severity') = 'critical') "
            "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'tampered' AND e.key = v.key "
            "AND e.version = v.version)",
            [site],
        )
        cutoff = now() - after
        old = [row["id"] for row in rows if parse_iso(row["last_seen"]) < cutoff]
        if old:
            ts = now_iso()
            with self._write() as db:
                db.conn.executemany(
                    "UPDATE versions SET raw_html = NULL, raw_dropped_at = ? WHERE id = ?",
                    [(ts, rowid) for rowid in old],
                )
        return len(old)

    def ack(self, key_or_url: str, rule: str) -> tuple[str, list[str]]:
        """Mark the current critical ``rule`` flags of a release as reviewed (``govwatch ack``):
        ``(key, the evidence reviewed)``; ``StoreError`` when the release has no such flag now."""
        with self._write() as db:
            key = self.resolve(key_or_url)
            evidence = acks.acknowledge(db, key, rule, now_iso())
        if not evidence:
            raise StoreError(f"{key}: no critical {rule!r} flag to acknowledge")
        return key, evidence

    def reparse(self, normalize_fn: Callable[..., Release]) -> dict[str, int]:
        """Re-normalize every stored version's raw HTML; rewrite hashes and fields, emit no events.
        One transaction per release; returns counts of releases, versions, rehashed, unchanged and
        skipped versions."""
        stats: Counter[str] = Counter({name: 0 for name in STATS})
        for key in self.release_keys():
            with self._write() as db:
                reparse_release(db, key, normalize_fn, stats)
        return dict(stats)

    def release_keys(self) -> list[str]:
        """Every release key, sorted."""
        return [row["key"] for row in self.db.query("SELECT key FROM releases ORDER BY key")]

    # -- crawler queries ---------------------------------------------------------------------------
    def known_urls(self, site: str) -> dict[str, UrlState]:
        rows = self.db.query(
            "SELECT u.*, r.written_date, r.published_at, r.status AS release_status "
            "FROM release_urls u JOIN releases r ON r.key = u.key WHERE u.site = ?",
            [site],
        )
        return {
            row["url"]: UrlState(
                url=row["url"],
                key=row["key"],
                column_url=row["column_url"],
                list_date=row["list_date"],
                etag=row["etag"],
                last_modified=row["last_modified"],
                first_seen=row["first_seen"],
                last_ok_at=row["last_ok_at"],
                published=row["written_date"] or (row["published_at"] or "")[:10] or None,
                status=row["release_status"],
            )
            for row in rows
        }

    def attachment_states(self, urls: list[str]) -> dict[str, AttachmentState]:
        """What earlier runs learnt of these attachment URLs, by URL (unknown URLs are absent)."""
        return attachment_rows.states(self.db, list(urls))

    def current_page_for_url(self, url: str) -> bytes | None:
        """The raw HTML of the current version of the release seen at ``url``, when it is kept."""
        row = next(
            iter(
                self.db.query(
                    "SELECT v.raw_html FROM release_urls u JOIN releases r ON r.key = u.key "
                    "JOIN versions v ON v.key = r.key AND v.version = r.current_version WHERE u.url = ?",
                    [url],
                )
            ),
            None,
        )
        return decompress(row["raw_html"]) if row is not None else None

    def version_attachments(self, key_or_url: str) -> dict[int, list[dict[str, Any]]]:
        """Each version's attachments (version number → rows: name, url, sha256, state, warning,
        size, type, text_status), in page order."""
        key = self.resolve(key_or_url)
        out: dict[int, list[dict[str, Any]]] = {}
        for row in self.db.query(
            "SELECT v.version, a.name, a.url, a.sha256, a.state, a.warning, f.size, f.type, f.text_status "
            "FROM versions v JOIN version_attachments a ON a.version_id = v.id "
            "LEFT JOIN attachment_files f ON f.sha256 = a.sha256 WHERE v.key = ? ORDER BY v.version, a.position",
            [key],
        ):
            out.setdefault(int(row.pop("version")), []).append(row)
        return out

    def attachment_file(self, sha256: str) -> tuple[bytes, str] | None:
        """A stored attachment's bytes and sniffed type, by its sha256."""
        row = next(
            iter(self.db.query("SELECT data, type FROM attachment_files WHERE sha256 = ?", [sha256])), None
        )
        if row is None or row["data"] is None:
            return None
        data = decompress(row["data"])
        return (data, str(row["type"])) if data is not None else None

    def current_release_for_url(self, url: str) -> Release | None:
        """The current version of the release seen at ``url`` (integrity's ``previous``), else None."""
        row = select_one(
            self.db,
            "SELECT v.fields, v.body FROM release_urls u JOIN releases r ON r.key = u.key "
            "JOIN versions v ON v.key = r.key AND v.version = r.current_version WHERE u.url = ?",
            [url],
        )
        return Release.from_dict(unpack_fields(row["fields"], row["body"])) if row else None

    def ledger(self, site: str, run_id: int, *, fail_after: int = 3) -> RunLedger:
        """The per-run ledger the crawl of ``site`` reads URL and column state from and records into."""
        return RunLedger(self, site, run_id, fail_after=fail_after)

    def baselined_columns(self, site: str) -> set[str]:
        """Column URLs of ``site`` whose baseline is done (see ``column_baselined``)."""
        rows = self.db.query(
            "SELECT DISTINCT c.column_url FROM column_runs cr JOIN columns c ON c.id = cr.column_id "
            f"WHERE c.site = ? AND {_BASELINE_DONE}",
            [site],
        )
        return {r["column_url"] for r in rows}

    def baselined_sites(self, sites: list[str]) -> set[str]:
        """Those of ``sites`` with at least one column whose baseline is done: a crawl of them reads
        list pages and what is new, not every release (see ``column_baselined``)."""
        found: set[str] = set()
        for start in range(0, len(sites), 500):  # within SQLite's bound on parameters
            chunk = sites[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT DISTINCT c.site FROM columns c WHERE c.site IN ({marks}) AND EXISTS ("
                f"SELECT 1 FROM column_runs cr WHERE cr.column_id = c.id AND {_BASELINE_DONE})",
                chunk,
            )
            found.update(r["site"] for r in rows)
        return found

    def typical_items(self, site: str) -> dict[str, float]:
        """Each column's median first-page item count in its last successful runs (the layout rule)."""
        return typical_items(self.db, site)

    def column_baselined(self, site: str, column_url: str) -> bool:
        """A column's baseline is done once a run read its listing to the end (or to ``max_list_pages``);
        until then what its lists show is the baseline, not news."""
        found = self.db.execute(
            "SELECT 1 FROM column_runs cr JOIN columns c ON c.id = cr.column_id "
            f"WHERE c.site = ? AND c.column_url = ? AND {_BASELINE_DONE} LIMIT 1",
            [site, column_url],
        ).fetchone()
        return found is not None

    def note_listed(
        self, run_id: int, site: str, column_url: str, items: list[tuple[str, str | None]], *, baseline: bool
    ) -> None:
        """Remember release URLs a column list showed (first listing wins: baseline or not)."""
        if not items:
            return
        ts = now_iso()
        with self._write() as db:
            db.conn.executemany(
                "INSERT OR IGNORE INTO listings (url, site, column_url, list_date, first_listed_at, run_id, baseline) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(url, site, column_url, date, ts, run_id, int(baseline)) for url, date in items],
            )

    def baseline_listed(self, site: str) -> set[str]:
        """URLs first listed in a baseline run of their column."""
        return {
            r["url"]
            for r in self.db.query("SELECT url FROM listings WHERE site = ? AND baseline = 1", [site])
        }

    # -- events and the outbox ---------------------------------------------------------------------
    def run_events(self, run_id: int) -> list[Event]:
        return [
            event_from_row(r)
            for r in self.db.query("SELECT * FROM events WHERE run_id = ? ORDER BY id", [run_id])
        ]

    def events(
        self, since: str | None = None, types: list[str] | tuple[str, ...] | None = None
    ) -> list[Event]:
        """Events created at or after ``since`` (ISO 8601), of the given types, oldest first."""
        sql, params = "SELECT * FROM events WHERE 1", []
        if since:
            sql += " AND created_at >= ?"
            params.append(since)
        if types:
            sql += f" AND type IN ({', '.join('?' for _ in types)})"
            params.extend(types)
        return [event_from_row(r) for r in self.db.query(sql + " ORDER BY id", params)]

    def events_with_ids(self, ids: list[int]) -> list[Event]:
        """The events of these ids, oldest first."""
        out: list[Event] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            out += [
                event_from_row(r)
                for r in self.db.query(f"SELECT * FROM events WHERE id IN ({marks}) ORDER BY id", chunk)
            ]
        return sorted(out, key=lambda e: e.id or 0)

    def pending(self, sink: str, *, include_baseline: bool) -> list[Event]:
        return outbox.pending(self.db, sink, include_baseline=include_baseline)

    def claim(self, event_id: int, sink: str) -> bool:
        with self._write() as db:
            return outbox.claim(db, event_id, sink, now_iso())

    def delivered(self, event_id: int, sink: str) -> None:
        with self._write() as db:
            outbox.finish(db, event_id, sink, "delivered", now_iso())

    def failed(self, event_id: int, sink: str, error: str) -> None:
        with self._write() as db:
            outbox.finish(db, event_id, sink, "failed", now_iso(), error)

    def delivery_sinks(self) -> list[str]:
        """Every sink name the outbox has delivery rows for."""
        return outbox.sinks(self.db)

    def adopt_deliveries(self, old: str, new: str) -> int:
        """The outbox rows of sink ``old`` become sink ``new``'s (a sink renamed, not a new one):
        nothing it was sent under the old name is sent again. Returns the rows moved."""
        with self._write() as db:
            return outbox.adopt(db, old, new)

    def skipped(self, event_id: int, sink: str, reason: str) -> None:
        """Settle an event a sink will never send (a baseline event without ``notify_baseline``)."""
        with self._write() as db:
            outbox.finish(db, event_id, sink, "skipped", now_iso(), reason)

    def start_sinks(self, sinks: dict[str, bool]) -> dict[str, int]:
        """Record where each sink (name → ``backfill``) starts, the first time it is seen: a sink
        added to an archive is sent the events after this moment only, unless ``backfill``.
        Returns each sink's start (the event id it starts after; 0: the beginning)."""
        with self._write() as db:
            return {name: outbox.start(db, name, now_iso(), backfill=bf) for name, bf in sinks.items()}

    def skip_events(self, event_ids: list[int], sink: str, reasons: list[str]) -> None:
        """Settle events a sink will never send (its filters drop them), one reason each."""
        if event_ids:
            with self._write() as db:
                outbox.skip_many(db, event_ids, sink, now_iso(), reasons)

    def queue_parts(self, sink: str, digests: list[list[parts.Part]]) -> list[parts.Part]:
        """Store the messages (each digest's parts, in order) ``sink`` is to send; their events leave
        the pending list (``crawler/store/parts.py``)."""
        with self._write() as db:
            return parts.queue(db, sink, digests, now_iso())

    def open_parts(self, sink: str) -> list[parts.Part]:
        return parts.open_parts(self.db, sink)

    def sink_parts(self, sink: str) -> list[parts.Part]:
        """Every message part ``sink`` was given, delivered or not, oldest first."""
        return parts.parts_of(self.db, sink)

    def claim_part(self, part_id: int) -> bool:
        with self._write() as db:
            return parts.claim(db, part_id, now_iso())

    def part_progress(self, part_id: int, sent_to: list[str]) -> None:
        with self._write() as db:
            parts.progress(db, part_id, sent_to, now_iso())

    def part_delivered(self, part_id: int) -> None:
        """The part was accepted everywhere: it and its events are delivered (one transaction)."""
        with self._write() as db:
            parts.done(db, part_id, now_iso())

    def part_failed(self, part_id: int, error: str) -> None:
        with self._write() as db:
            parts.failed(db, part_id, error, now_iso())

    # -- history, diff, search ---------------------------------------------------------------------
    def resolve(self, key_or_url: str) -> str:
        """The release key for a key, a URL it was seen at, or a ``url:`` key; ``UnknownRelease`` else."""
        for sql, arg in (
            ("SELECT key FROM releases WHERE key = ?", key_or_url),
            ("SELECT key FROM release_urls WHERE url = ?", key_or_url),
            ("SELECT key FROM releases WHERE key = ?", "url:" + key_or_url),
        ):
            row = next(iter(self.db.query(sql, [arg])), None)
            if row:
                return str(row["key"])
        raise UnknownRelease(f"no release with key or URL {key_or_url!r} in {self.path}")

    def release(self, key_or_url: str) -> dict[str, Any]:
        key = self.resolve(key_or_url)
        return next(iter(self.db.query("SELECT * FROM releases WHERE key = ?", [key])))

    def release_urls(self, key_or_url: str) -> list[str]:
        """Every URL the release was seen at, first seen first."""
        key = self.resolve(key_or_url)
        rows = self.db.query("SELECT url FROM release_urls WHERE key = ? ORDER BY first_seen", [key])
        return [r["url"] for r in rows]

    def history(self, key_or_url: str) -> list[dict[str, Any]]:
        """Version rows, oldest first: fields and flags decoded, raw HTML left out (see ``raw_html``)."""
        key = self.resolve(key_or_url)
        rows = []
        for row in self.db.query(
            "SELECT id, key, version, content_hash, fields, body, normalizer_version, flags, first_seen, "
            "last_seen, run_id, url FROM versions WHERE key = ? ORDER BY version",
            [key],
        ):
            row["fields"] = unpack_fields(row["fields"], row["body"])
            row["flags"] = loads(row["flags"], [])
            rows.append(row)
        return rows

    def raw_html(self, key_or_url: str, version: int) -> bytes | None:
        key = self.resolve(key_or_url)
        row = next(
            iter(
                self.db.query("SELECT raw_html FROM versions WHERE key = ? AND version = ?", [key, version])
            ),
            None,
        )
        return decompress(row["raw_html"]) if row else None

    def archive(self) -> ArchiveReader:
        """Read-only lookups of releases by 索引号, URL and title, and their versions (``govwatch verify``)."""
        return ArchiveReader(self.db.conn)

    def stored_pages(
        self, *, site: str | None = None, since: str | None = None, key: str | None = None
    ) -> Iterator[StoredPage]:
        """Every stored page with the evidence of its fetch, oldest first (``govwatch export --warc``);
        ``key`` a release key (see ``resolve``), ``since`` an ISO 8601 date or time."""
        return stored_pages(self.db.conn, site=site, since=since, key=key)

    def diff(self, key_or_url: str, from_v: int | None = None, to_v: int | None = None) -> dict[str, Any]:
        """``{key, from, to, fields, ops}``: ``ops`` is a list of ``(-1|0|1, text)`` character-level
        operations from version ``from`` to ``to`` (default: the last two versions)."""
        versions = {row["version"]: row for row in self.history(key_or_url)}
        numbers = sorted(versions)
        to_v = to_v if to_v is not None else numbers[-1]
        if from_v is None:
            earlier = [n for n in numbers if n < to_v]
            from_v = earlier[-1] if earlier else to_v
        for n in (from_v, to_v):
            if n not in versions:
                raise StoreError(f"{key_or_url!r} has no version {n} (versions: {numbers})")
        before, after = versions[from_v]["fields"], versions[to_v]["fields"]
        return {
            "key": versions[to_v]["key"],
            "from": from_v,
            "to": to_v,
            "fields": changed_fields(before, after),
            "ops": char_diff(version_text(before), version_text(after)),
        }

    def search(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Releases matching ``text`` (bigram FTS), best first (bm25; the title weighs more)."""
        query = search_query(text)
        if not query:
            return []
        return list(
            self.db.query(
                "SELECT r.key, r.title, r.url, r.site, r.written_date, r.published_at, r.status, "
                "bm25(releases_fts, 0.0, 5.0, 1.0) AS score "
                "FROM releases_fts JOIN releases r ON r.id = releases_fts.rowid "
                "WHERE releases_fts MATCH ? ORDER BY score LIMIT ?",
                [query, limit],
            )
        )

    def releases(
        self,
        *,
        site: str | None = None,
        since: str | None = None,
        search: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Releases, newest first (by written date, then first seen); ``search`` filters by bigram FTS."""
        sql = (
            "SELECT r.key, r.title, r.url, r.site, r.written_date, r.published_at, r.first_seen, "
            "r.last_seen, r.current_version, r.status FROM releases r"
        )
        where, params = [], []
        if search:
            query = search_query(search)
            if not query:
                return []
            where.append("r.id IN (SELECT rowid FROM releases_fts WHERE releases_fts MATCH ?)")
            params.append(query)
        if site:
            where.append("r.site = ?")
            params.append(site)
        if since:
            where.append("coalesce(r.written_date, substr(r.published_at, 1, 10), r.first_seen) >= ?")
            params.append(since)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += (
            " ORDER BY coalesce(r.written_date, substr(r.published_at, 1, 10), substr(r.first_seen, 1, 10)) "
            "DESC, r.first_seen DESC LIMIT ?"
        )
        return list(self.db.query(sql, [*params, limit]))
