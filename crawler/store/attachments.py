"""Attachments in the store: each distinct file once (``attachment_files``, by sha256, compressed),
what each attachment URL answered last (``attachment_urls``), the files each version lists
(``version_attachments``). Runs inside the caller's transaction (``Store.record``).

- A file's bytes are kept once however many versions and releases list it.
- A URL refused at the size cap is ``too_large``: no bytes, its validators kept (the crawl does not
  read it again until they change); no event.
- A URL that fails (timeout, 5xx, 404 …) keeps its last file and follows the ``fetch_failed`` rule
  of pages: an event after ``fail_after`` runs in a row, ``fetch_recovered`` when it answers again;
  never a removal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from crawler.model import AttachmentFetch, Release
from crawler.store.codec import compress, content_hash, insert, select
from crawler.store.diffing import char_diff, short_diff
from crawler.store.health import write_link_check

#: characters of an attachment's text diff kept in a ``changed`` event
DIFF_LIMIT = 1500


@dataclass(frozen=True)
class AttachmentState:
    """What the crawl needs to know of an attachment URL seen before."""

    url: str
    sha256: str | None
    state: str  # ok | too_large | failed | skipped
    etag: str | None
    last_modified: str | None
    content_length: int | None
    kind: str | None = None
    warning: str | None = None


def states(db: Database, urls: list[str]) -> dict[str, AttachmentState]:
    out: dict[str, AttachmentState] = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.query(
            "SELECT u.url, u.sha256, u.state, u.etag, u.last_modified, u.content_length, u.warning, f.type "
            f"FROM attachment_urls u LEFT JOIN attachment_files f ON f.sha256 = u.sha256 WHERE u.url IN ({marks})",
            chunk,
        ):
            out[row["url"]] = AttachmentState(
                row["url"],
                row["sha256"],
                row["state"],
                row["etag"],
                row["last_modified"],
                row["content_length"],
                row["type"],
                row["warning"],
            )
    return out


def store_files(db: Database, results: list[AttachmentFetch], ts: str) -> None:
    """Keep each fetched file once (before any version or URL row names it)."""
    for result in results:
        _store_file(db, result, ts)


def _store_file(db: Database, result: AttachmentFetch, ts: str) -> None:
    if result.sha256 is None or result.data is None:
        return
    db.execute(
        "INSERT OR IGNORE INTO attachment_files (sha256, size, type, data, text, text_status, first_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            result.sha256,
            len(result.data),
            result.kind or "unknown",
            compress(result.data),
            result.text,
            result.text_status or "unsupported",
            ts,
        ],
    )


def record_results(
    db: Database,
    site: str,
    key: str | None,
    run_id: int | None,
    results: list[AttachmentFetch],
    ts: str,
    fail_after: int,
) -> list[tuple[str, AttachmentFetch, dict[str, Any]]]:
    """Store what the attachment fetches of one release gave; returns the events they prove as
    ``(type, result, details)``: ``fetch_failed`` / ``fetch_recovered`` of an attachment."""
    events: list[tuple[str, AttachmentFetch, dict[str, Any]]] = []
    for result in results:
        row = next(iter(db.query("SELECT * FROM attachment_urls WHERE url = ?", [result.url])), None)
        if row is None:
            insert(
                db,
                "attachment_urls",
                {"url": result.url, "site": site, "state": "new", "first_seen": ts, "last_checked": ts},
            )
            row = {"fail_streak": 0, "fail_reported": 0, "fail_run": None, "sha256": None}
        update: dict[str, Any] = {"last_checked": ts, "key": key, "name": result.name}
        if result.outcome in ("ok", "not_modified", "too_large"):
            if row["fail_reported"]:
                events.append(("fetch_recovered", result, {"attachment": result.name}))
            update.update(fail_streak=0, fail_reported=0, error_kind=None)
            if result.outcome != "not_modified" or result.etag or result.last_modified:
                update.update(
                    etag=result.etag, last_modified=result.last_modified, content_length=result.content_length
                )
            if result.outcome == "ok":
                update.update(state="ok", sha256=result.sha256, last_ok_at=ts, warning=result.warning)
            elif result.outcome == "not_modified":
                update.update(last_ok_at=ts)
            else:
                update.update(state="too_large", sha256=None, warning=None)
        elif result.outcome == "error":
            update["error_kind"] = result.error_kind
            if run_id is None or row["fail_run"] != run_id:
                streak = int(row["fail_streak"]) + 1
                update.update(fail_streak=streak, fail_run=run_id)
                if streak >= fail_after and not row["fail_reported"]:
                    update["fail_reported"] = 1
                    events.append(
                        (
                            "fetch_failed",
                            result,
                            {
                                "attachment": result.name,
                                "streak": streak,
                                "error_kind": result.error_kind,
                                "status": result.status,
                            },
                        )
                    )
        sets = ", ".join(f'"{k}" = :{k}' for k in update)
        db.execute(f"UPDATE attachment_urls SET {sets} WHERE url = :url", {**update, "url": result.url})
        if result.outcome != "skipped":
            _link_check(db, site, run_id, result, ts)
    return events


def _link_check(db: Database, site: str, run_id: int | None, result: AttachmentFetch, ts: str) -> None:
    """The attachment's fetch is its link check (site health's ``link_checks`` / ``link_status``):
    the link checker does not request it again."""
    ok = result.outcome != "error"
    host = (urlsplit(result.url).hostname or "").lower() or None
    values = [site, result.url, "attachment", host, 0, "GET", result.status, int(ok), result.error_kind]
    write_link_check(db, values, elapsed=None, ts=ts, run_id=run_id)


def link_version(
    db: Database, version_id: int, attachments: list[dict[str, Any]], *, new: bool = False
) -> None:
    """(Re)write the attachments a version lists: name, URL, the file (when fetched), its state.
    ``new``: the version was inserted just now (it lists nothing yet)."""
    if not new:
        db.execute("DELETE FROM version_attachments WHERE version_id = ?", [version_id])
    for position, item in enumerate(attachments):
        insert(
            db,
            "version_attachments",
            {
                "version_id": version_id,
                "position": position,
                "name": item.get("name") or item.get("url") or "",
                "url": item.get("url") or "",
                "sha256": item.get("sha256"),
                "state": item.get("state") or "not_fetched",
                "warning": item.get("warning"),
            },
        )


def carry(db: Database, version_id: int | None, release: Release) -> Release:
    """Give a release re-derived from a version's raw HTML the files that version listed (their
    digests, states, warnings), so its hash is the one the crawl gave it: the page's HTML alone
    does not hold them."""
    if version_id is None:
        return release
    known = {
        row["url"]: row
        for row in db.query(
            "SELECT url, sha256, state, warning FROM version_attachments WHERE version_id = ?", [version_id]
        )
    }
    if not known:
        return release
    out = []
    for item in release.attachments:
        row = known.get(item.get("url"))
        if row is None or row["state"] == "not_fetched":
            out.append(item)
            continue
        entry = {"name": item.get("name") or "", "url": item.get("url") or "", "state": row["state"]}
        if row["sha256"]:
            entry["sha256"] = row["sha256"]
        if row["warning"]:
            entry["warning"] = row["warning"]
        out.append(entry)
    release.attachments = out
    release.content_hash = None
    release.content_hash = content_hash(release)
    return release


def texts(db: Database, key: str) -> list[str]:
    """The extracted texts of the files the release's current version lists (for the search index)."""
    return [
        str(row["text"])
        for row in select(
            db,
            "SELECT f.text FROM releases r JOIN versions v ON v.key = r.key AND v.version = r.current_version "
            "JOIN version_attachments a ON a.version_id = v.id JOIN attachment_files f ON f.sha256 = a.sha256 "
            "WHERE r.key = ? AND f.text IS NOT NULL ORDER BY a.position",
            [key],
        )
    ]


def _text(db: Database, sha256: str | None) -> str | None:
    if not sha256:
        return None
    row = next(iter(db.query("SELECT text FROM attachment_files WHERE sha256 = ?", [sha256])), None)
    return row["text"] if row is not None else None


def changes(db: Database, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What changed among a release's attachments between two versions: ``added``, ``removed``, or
    ``replaced`` (other bytes under the same link, with a text diff when both sides have text)."""
    old = {a.get("url"): a for a in before if a.get("url")}
    new = {a.get("url"): a for a in after if a.get("url")}
    out: list[dict[str, Any]] = []
    for url, item in new.items():
        prior = old.get(url)
        if prior is None:
            out.append({"change": "added", "name": item.get("name"), "url": url})
        elif prior.get("sha256") and item.get("sha256") and prior["sha256"] != item["sha256"]:
            change: dict[str, Any] = {"change": "replaced", "name": item.get("name"), "url": url}
            a, b = _text(db, prior["sha256"]), _text(db, item["sha256"])
            if a is not None and b is not None:
                change["diff"] = short_diff(char_diff(a, b), limit=DIFF_LIMIT)
            out.append(change)
    for url, item in old.items():
        if url not in new:
            out.append({"change": "removed", "name": item.get("name"), "url": url})
    return out


_WORDS = {"added": "附件新增", "removed": "附件删除", "replaced": "附件替换"}


def describe(changed: list[dict[str, Any]]) -> str:
    """Lines for a ``changed`` event's diff: ``附件替换《name》: …diff…``."""
    lines = []
    for item in changed:
        line = f"{_WORDS[item['change']]}《{item.get('name') or item.get('url')}》"
        if item.get("diff"):
            line += "：" + item["diff"]
        lines.append(line)
    return "\n".join(lines)
