"""The canned queries shown on the database page (metadata ``queries``), in display order.

They read the store's tables (crawler/store/schema.py) and use the SQL functions the plugin registers:
``bigram_query(q)`` turns what a person typed into the FTS5 phrase query of its bigrams. Timestamps
are ISO 8601 with an offset; ``julianday()`` compares them in UTC.
"""

from __future__ import annotations

from typing import Any

#: a key, a URL the release was seen at, or a ``url:`` key → the release key
_RESOLVE_KEY = (
    "coalesce((select key from releases where key = :key), "
    "(select key from release_urls where url = :key), "
    "(select key from releases where key = 'url:' || :key))"
)

SEARCH = """
select r.key, r.title, r.publisher, r.written_date, r.published_at, r.site, r."column", r.status,
  govwatch_snippet(v.body, :q) as context,
  round(bm25(releases_fts, 0.0, 5.0, 1.0), 3) as score
from releases_fts
join releases r on r.id = releases_fts.rowid
left join versions v on v.key = r.key and v.version = r.current_version
where releases_fts match bigram_query(:q)
  and (coalesce(:site, '') = '' or r.site = :site)
  and (coalesce(:publisher, '') = '' or r.publisher = :publisher)
  and (coalesce(:since, '') = '' or coalesce(r.written_date, substr(r.published_at, 1, 10)) >= :since)
  and (coalesce(:until, '') = '' or coalesce(r.written_date, substr(r.published_at, 1, 10)) <= :until)
order by score, r.written_date desc
limit 200
"""

LATEST_EVENTS = """
select e.created_at, e.type, e.site, e.title,
  json_extract(e.details, '$.diff') as diff_summary,
  (select group_concat(json_extract(f.value, '$.rule') || ': ' ||
          substr(json_extract(f.value, '$.evidence'), 1, 160), char(10))
     from json_each(e.flags) f where json_extract(f.value, '$.severity') = 'critical') as evidence,
  e.url, e.key, e.id, e.severity, e.version_before, e.version, e.baseline
from events e
order by e.type = 'tampered' desc, e.created_at desc, e.id desc
limit 200
"""

HISTORY = f"""
select v.key, v.version, v.first_seen, v.last_seen, v.url,
  json_extract(v.fields, '$.title') as title,
  json_extract(v.fields, '$.publisher') as publisher,
  json_extract(v.fields, '$.written_date') as written_date,
  v.content_hash,
  (select group_concat(json_extract(f.value, '$.rule'), ', ')
     from json_each(v.flags) f where json_extract(f.value, '$.severity') = 'critical') as critical_flags,
  case when v.version > 1 then 'v' || (v.version - 1) || ' → v' || v.version end as diff,
  'WARC' as warc,
  (select group_concat(a.name, '、') from version_attachments a where a.version_id = v.id) as attachments
from versions v
where v.key = {_RESOLVE_KEY}
order by v.version desc
"""

#: each version's attachments, with a download link to the stored file
ATTACHMENTS = f"""
select v.key, v.version, a.position + 1 as no, a.name, f.type, f.size, f.text_status, a.state,
  a.warning, a.url, a.sha256 as download
from versions v
join version_attachments a on a.version_id = v.id
left join attachment_files f on f.sha256 = a.sha256
where v.key = {_RESOLVE_KEY}
order by v.version desc, a.position
"""

CHANGED_RECENTLY = """
select e.key, r.title, r.publisher, r.site, r.current_version, r.status,
  group_concat(distinct e.type) as event_types,
  max(e.created_at) as last_event_at
from events e
join releases r on r.key = e.key
where e.type in ('changed', 'removed', 'restored', 'tampered', 'conflict')
  and julianday(e.created_at) >= julianday('now', '-' || cast(coalesce(nullif(:days, ''), 7) as integer) || ' days')
group by e.key
order by last_event_at desc
"""

TAMPERED = """
select e.created_at, e.key, coalesce(r.title, e.title) as title, e.url,
  json_extract(f.value, '$.rule') as rule,
  json_extract(f.value, '$.evidence') as evidence,
  json_extract(f.value, '$.location') as location,
  exists (select 1 from release_urls u where u.key = e.key and u.critical_flags != '[]') as still_flagged
from events e
left join releases r on r.key = e.key
join json_each(e.flags) f
where e.type = 'tampered' and json_extract(f.value, '$.severity') = 'critical'
order by e.created_at desc, e.id desc
"""

FAILING = """
select e.site, case when e.key like 'column:%' then 'column' else 'release' end as kind,
  e."column", e.key, e.title, e.url, e.created_at as failing_since, 'fetch_failed' as state,
  cast(json_extract(e.details, '$.streak') as integer) as streak,
  json_extract(e.details, '$.error_kind') as error_kind
from events e
where e.type = 'fetch_failed'
  and not exists (select 1 from events x where x.key = e.key and x.type = 'fetch_recovered' and x.id > e.id)
union all
select c.site, 'column', c.name, 'column:' || c.column_url, null, c.column_url, c.last_ok_at, 'failing',
  c.fail_streak, null
from columns c
where c.fail_streak > 0 and c.failing = 0
union all
select u.site, 'release', u."column", u.key, r.title, u.url, u.last_ok_at, 'failing', u.fail_streak, null
from release_urls u left join releases r on r.key = u.key
where u.fail_streak > 0 and u.fail_reported = 0
order by failing_since desc
"""

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

BY_MONTH = """
select substr(coalesce(written_date, published_at), 1, 7) as month, count(*) as releases,
  sum(status = 'removed') as removed
from releases
group by month
order by month desc
"""


def canned_queries() -> dict[str, dict[str, Any]]:
    """Datasette ``queries`` metadata: name → {sql, title, description, hide_sql}."""
    queries: dict[str, dict[str, Any]] = {
        "search": {
            "sql": SEARCH.strip(),
            "title": "全文搜索 Full-text search",
            "description": (
                "在标题和正文中搜索（如 衢州、数字化改革），可按站点、发布机构和日期筛选，按相关度排序。"
                " Search titles and bodies; two-character words work. Best matches first (bm25)."
            ),
            "params": ["q", "site", "publisher", "since", "until"],
        },
        "latest_events": {
            "sql": LATEST_EVENTS.strip(),
            "title": "最新事件 Latest events",
            "description": "篡改事件在前，其余按时间倒序。 Tampered pages first, then newest first.",
        },
        "history": {
            "sql": HISTORY.strip(),
            "title": "发布的历史版本 A release's history",
            "description": (
                "输入索引号（或网址），列出该发布的全部版本；点击“diff”查看两个版本之间的逐字差异。"
                " Every version of one release (key = 索引号 or URL); follow a diff link to compare."
            ),
        },
        "attachments": {
            "sql": ATTACHMENTS.strip(),
            "title": "发布的附件 A release's attachments",
            "description": (
                "输入索引号（或网址），按版本列出附件：名称、类型（按内容识别）、大小、文本、下载。"
                " Each version's attachments: name, type (sniffed from the bytes), size, text, and the"
                " stored file as a download (never opened in the browser)."
            ),
        },
        "changed_recently": {
            "sql": CHANGED_RECENTLY.strip(),
            "title": "近 N 天有变化的发布 Releases changed in the last N days",
            "description": "修改、撤下、恢复、篡改。 Changed, removed, restored or tampered; days defaults to 7.",
        },
        "tampered": {
            "sql": TAMPERED.strip(),
            "title": "被篡改的页面及证据 Tampered pages and their evidence",
            "description": "每条严重标记一行：规则、证据、位置。 One row per critical flag: rule, evidence, location.",
        },
        "failing": {
            "sql": FAILING.strip(),
            "title": "抓取失败的来源 Failing sources",
            "description": (
                "连续抓取失败且尚未恢复的栏目和网址。"
                " Columns and URLs failing now: fetch_failed without a later fetch_recovered, "
                "and failure streaks not yet reported."
            ),
        },
        "releases_by_month": {
            "sql": BY_MONTH.strip(),
            "title": "按月统计 Releases by month",
            "description": "按成文日期（无则发布日期）的月份统计。 Counted by written date, else publication date.",
        },
    }
    queries["site_health"] = {
        "sql": SITE_HEALTH_SQL,
        "title": "站点健康 Site health",
        "description": (
            "每个站点最近一次抓取的体检表：栏目更新、失效链接比例、元数据完整度、近一周无法访问的次数。"
            " The latest scorecard of each site: stale columns, broken-link share, metadata completeness,"
            " unreachable runs in the last week (the same figures as `govwatch health`)."
        ),
    }
    queries["broken_links"] = {
        "sql": BROKEN_LINKS_SQL,
        "title": "失效链接 Broken links",
        "description": "最近一次检查失败的链接和附件。 Links and attachments whose latest check failed.",
    }
    for query in queries.values():
        query["hide_sql"] = True  # the SQL is one click away when visitors may run SQL (serve --allow-sql)
    return queries
