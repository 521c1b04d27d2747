"""A site's scorecard — what national inspections count — from what the database holds, judged at a
given "now": stale columns, broken-link share, metadata completeness, unreachable runs in the last
week, outbound hosts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from crawler.config import SiteConfig
from crawler.health.staleness import column_state

WEEK = timedelta(days=7)


def _one(db: Database, sql: str, params: list[Any]) -> dict[str, Any]:
    return next(iter(db.query(sql, params)))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def metadata(db: Database, site: str) -> dict[str, Any]:
    """Live releases of ``site`` without 索引号, publisher or date (neither written nor published)."""
    row = _one(
        db,
        "SELECT count(*) AS releases, "
        "sum(coalesce(trim(index_no), '') = '') AS missing_index_no, "
        "sum(coalesce(trim(publisher), '') = '') AS missing_publisher, "
        "sum(coalesce(written_date, published_at, '') = '') AS missing_date "
        "FROM releases WHERE site = ? AND status = 'live'",
        [site],
    )
    n = int(row["releases"] or 0)
    out: dict[str, Any] = {"releases": n}
    for name in ("missing_index_no", "missing_publisher", "missing_date"):
        out[name] = int(row[name] or 0)
        out[name + "_share"] = _share(out[name], n)
    return out


def links(db: Database, site: str, run_id: int | None = None) -> dict[str, Any]:
    """Distinct link URLs of ``site``'s live releases, how many have a check result, how many of
    those are broken by their latest check (and this run's checks when ``run_id`` is given)."""
    row = _one(
        db,
        "SELECT count(DISTINCT l.url) AS links, "
        "count(DISTINCT CASE WHEN l.kind = 'attachment' THEN l.url END) AS attachments, "
        "count(DISTINCT CASE WHEN s.url IS NOT NULL THEN l.url END) AS links_checked, "
        "count(DISTINCT CASE WHEN s.ok = 0 THEN l.url END) AS links_broken, "
        "count(DISTINCT CASE WHEN s.ok = 0 AND l.kind = 'attachment' THEN l.url END) AS attachments_broken, "
        "count(DISTINCT CASE WHEN l.offsite = 1 THEN l.url END) AS offsite_links, "
        "count(DISTINCT CASE WHEN l.offsite = 1 THEN l.host END) AS outbound_hosts "
        "FROM release_links l JOIN releases r ON r.key = l.key AND r.status = 'live' "
        "LEFT JOIN link_status s ON s.site = l.site AND s.url = l.url WHERE l.site = ?",
        [site],
    )
    counts = {k: int(row[k] or 0) for k in row}
    out: dict[str, int | float | None] = dict(counts)
    out["broken_share"] = _share(counts["links_broken"], counts["links_checked"])
    if run_id is not None:
        run = _one(
            db,
            "SELECT count(*) AS checks, coalesce(sum(ok = 0), 0) AS broken FROM link_checks WHERE run_id = ?",
            [run_id],
        )
        out["checks_this_run"] = int(run["checks"])
        out["broken_this_run"] = int(run["broken"])
    return out


def unreachable(db: Database, site: str, now: datetime) -> dict[str, Any]:
    """Runs of the last 7 days (by ``now``) that read no list page, out of all finished runs."""
    since = (now - WEEK).isoformat(timespec="seconds")
    upto = now.isoformat(timespec="seconds")
    row = _one(
        db,
        "SELECT count(*) AS runs, coalesce(sum(status = 'failed'), 0) AS failed FROM runs "
        "WHERE site = ? AND status IN ('ok', 'partial', 'failed') AND started_at >= ? AND started_at <= ?",
        [site, since, upto],
    )
    runs, failed = int(row["runs"]), int(row["failed"])
    return {
        "runs_last_week": runs,
        "failed_runs_last_week": failed,
        "unreachable_share": _share(failed, runs),
    }


def scorecard(db: Database, site: SiteConfig, now: datetime) -> dict[str, Any]:
    columns = [column_state(db, site.name, c, now).to_dict() for c in site.columns]
    last = next(
        iter(
            db.query(
                "SELECT max(started_at) AS at FROM runs WHERE site = ? AND status != 'skipped'", [site.name]
            )
        ),
        {},
    )
    return {
        "site": site.name,
        "judged_at": now.isoformat(timespec="seconds"),
        "last_run": last.get("at"),
        "columns": columns,
        "stale_columns": sum(1 for c in columns if c["stale"]),
        "metadata": metadata(db, site.name),
        "links": links(db, site.name),
        "reachability": unreachable(db, site.name, now),
    }


def record_site_health(
    db: Database, site: SiteConfig, run_id: int, ts: str, stale_columns: int
) -> dict[str, Any]:
    """One ``site_health`` row for the run. Call inside a write transaction."""
    row: dict[str, Any] = {"run_id": run_id, "site": site.name, "checked_at": ts}
    row.update(metadata(db, site.name))
    row.update(links(db, site.name, run_id))
    row["columns"] = len(site.columns)
    row["stale_columns"] = stale_columns
    names = ", ".join(f'"{k}"' for k in row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"INSERT OR REPLACE INTO site_health ({names}) VALUES ({marks})", list(row.values()))
    return row
