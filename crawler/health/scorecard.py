"""A site's scorecard — what national inspections count — from what the database holds, judged at a
given "now": stale columns, broken-link share, metadata completeness, unreachable runs in the last
week, outbound hosts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crawler.config import SiteConfig
from crawler.health.staleness import column_state
from crawler.store import Store

WEEK = timedelta(days=7)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def metadata(store: Store, site: str) -> dict[str, Any]:
    """Live releases of ``site`` without 索引号, publisher or date (neither written nor published)."""
    counts = store.health.metadata_counts(site)
    n = counts["releases"]
    out: dict[str, Any] = {"releases": n}
    for name in ("missing_index_no", "missing_publisher", "missing_date"):
        out[name] = counts[name]
        out[name + "_share"] = _share(out[name], n)
    return out


def links(store: Store, site: str, run_id: int | None = None) -> dict[str, Any]:
    """Distinct link URLs of ``site``'s live releases, how many have a check result, how many of
    those are broken by their latest check (and this run's checks when ``run_id`` is given)."""
    counts = store.health.link_counts(site)
    out: dict[str, int | float | None] = dict(counts)
    out["broken_share"] = _share(counts["links_broken"], counts["links_checked"])
    if run_id is not None:
        out["checks_this_run"], out["broken_this_run"] = store.health.run_checks(run_id)
    return out


def unreachable(store: Store, site: str, now: datetime) -> dict[str, Any]:
    """Runs of the last 7 days (by ``now``) that read no list page, out of all finished runs."""
    runs, failed = store.health.finished_runs(site, now - WEEK, now)
    return {
        "runs_last_week": runs,
        "failed_runs_last_week": failed,
        "unreachable_share": _share(failed, runs),
    }


def scorecard(store: Store, site: SiteConfig, now: datetime) -> dict[str, Any]:
    columns = [column_state(store, site.name, c, now).to_dict() for c in site.columns]
    return {
        "site": site.name,
        "judged_at": now.isoformat(timespec="seconds"),
        "last_run": store.health.last_run_at(site.name),
        "columns": columns,
        "stale_columns": sum(1 for c in columns if c["stale"]),
        "metadata": metadata(store, site.name),
        "links": links(store, site.name),
        "reachability": unreachable(store, site.name, now),
    }


def record_site_health(
    store: Store, site: SiteConfig, run_id: int, ts: str, stale_columns: int
) -> dict[str, Any]:
    """One ``site_health`` row for the run."""
    row: dict[str, Any] = {"run_id": run_id, "site": site.name, "checked_at": ts}
    row.update(metadata(store, site.name))
    row.update(links(store, site.name, run_id))
    row["columns"] = len(site.columns)
    row["stale_columns"] = stale_columns
    store.health.record_site_health(row)
    return row
