"""SQL of the site-health canned queries for Datasette (keyed under the database's name in metadata
by ``crawler.browse``): ``site_health`` (the latest scorecard of each site) and ``broken_links``."""

from __future__ import annotations

#: the latest ``site_health`` row of each site, with stale columns and unreachable runs of the week
#: before that run; ``:site`` may be empty for every site
SITE_HEALTH_SQL = """\
SELECT h.site, h.checked_at, h.run_id,
       h.stale_columns || ' / ' || h.columns AS stale_columns,
       (SELECT group_concat(c."column" || ' (newest ' || coalesce(c.newest_item, 'none') || ', limit '
               || cast(c.stale_after_days AS INTEGER) || 'd)', '; ')
          FROM column_health c WHERE c.run_id = h.run_id AND c.stale = 1) AS stale_detail,
       h.links_broken || ' / ' || h.links_checked AS broken_links, round(100.0 * h.broken_share, 2) AS broken_pct,
       h.attachments_broken, h.releases,
       round(100.0 * h.missing_index_no_share, 1) AS no_index_no_pct,
       round(100.0 * h.missing_publisher_share, 1) AS no_publisher_pct,
       round(100.0 * h.missing_date_share, 1) AS no_date_pct,
       (SELECT count(*) FROM runs r WHERE r.site = h.site AND r.status = 'failed'
           AND julianday(r.started_at) > julianday(h.checked_at) - 7) || ' / ' ||
       (SELECT count(*) FROM runs r WHERE r.site = h.site AND r.status IN ('ok', 'partial', 'failed')
           AND julianday(r.started_at) > julianday(h.checked_at) - 7) AS failed_runs_7d,
       h.outbound_hosts
FROM site_health h
WHERE h.run_id = (SELECT max(run_id) FROM site_health x WHERE x.site = h.site)
  AND (coalesce(:site, '') = '' OR h.site = :site)
ORDER BY h.site"""

#: links and attachments of live releases whose latest check failed
BROKEN_LINKS_SQL = """\
SELECT b.site, b.kind, b.url, b.status, b.error, b.broken_since, b.checked_at, b.checks,
       b.title, b.release_url, b.key, b.text, b.host, b.offsite
FROM broken_links b
WHERE (coalesce(:site, '') = '' OR b.site = :site)
ORDER BY b.site, b.kind = 'link', b.host, b.url"""

CANNED_QUERIES = {
    "site_health": {"title": "Site health", "sql": SITE_HEALTH_SQL},
    "broken_links": {"title": "Broken links", "sql": BROKEN_LINKS_SQL},
}
