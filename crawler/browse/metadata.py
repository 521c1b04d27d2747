"""Datasette metadata for a govwatch database: titles and descriptions a Chinese reader understands
(bilingual), facets, default sort orders, hidden internal tables and the canned queries — keyed by the
database's name as Datasette names it (the file stem: ``govwatch`` for govwatch.db)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from crawler.browse.queries import canned_queries
from crawler.events import CATALOG

PLUGIN = "govwatch"

RELEASE_COLUMNS = {
    "id": "行号 row id (= releases_fts rowid)",
    "key": "唯一键：索引号，无索引号时为 url:网址 — key: the 索引号, else url: + URL",
    "index_no": "索引号 index number",
    "title": "标题 title",
    "publisher": "发布机构 publisher",
    "written_date": "成文日期 date written",
    "published_at": "发布日期 published",
    "doc_number": "文号 document number",
    "category": "组配分类/主题分类 category",
    "validity": "有效性 validity",
    "unified_no": "统一编号 unified number",
    "site_name": "网站名称 site name (as the page states it)",
    "column": "栏目 column",
    "url": "网址（首次发现处） URL where first seen",
    "site": "站点（配置名） site name in config.yaml",
    "first_seen": "首次发现时间 first seen",
    "last_seen": "最近一次看到 last seen",
    "current_version": "当前版本号 current version",
    "status": "状态：live 在线 / removed 已撤下",
    "content_hash": "内容指纹 content hash",
    "removed_at": "撤下时间 removed at",
}

EVENT_COLUMNS = {
    "type": "事件类型 event type: " + ", ".join(f"{e.name} {e.zh}" for e in CATALOG),
    "severity": "严重程度 severity: info / warning / critical",
    "baseline": "基线（首次抓取） baseline: 1 = stored on a column's first crawl",
    "site": "站点 site",
    "key": "发布唯一键（栏目事件为 column:网址） release key (column: + URL for column events)",
    "index_no": "索引号 index number",
    "url": "网址 URL",
    "title": "标题 title",
    "column": "栏目 column",
    "version": "版本 version",
    "version_before": "之前的版本 previous version",
    "flags": "完整性标记（规则、证据、位置） integrity flags: rule, evidence, location",
    "details": "详情（差异摘要等） details (diff summary …)",
    "run_id": "抓取批次 run",
    "created_at": "时间 created at",
}

VERSION_COLUMNS = {
    "key": "发布唯一键 release key",
    "version": "版本号 version",
    "content_hash": "内容指纹 content hash",
    "fields": "解析出的字段 (JSON) normalized fields",
    "body": "正文 body text",
    "raw_html": "原始网页（zstd 压缩，证据） raw HTML, zstd-compressed evidence",
    "flags": "完整性标记 integrity flags",
    "first_seen": "首次发现 first seen",
    "last_seen": "最近一次看到 last seen",
    "url": "网址 URL",
}

#: internal tables: hidden from the home and database pages (still served, and listed with
#: ``?_show_hidden=1``); a reader sees ``labels.READER_TABLES``
HIDDEN = [
    "releases_fts",
    "releases_fts_config",
    "releases_fts_content",
    "releases_fts_data",
    "releases_fts_docsize",
    "releases_fts_idx",
    "_sqlite_migrations",
    "release_urls",
    "fetches",
    "column_runs",
    "deliveries",
    "listings",
    "acks",
    "release_links",
    "release_link_sync",
    "link_checks",
    "link_status",
    "column_health",
    "site_health",
]


def db_path(db_name: str) -> str:
    """The URL path of a database (Datasette tilde-encodes names; plain names are unchanged)."""
    from datasette.utils import tilde_encode

    return "/" + tilde_encode(db_name)


def home_links(db_name: str) -> str:
    base = db_path(db_name)
    links = [
        (f"{base}/search", "全文搜索 Search"),
        (f"{base}/releases", "全部发布 All releases"),
        (f"{base}/latest_events", "最新事件 Latest events"),
        (f"{base}/changed_recently", "近期变化 Recently changed"),
        (f"{base}/tampered", "被篡改页面 Tampered pages"),
        (f"{base}/failing", "抓取失败 Failing sources"),
        (f"{base}/site_health", "站点健康 Site health"),
        ("/-/govwatch/verify", "核对副本 Verify a copy"),
        ("/-/govwatch/events.atom", "事件订阅 Atom feed"),
    ]
    items = " · ".join(f'<a href="{quote(href, safe="/~-_.")}">{text}</a>' for href, text in links)
    return f"<p>政府信息公开监测：每一条发布的每一个版本。 Every version of every release.</p><p>{items}</p>"


def build_metadata(db_name: str, *, timezone: str = "Asia/Shanghai") -> dict[str, Any]:
    """``timezone``: the zone times are shown in (the config's ``timezone``)."""
    releases: dict[str, Any] = {
        "title": "发布 Releases",
        "description": "每条政府信息公开发布的最新内容；在搜索框输入词语（如 衢州）即可全文搜索。"
        " Latest content of every release; the search box finds two-character words.",
        "sort_desc": "published_at",
        "label_column": "title",
        "facets": ["site", "publisher", "category", {"month": "written_date"}, "status"],
        "columns": RELEASE_COLUMNS,
    }
    tables: dict[str, Any] = {
        "releases": releases,
        "events": {
            "title": "事件 Events",
            "description": "每个事实一条：新发布、修改、篡改、撤下…… One row per fact.",
            "sort_desc": "created_at",
            "facets": ["type", "severity", "site", {"month": "created_at"}],
            "columns": EVENT_COLUMNS,
        },
        "versions": {
            "title": "版本 Versions",
            "description": "每个不同内容一个版本，保留原始网页作为证据。 One row per distinct content.",
            "sort_desc": "first_seen",
            "columns": VERSION_COLUMNS,
        },
        "release_urls": {"title": "发布网址 Release URLs", "sort_desc": "last_seen"},
        "fetches": {"title": "抓取记录 Fetches", "sort_desc": "fetched_at", "facets": ["outcome", "site"]},
        "runs": {"title": "抓取批次 Runs", "sort_desc": "started_at", "facets": ["status", "site"]},
        "columns": {"title": "栏目 Columns", "facets": ["site", "failing"]},
        "column_runs": {"title": "栏目抓取 Column runs", "sort_desc": "recorded_at"},
        "deliveries": {"title": "推送记录 Deliveries", "facets": ["sink", "state"]},
    }
    for name in HIDDEN:
        tables.setdefault(name, {})["hidden"] = True
    return {
        "title": "govwatch — 政府信息公开监测",
        "description_html": home_links(db_name),
        "databases": {
            db_name: {
                "title": "govwatch 档案 archive",
                "description_html": home_links(db_name),
                "tables": tables,
                "queries": canned_queries(),
            }
        },
        "plugins": {PLUGIN: {"database": db_name, "timezone": timezone}},
    }
