"""The pictures on the home page: events per site by day, releases by month, each site's health — read
through Datasette's read-only connections and drawn by ``charts``.

- Events by day: the last ``EVENT_DAYS`` days that have events, in the configured zone; ``new``
  events of a column's first crawl (the baseline: everything already published) are not drawn, the
  caption counts them.
- Releases by month: by written date, else publication date; live and removed stacked.
- Health: the latest scorecard of each site (``site_health``) and its runs of the week before it.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crawler.browse import charts
from crawler.browse.charts import Meter, Series

EVENT_DAYS = 60
#: at most this many months are drawn; older releases are one "earlier" bar
MONTHS = 60
EARLIER = "更早"

#: (series key, label, colour, event types); anything else is "other"
EVENT_SERIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("new", "新发布 new", "#4e79a7", ("new",)),
    ("changed", "修改 changed", "#f28e2b", ("changed",)),
    ("removed", "撤下 removed", "#9c755f", ("removed",)),
    ("tampered", "篡改 tampered", "#d62728", ("tampered",)),
    ("failing", "抓取失败 failing", "#7b4fa0", ("fetch_failed",)),
    ("restored", "恢复 restored", "#59a14f", ("restored",)),
    ("other", "其他 other", "#a0a0a0", ()),
)

EVENTS_BY_HOUR = """
select site, type, baseline, strftime('%Y-%m-%dT%H:00:00+00:00', created_at) as hour, count(*) as n
from events
where julianday(created_at) >= (select julianday(max(created_at)) from events) - :days
group by site, type, baseline, hour
"""

RELEASES_BY_MONTH = """
select substr(coalesce(written_date, published_at), 1, 7) as month, status, count(*) as n
from releases group by month, status
"""

HEALTH = """
select h.site, h.checked_at, h.releases, h.missing_index_no, h.missing_publisher, h.missing_date,
  h.links_checked, h.links_broken, h.columns, h.stale_columns,
  (select count(*) from runs r where r.site = h.site and r.status = 'failed'
     and julianday(r.started_at) > julianday(h.checked_at) - 7) as failed_runs,
  (select count(*) from runs r where r.site = h.site and r.status in ('ok', 'partial', 'failed')
     and julianday(r.started_at) > julianday(h.checked_at) - 7) as runs
from site_health h
where h.run_id = (select max(run_id) from site_health x where x.site = h.site)
order by h.site
"""


def _series_of(event_type: str) -> str:
    for key, _, _, types in EVENT_SERIES:
        if event_type in types:
            return key
    return "other"


def _days(first: date, last: date) -> list[str]:
    first = max(first, last - timedelta(days=EVENT_DAYS - 1))
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def events_by_day(rows: Sequence[Any], tz: ZoneInfo) -> list[dict[str, Any]]:
    """One chart per site: ``{site, svg, legend, table, total, baseline}``."""
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    baseline: dict[str, int] = defaultdict(int)
    days: set[date] = set()
    for row in rows:
        site, kind, hour, n = row["site"], row["type"], row["hour"], int(row["n"])
        if not hour:
            continue
        if kind == "new" and row["baseline"]:
            baseline[site] += n
            continue
        day = datetime.fromisoformat(hour).astimezone(tz).date()
        days.add(day)
        counts[site][_series_of(kind)][day.isoformat()] += n
    out = []
    xs = _days(min(days), max(days)) if days else []
    for site in sorted(set(counts) | set(baseline)):
        series = [
            Series(key, label, color, dict(counts[site][key]))
            for key, label, color, _ in EVENT_SERIES
            if counts[site].get(key)
        ]
        total = sum(sum(s.counts.values()) for s in series)
        out.append(
            {
                "site": site,
                "svg": charts.stacked_bars(xs, series, f"{site}: 每日事件 events by day") if total else None,
                "legend": charts.legend(series),
                "table": charts.data_table(xs, series, "日期 day"),
                "total": total,
                "baseline": baseline.get(site, 0),
                "days": xs,
            }
        )
    return out


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def releases_by_month(rows: Sequence[Any]) -> dict[str, Any]:
    """``{svg, legend, table, undated, total}`` of releases by month, live and removed stacked; months
    before the last ``MONTHS`` are one bar, ``EARLIER``."""
    live: dict[str, int] = defaultdict(int)
    removed: dict[str, int] = defaultdict(int)
    undated = 0
    for row in rows:
        month, n = row["month"], int(row["n"])
        if not month or len(month) != 7 or not month[:4].isdigit() or not month[5:].isdigit():
            undated += n
            continue
        (removed if row["status"] == "removed" else live)[month] += n
    months = sorted(set(live) | set(removed))
    xs = _months(months[0], months[-1]) if months else []
    if len(xs) > MONTHS:
        cut = xs[-MONTHS]
        for counts in (live, removed):
            for month in [m for m in counts if m < cut]:
                counts[EARLIER] += counts.pop(month)
        xs = [EARLIER, *xs[-MONTHS:]]
    series = [
        Series("live", "在线 live", "#4e79a7", dict(live)),
        Series("removed", "已撤下 removed", "#9c755f", dict(removed)),
    ]
    series = [s for s in series if s.counts]
    return {
        "svg": charts.stacked_bars(xs, series, "每月发布数 releases by month") if xs else None,
        "legend": charts.legend(series),
        "table": charts.data_table(xs, series, "月份 month"),
        "undated": undated,
        "total": sum(live.values()) + sum(removed.values()) + undated,
        "months": xs,
    }


def _share(good: int, total: int) -> float | None:
    return None if total <= 0 else good / total


def health(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Per site: ``{site, checked_at, releases, meters}``."""
    out = []
    for row in rows:
        releases = int(row["releases"] or 0)
        items = [
            Meter(
                "index_no",
                "有索引号 has 索引号",
                _share(releases - int(row["missing_index_no"] or 0), releases),
                f"{releases - int(row['missing_index_no'] or 0)} / {releases}",
            ),
            Meter(
                "publisher",
                "有发布机构 has publisher",
                _share(releases - int(row["missing_publisher"] or 0), releases),
                f"{releases - int(row['missing_publisher'] or 0)} / {releases}",
            ),
            Meter(
                "date",
                "有日期 has date",
                _share(releases - int(row["missing_date"] or 0), releases),
                f"{releases - int(row['missing_date'] or 0)} / {releases}",
            ),
            Meter(
                "links",
                "链接有效 links work",
                _share(
                    int(row["links_checked"] or 0) - int(row["links_broken"] or 0),
                    int(row["links_checked"] or 0),
                ),
                f"{int(row['links_checked'] or 0) - int(row['links_broken'] or 0)} / {int(row['links_checked'] or 0)}",
            ),
            Meter(
                "columns",
                "栏目按时更新 columns fresh",
                _share(int(row["columns"] or 0) - int(row["stale_columns"] or 0), int(row["columns"] or 0)),
                f"{int(row['columns'] or 0) - int(row['stale_columns'] or 0)} / {int(row['columns'] or 0)}",
            ),
            Meter(
                "runs",
                "近 7 天抓取成功 runs ok, 7 days",
                _share(int(row["runs"] or 0) - int(row["failed_runs"] or 0), int(row["runs"] or 0)),
                f"{int(row['runs'] or 0) - int(row['failed_runs'] or 0)} / {int(row['runs'] or 0)}",
            ),
        ]
        out.append(
            {
                "site": row["site"],
                "checked_at": row["checked_at"],
                "releases": releases,
                "meters": charts.meters(items, f"{row['site']}: 站点健康 health"),
            }
        )
    return out


async def _rows(db: Any, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    try:
        return list((await db.execute(sql, params or {})).rows)
    except sqlite3.Error:  # a table an older archive does not have yet: no chart, not an error page
        return []


async def overview(db: Any, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "events": events_by_day(await _rows(db, EVENTS_BY_HOUR, {"days": EVENT_DAYS}), tz),
        "months": releases_by_month(await _rows(db, RELEASES_BY_MONTH)),
        "health": health(await _rows(db, HEALTH)),
    }
