"""``Store.record``: one fetch → the fetch row, any new version, and the events it proves.

Runs inside the caller's transaction; nothing here commits. See docs/ARCHITECTURE.md, "Identity,
versions, events" for the rules this module implements.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from crawler.model import AttachmentFetch, Event, Fetch, Flag, Release
from crawler.store import acks, evidence
from crawler.store import attachments as files
from crawler.store.codec import (
    compress,
    content_hash,
    dumps,
    index_write,
    insert,
    loads,
    pack_fields,
    select_one,
    unpack_fields,
)
from crawler.store.diffing import char_diff, diff_details, short_diff, version_text
from crawler.store.events import emit
from crawler.store.search import bigrams

RELEASE_FIELDS = (
    "index_no",
    "title",
    "publisher",
    "written_date",
    "published_at",
    "doc_number",
    "category",
    "validity",
    "unified_no",
    "site_name",
    "column",
)


def _one(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    return select_one(db, sql, params)


def _critical(flags: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(f["rule"], f.get("evidence") or "") for f in flags if f.get("severity") == "critical"}


def _first_sight_baseline(baseline: bool, flags: list[dict[str, Any]]) -> bool:
    """A ``tampered`` event on a baseline fetch (a column's first run) is baseline too — what a site
    already showed before watching began is stored and browsable, not pushed — unless one of its
    flags is certain defacement (spam brand forms and pitches, junk preambles, search-engine
    redirects, spam link farms), which is reported at once."""
    return baseline and not any(f.get("certain") for f in flags)


def update_search(
    db: Database,
    key: str,
    title: str | None,
    body: str | None,
    *,
    new_rowid: int | None = None,
    lists_files: bool = True,
) -> None:
    """Rewrite the release's row of ``releases_fts`` (its rowid is ``releases.id``); the body's
    bigrams take in the text of the attachments its current version lists. ``new_rowid``: the
    release was inserted just now with this id, so it has no row yet. ``lists_files``: False when
    its current version lists no attachment (no texts to read)."""
    rowid = new_rowid or db.execute("SELECT id FROM releases WHERE key = ?", [key]).fetchone()[0]
    if lists_files:
        body = "\n".join([body or "", *files.texts(db, key)])
    if new_rowid is None:
        index_write(db, "DELETE FROM releases_fts WHERE rowid = ?", [rowid])
    index_write(
        db,
        "INSERT INTO releases_fts (rowid, key, title_bigrams, body_bigrams) VALUES (?, ?, ?, ?)",
        [rowid, key, bigrams(title), bigrams(body)],
    )


class FetchRecorder:
    """Records one fetch; ``events`` collects what it proved, ``keep_raw`` whether its HTML is evidence."""

    def __init__(
        self,
        db: Database,
        fetch: Fetch,
        ts: str,
        fail_after: int,
        attachments: list[AttachmentFetch] | None = None,
    ) -> None:
        self.db = db
        self.attachments = attachments or []
        self.fetch = fetch
        self.ts = ts
        self.fail_after = fail_after
        self.events: list[Event] = []
        self.key: str | None = None
        self.keep_raw = False
        self.content_hash: str | None = None  # of the page read, for its evidence
        self.new_version: int | None = None  # the version this fetch's body became
        self.fetch_id: int | None = None  # the fetch's row, once written
        self._outcome = fetch.outcome
        self._flags: list[Flag] = []

    # -- events ---------------------------------------------------------------------------------
    def emit(self, type_: str, rel: dict[str, Any], **extra: Any) -> None:
        fields: dict[str, Any] = {
            "index_no": rel.get("index_no"),
            "url": self.fetch.url,
            "title": rel.get("title"),
            "column": self.fetch.column or rel.get("column"),
            "version": rel.get("current_version"),
            "run_id": self.fetch.run_id,
        }
        fields.update(extra)
        self.events.append(
            emit(self.db, type_, site=self.fetch.site, key=rel["key"], created_at=self.ts, **fields)
        )

    # -- dispatch -------------------------------------------------------------------------------
    def record(self, release: Release | None, flags: list[Flag]) -> None:
        outcome = self.fetch.outcome
        files.store_files(self.db, self.attachments, self.ts)
        if outcome == "ok" and release is not None and not release.is_release:
            outcome = "gone" if release.not_release_reason == "gone" else "error"
        self._outcome, self._flags = outcome, flags
        if outcome == "ok" and release is not None and release.key:
            self._ok(release, [f.to_dict() for f in flags])
        elif outcome == "not_modified":
            self._not_modified()
        elif outcome == "gone":
            self._gone()
        else:
            self._failed()
        if self.attachments:
            self._attachments()
        if self.fetch_id is None:
            self._write_fetch()

    def _attachments(self) -> None:
        """Store the release's attachment fetches; their failure streaks raise ``fetch_failed``."""
        proved = files.record_results(
            self.db, self.fetch.site, self.key, self.fetch.run_id, self.attachments, self.ts, self.fail_after
        )
        rel = self._release(self.key) if self.key else None
        if rel is None:
            return
        for type_, result, details in proved:
            self.emit(type_, rel, url=result.url, version=None, details=details)

    def _write_fetch(self) -> int:
        """The fetch's row. A fetch that makes a new version writes it first (``_new_version``): the
        version row then names it as it is inserted, never rewritten for it (an UPDATE rewrites the
        whole row, its body and raw HTML with it)."""
        f, outcome, flags = self.fetch, self._outcome, self._flags
        self.fetch_id = insert(
            self.db,
            "fetches",
            {
                "run_id": f.run_id,
                "site": f.site,
                "url": f.url,
                "status": f.status,
                "bytes": f.nbytes,
                "elapsed": f.elapsed,
                "etag": f.etag,
                "last_modified": f.last_modified,
                "outcome": outcome,
                "error_kind": f.error_kind,
                "not_release_reason": f.not_release_reason,
                "flags": dumps([x.to_dict() for x in flags]),
                "fetched_at": self.ts,
                "key": self.key,
                "raw_html": compress(f.body) if self.keep_raw else None,
                "evidence": evidence.encode(f, self.content_hash if self.keep_raw else None)
                if self.keep_raw or self.new_version
                else None,
            },
        )
        return self.fetch_id

    # -- helpers --------------------------------------------------------------------------------
    def _url_row(self) -> dict[str, Any] | None:
        return _one(self.db, "SELECT * FROM release_urls WHERE url = ?", [self.fetch.url])

    def _release(self, key: str) -> dict[str, Any] | None:
        return _one(self.db, "SELECT * FROM releases WHERE key = ?", [key])

    def _version(self, key: str, version: int) -> dict[str, Any]:
        row = _one(self.db, "SELECT * FROM versions WHERE key = ? AND version = ?", [key, version])
        assert row is not None, (key, version)
        return row

    def _new_version(self, release: Release, h: str, flags: list[dict[str, Any]], number: int) -> None:
        self.new_version = number  # before the fetch's row: its evidence says the version holds its body
        fetch_id = self._write_fetch()
        version_id = insert(
            self.db,
            "versions",
            {
                "key": self.key or release.key,
                "version": number,
                "content_hash": h,
                "fields": pack_fields(release.to_dict(), release.body_text),
                "body": release.body_text,
                "raw_html": compress(self.fetch.body),
                "normalizer_version": release.normalizer_version,
                "flags": dumps(flags),
                "first_seen": self.ts,
                "last_seen": self.ts,
                "run_id": self.fetch.run_id,
                "url": self.fetch.url,
                "fetch_id": fetch_id,  # the version's raw HTML is this fetch's: kept once, here
            },
        )
        files.link_version(self.db, version_id, release.attachments, new=True)

    def _learned(self, release: Release, rel: dict[str, Any], h: str, flags: list[dict[str, Any]]) -> bool:
        """Whether the only difference from the current version is files fetched for the first time
        (attachments of a version stored before they were fetched, or that failed then): then the
        current version takes their digests in place — the site changed nothing, no event."""
        current = self._version(rel["key"], rel["current_version"])
        known = {
            row["url"]: row["sha256"]
            for row in self.db.query(
                "SELECT url, sha256 FROM version_attachments WHERE version_id = ?", [current["id"]]
            )
        }
        masked = Release.from_dict(release.to_dict())
        masked.attachments = [
            {k: v for k, v in a.items() if k != "sha256"} if not known.get(a.get("url") or "") else a
            for a in release.attachments
        ]
        masked.content_hash = None
        if content_hash(masked) != rel["content_hash"]:
            return False
        self.db.execute(
            "UPDATE versions SET content_hash = ?, fields = ?, flags = ? WHERE id = ?",
            [h, pack_fields(release.to_dict(), release.body_text), dumps(flags), current["id"]],
        )
        files.link_version(self.db, current["id"], release.attachments)
        self.db.execute("UPDATE releases SET content_hash = ? WHERE key = ?", [h, rel["key"]])
        rel["content_hash"] = h
        update_search(self.db, rel["key"], release.title, release.body_text)
        return True

    def _release_fields(self, release: Release, h: str) -> dict[str, Any]:
        row = {name: getattr(release, name) for name in RELEASE_FIELDS}
        row["content_hash"] = h
        return row

    def _answered(self, url_row: dict[str, Any], rel: dict[str, Any]) -> None:
        """The URL answered: its failure streak ends (``fetch_recovered`` after ``fetch_failed``)."""
        if url_row["fail_reported"]:
            self.emit("fetch_recovered", rel, version=None)
        self.db.execute(
            "UPDATE release_urls SET fail_streak = 0, fail_reported = 0 WHERE url = ?", [url_row["url"]]
        )

    def _restore_if_removed(self, rel: dict[str, Any]) -> None:
        if rel["status"] == "removed":
            self.db.execute(
                "UPDATE releases SET status = 'live', removed_at = NULL WHERE key = ?", [rel["key"]]
            )
            self.emit("restored", rel)
            rel["status"] = "live"

    def _listing(self) -> dict[str, Any]:
        f = self.fetch
        return {
            k: v
            for k, v in {"column": f.column, "column_url": f.column_url, "list_date": f.list_date}.items()
            if v is not None
        }

    # -- outcomes -------------------------------------------------------------------------------
    def _ok(self, release: Release, flags: list[dict[str, Any]]) -> None:
        f, db, ts = self.fetch, self.db, self.ts
        key = release.key
        assert key is not None
        if release.index_no is None:
            # a known page that lost its 索引号 is still that release (a change), not a new `url:` one
            known = self._url_row()
            if known is not None and not str(known["key"]).startswith("url:"):
                key = known["key"]
        self.key = key
        h = content_hash(release)
        self.content_hash = h
        critical = _critical(flags)
        rel = self._release(key)
        if rel is None:
            row = self._release_fields(release, h)
            row.update(
                key=key,
                url=f.url,
                site=f.site,
                first_seen=ts,
                last_seen=ts,
                current_version=1,
                status="live",
            )
            rowid = insert(db, "releases", row)
            self._new_version(release, h, flags, 1)
            db.execute("DELETE FROM release_urls WHERE url = ?", [f.url])
            self._insert_url(key, h, critical)
            update_search(
                db,
                key,
                release.title,
                release.body_text,
                new_rowid=rowid,
                lists_files=bool(release.attachments),
            )
            self.emit("new", row, baseline=f.baseline, flags=flags)
            reported = critical - acks.acknowledged(db, key) if critical else set()
            if reported:
                evidence = [x for x in flags if (x["rule"], x.get("evidence") or "") in reported]
                self.emit(
                    "tampered", row, flags=evidence, baseline=_first_sight_baseline(f.baseline, evidence)
                )
            return

        url_row = self._url_row()
        if url_row is None or url_row["key"] != key:
            if url_row is not None:  # the URL now carries another release
                db.execute("DELETE FROM release_urls WHERE url = ?", [f.url])
            current = self._version(key, rel["current_version"])
            self._insert_url(key, None, _critical(loads(current["flags"], [])))
            url_row = self._url_row()
            assert url_row is not None
        self._answered(url_row, rel)
        self._restore_if_removed(rel)
        previous_critical = {tuple(x) for x in loads(url_row["critical_flags"], [])}
        reviewed = acks.acknowledged(db, key)

        changed = False
        if f.url == rel["url"]:  # the first URL: its content is the release's current version
            if h == rel["content_hash"] or self._learned(release, rel, h, flags):
                db.execute(
                    "UPDATE versions SET last_seen = ? WHERE key = ? AND version = ?",
                    [ts, key, rel["current_version"]],
                )
            else:
                changed = True
                self._change(release, rel, h, flags)
        elif h != rel["content_hash"] and not url_row["conflict_reported"]:
            current = self._version(key, rel["current_version"])
            ops = char_diff(
                version_text(unpack_fields(current["fields"], current["body"])),
                version_text(release.to_dict()),
            )
            self.emit(
                "conflict",
                rel,
                details={
                    "first_url": rel["url"],
                    "first_hash": rel["content_hash"],
                    "other_url": f.url,
                    "other_hash": h,
                    "diff": short_diff(ops),
                },
            )
            db.execute("UPDATE release_urls SET conflict_reported = 1 WHERE url = ?", [f.url])
        elif h == rel["content_hash"] and url_row["conflict_reported"]:
            db.execute("UPDATE release_urls SET conflict_reported = 0 WHERE url = ?", [f.url])

        new_critical = critical - previous_critical - reviewed
        if new_critical:
            evidence = [x for x in flags if (x["rule"], x.get("evidence") or "") in new_critical]
            rel_now = self._release(key) or rel
            self.emit(
                "tampered", rel_now, flags=evidence, baseline=_first_sight_baseline(f.baseline, evidence)
            )
            if not changed:
                self.keep_raw = True

        listing = self._listing()
        sets = ", ".join(f'"{k}" = :{k}' for k in listing)
        db.execute(
            "UPDATE release_urls SET last_seen = :ts, last_ok_at = :ts, etag = :etag, "
            "last_modified = :lm, content_hash = :h, critical_flags = :crit, gone_streak = 0, "
            "gone_run = NULL" + (", " + sets if sets else "") + " WHERE url = :url",
            {
                "ts": ts,
                "etag": f.etag,
                "lm": f.last_modified,
                "h": h,
                "crit": dumps(sorted(critical)),
                "url": f.url,
                **listing,
            },
        )
        db.execute("UPDATE releases SET last_seen = ? WHERE key = ?", [ts, key])

    def _change(self, release: Release, rel: dict[str, Any], h: str, flags: list[dict[str, Any]]) -> None:
        db, key = self.db, rel["key"]
        before = self._version(key, rel["current_version"])
        same = _one(
            db,
            "SELECT version FROM versions WHERE key = ? AND content_hash = ? ORDER BY version DESC LIMIT 1",
            [key, h],
        )
        before_fields = unpack_fields(before["fields"], before["body"])
        details = diff_details(before_fields, release.to_dict())
        changed_files = files.changes(db, before_fields.get("attachments") or [], release.attachments)
        if changed_files:
            details["attachments"] = changed_files
            details["diff"] = "\n".join(x for x in (files.describe(changed_files), details.get("diff")) if x)
        if same is None:
            number = (_one(db, "SELECT max(version) AS n FROM versions WHERE key = ?", [key]) or {})["n"] + 1
            self._new_version(release, h, flags, number)
        else:  # back to an earlier version's content
            number = same["version"]
            details["reverted_to"] = number
            db.execute(
                "UPDATE versions SET last_seen = ? WHERE key = ? AND version = ?", [self.ts, key, number]
            )
        fields = self._release_fields(release, h)
        fields["current_version"] = number
        sets = ", ".join(f'"{k}" = :{k}' for k in fields)
        db.execute(f"UPDATE releases SET {sets} WHERE key = :key", {**fields, "key": key})
        update_search(db, key, release.title, release.body_text)
        self.emit(
            "changed",
            {**rel, **fields},
            version_before=rel["current_version"],
            flags=flags,
            details=details,
        )

    def _insert_url(self, key: str, h: str | None, critical: set[tuple[str, str]]) -> None:
        f = self.fetch
        insert(
            self.db,
            "release_urls",
            {
                "url": f.url,
                "key": key,
                "site": f.site,
                "column": f.column,
                "column_url": f.column_url,
                "list_date": f.list_date,
                "first_seen": self.ts,
                "last_seen": self.ts,
                "last_ok_at": self.ts,
                "etag": f.etag,
                "last_modified": f.last_modified,
                "content_hash": h,
                "critical_flags": dumps(sorted(critical)),
            },
        )

    def _known(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        url_row = self._url_row()
        if url_row is None:
            return None
        rel = self._release(url_row["key"])
        assert rel is not None
        self.key = rel["key"]
        return url_row, rel

    def _not_modified(self) -> None:
        known = self._known()
        if known is None:
            return
        url_row, rel = known
        self._answered(url_row, rel)
        self._restore_if_removed(rel)
        self.db.execute(
            "UPDATE release_urls SET last_seen = :ts, last_ok_at = :ts, gone_streak = 0, gone_run = NULL "
            "WHERE url = :url",
            {"ts": self.ts, "url": self.fetch.url},
        )
        self.db.execute("UPDATE releases SET last_seen = ? WHERE key = ?", [self.ts, rel["key"]])
        if self.fetch.url == rel["url"]:
            self.db.execute(
                "UPDATE versions SET last_seen = ? WHERE key = ? AND version = ?",
                [self.ts, rel["key"], rel["current_version"]],
            )

    def _gone(self) -> None:
        known = self._known()
        if known is None:
            return
        url_row, rel = known
        self._answered(url_row, rel)
        run = self.fetch.run_id
        if run is None or url_row["gone_run"] != run:
            self.db.execute(
                "UPDATE release_urls SET gone_streak = gone_streak + 1, gone_run = ? WHERE url = ?",
                [run, url_row["url"]],
            )
        if rel["status"] == "removed":
            return
        alive = _one(
            self.db,
            "SELECT count(*) AS n FROM release_urls WHERE key = ? AND gone_streak < 2",
            [rel["key"]],
        )
        if alive is not None and alive["n"] == 0:
            self.db.execute(
                "UPDATE releases SET status = 'removed', removed_at = ? WHERE key = ?", [self.ts, rel["key"]]
            )
            self.emit("removed", rel)

    def _failed(self) -> None:
        known = self._known()
        if known is None:
            return
        url_row, rel = known
        run = self.fetch.run_id
        if run is not None and url_row["fail_run"] == run:
            return
        streak = url_row["fail_streak"] + 1
        self.db.execute(
            "UPDATE release_urls SET fail_streak = ?, fail_run = ? WHERE url = ?",
            [streak, run, url_row["url"]],
        )
        if streak >= self.fail_after and not url_row["fail_reported"]:
            self.db.execute("UPDATE release_urls SET fail_reported = 1 WHERE url = ?", [url_row["url"]])
            self.emit(
                "fetch_failed",
                rel,
                version=None,
                details={"streak": streak, "error_kind": self.fetch.error_kind, "status": self.fetch.status},
            )
