"""What every page calls things: Chinese first, English beside it.

- ``PAGES``: the title of each page govwatch ships (canned queries, tables, its own views), as
  ``(zh, en)``; a browser tab shows ``zh · govwatch``.
- ``COLUMNS``: a column name → ``(zh, en)`` header, for tables and canned queries alike (the SQL
  keeps English names: they are the JSON/CSV API).
- ``VALUES``: coded values (event types from the catalog, severities, statuses) → Chinese.
- ``HIDDEN_COLUMNS``: columns a table page leaves out by default (still in the JSON and CSV).
"""

from __future__ import annotations

from collections.abc import Collection

from crawler.events import CATALOG

BRAND = "govwatch"
BRAND_ZH = "政府信息公开监测"

#: page id (a canned query or table name, or a view of govwatch's own) → (zh, en)
PAGES: dict[str, tuple[str, str]] = {
    "home": ("首页", "Home"),
    "database": ("档案", "Archive"),
    "search": ("全文搜索", "Search"),
    "latest_events": ("最新事件", "Latest events"),
    "history": ("发布的历史版本", "A release's history"),
    "attachments": ("发布的附件", "A release's attachments"),
    "attachment_files": ("附件文件", "Attachment files"),
    "attachment_urls": ("附件网址", "Attachment URLs"),
    "version_attachments": ("版本的附件", "Attachments of versions"),
    "changed_recently": ("近期有变化的发布", "Recently changed releases"),
    "tampered": ("被篡改的页面及证据", "Tampered pages and their evidence"),
    "failing": ("抓取失败的来源", "Failing sources"),
    "releases_by_month": ("按月统计", "Releases by month"),
    "site_health": ("站点健康", "Site health"),
    "broken_links": ("失效链接", "Broken links"),
    "releases": ("全部发布", "All releases"),
    "events": ("全部事件", "All events"),
    "versions": ("版本", "Versions"),
    "release_urls": ("发布网址", "Release URLs"),
    "fetches": ("抓取记录", "Fetches"),
    "runs": ("抓取批次", "Runs"),
    "columns": ("栏目", "Columns"),
    "column_runs": ("栏目抓取", "Column runs"),
    "deliveries": ("推送记录", "Deliveries"),
    "listings": ("列表记录", "Listings"),
    "acks": ("已复核的标记", "Reviewed flags"),
    "release_links": ("发布中的链接", "Links in releases"),
    "release_link_sync": ("链接同步", "Link sync"),
    "link_checks": ("链接检查", "Link checks"),
    "link_status": ("链接状态", "Link status"),
    "column_health": ("栏目健康", "Column health"),
    "site_health_table": ("站点体检记录", "Site health records"),
    "outbound_hosts": ("外链域名", "Outbound hosts"),
    "release": ("发布", "Release"),
    "diff": ("版本差异", "Diff"),
    "feed": ("事件订阅", "Atom feed"),
    "verify": ("核对副本", "Verify a copy"),
}

#: the tables a reader is shown on the home and database pages; the rest are hidden (metadata)
READER_TABLES = ("releases", "events", "versions", "columns", "runs")

#: column name → (zh, en)
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("编号", "id"),
    "key": ("索引号 / 键", "key"),
    "index_no": ("索引号", "index no."),
    "title": ("标题", "title"),
    "publisher": ("发布机构", "publisher"),
    "written_date": ("成文日期", "written"),
    "published_at": ("发布日期", "published"),
    "doc_number": ("文号", "doc. no."),
    "category": ("分类", "category"),
    "validity": ("有效性", "validity"),
    "unified_no": ("统一编号", "unified no."),
    "site_name": ("网站名称", "site name"),
    "column": ("栏目", "column"),
    "url": ("网址", "URL"),
    "site": ("站点", "site"),
    "first_seen": ("首次发现", "first seen"),
    "last_seen": ("最近看到", "last seen"),
    "current_version": ("当前版本", "version"),
    "status": ("状态", "status"),
    "content_hash": ("内容指纹", "content hash"),
    "removed_at": ("撤下时间", "removed at"),
    "type": ("事件", "event"),
    "severity": ("严重程度", "severity"),
    "baseline": ("首次抓取", "baseline"),
    "version": ("版本", "version"),
    "version_before": ("原版本", "from version"),
    "flags": ("完整性标记", "flags"),
    "details": ("详情", "details"),
    "run_id": ("抓取批次", "run"),
    "created_at": ("时间", "time"),
    "fields": ("解析出的字段", "fields"),
    "body": ("正文", "body"),
    "raw_html": ("原始网页", "raw page"),
    "normalizer_version": ("解析器版本", "normalizer"),
    "context": ("摘要", "context"),
    "score": ("相关度", "score"),
    "change": ("变化", "change"),
    "diff_summary": ("变化", "change"),
    "evidence": ("证据", "evidence"),
    "diff": ("差异", "diff"),
    "warc": ("WARC 存档", "history as WARC"),
    "attachments": ("附件", "attachments"),
    "no": ("序号", "no."),
    "size": ("大小（字节）", "size (bytes)"),
    "text_status": ("文字", "text read"),
    "warning": ("警示", "warning"),
    "download": ("下载", "download"),
    "critical_flags": ("篡改标记", "critical flags"),
    "event_types": ("事件", "events"),
    "last_event_at": ("最近事件", "last event"),
    "rule": ("规则", "rule"),
    "location": ("位置", "location"),
    "still_flagged": ("仍被标记", "still flagged"),
    "kind": ("类型", "kind"),
    "failing_since": ("失败起始", "failing since"),
    "streak": ("连续失败次数", "failed runs"),
    "state": ("状态", "state"),
    "error_kind": ("错误类型", "error"),
    "checked_at": ("检查时间", "checked"),
    "stale_columns": ("停更栏目 / 栏目", "stale columns"),
    "stale_detail": ("停更详情", "stale detail"),
    "broken_links": ("失效 / 已检查链接", "broken links"),
    "broken_pct": ("链接失效率", "broken share"),
    "attachments_broken": ("失效附件", "broken attachments"),
    "releases": ("发布数", "releases"),
    "no_index_no_pct": ("缺索引号", "no 索引号"),
    "no_publisher_pct": ("缺发布机构", "no publisher"),
    "no_date_pct": ("缺日期", "no date"),
    "failed_runs_7d": ("近 7 天失败 / 抓取次数", "failed runs, 7 days"),
    "outbound_hosts": ("外链域名数", "outbound hosts"),
    "month": ("月份", "month"),
    "removed": ("其中已撤下", "removed"),
    "error": ("错误", "error"),
    "broken_since": ("失效起始", "broken since"),
    "checks": ("检查次数", "checks"),
    "release_url": ("发布网址", "release URL"),
    "text": ("链接文字", "link text"),
    "host": ("域名", "host"),
    "offsite": ("站外", "off-site"),
    "started_at": ("开始", "started"),
    "finished_at": ("结束", "finished"),
    "requests": ("请求数", "requests"),
    "bytes": ("字节", "bytes"),
    "counts": ("计数", "counts"),
    "notes": ("备注", "notes"),
    "outcome": ("结果", "outcome"),
    "fetched_at": ("抓取时间", "fetched"),
    "elapsed": ("耗时（秒）", "seconds"),
    "not_release_reason": ("非发布原因", "not a release"),
    "etag": ("ETag", "ETag"),
    "last_modified": ("Last-Modified", "Last-Modified"),
    "name": ("名称", "name"),
    "column_url": ("栏目网址", "column URL"),
    "first_ok_run": ("首次成功批次", "first ok run"),
    "last_ok_at": ("最近成功", "last ok"),
    "fail_streak": ("连续失败", "fail streak"),
    "failing": ("失败中", "failing"),
    "layout_alert": ("版式警报", "layout alert"),
    "column_id": ("栏目", "column"),
    "ok": ("成功", "ok"),
    "items": ("条目", "items"),
    "pages": ("页数", "pages"),
    "complete": ("读完", "complete"),
    "recorded_at": ("记录时间", "recorded"),
    "event_id": ("事件", "event"),
    "sink": ("推送渠道", "sink"),
    "attempts": ("尝试次数", "attempts"),
    "last_error": ("最近错误", "last error"),
    "updated_at": ("更新时间", "updated"),
    "claimed_by": ("处理进程", "claimed by"),
    "list_date": ("列表日期", "list date"),
    "gone_streak": ("连续消失", "gone streak"),
    "fail_reported": ("已报告失败", "failure reported"),
    "conflict_reported": ("已报告冲突", "conflict reported"),
    "releases_changed": ("有变化的发布", "releases"),
}

#: columns whose 0/1 values read 是/否
BOOLEAN_COLUMNS = frozenset(
    {
        "baseline",
        "failing",
        "layout_alert",
        "ok",
        "complete",
        "offsite",
        "still_flagged",
        "fail_reported",
        "conflict_reported",
        "stale",
    }
)

#: columns holding a time (ISO 8601 with an offset): shown in the configured zone
TIME_COLUMNS = frozenset(
    {
        "created_at",
        "first_seen",
        "last_seen",
        "removed_at",
        "fetched_at",
        "started_at",
        "finished_at",
        "checked_at",
        "recorded_at",
        "updated_at",
        "last_event_at",
        "failing_since",
        "broken_since",
        "last_ok_at",
        "acked_at",
        "first_listed_at",
        "synced_at",
    }
)

#: columns holding a share in per cent (already × 100)
PERCENT_COLUMNS = frozenset({"broken_pct", "no_index_no_pct", "no_publisher_pct", "no_date_pct"})
#: columns holding a share as a fraction (0…1)
FRACTION_COLUMNS = frozenset(
    {"broken_share", "missing_index_no_share", "missing_publisher_share", "missing_date_share"}
)
#: columns holding a URL (a link only when it is http(s))
URL_COLUMNS = frozenset({"url", "release_url", "column_url", "other_url"})

EVENT_TYPES: dict[str, str] = {e.name: e.zh for e in CATALOG}
SEVERITIES = {"critical": "严重", "warning": "警告", "info": "提示"}
#: integrity rules (crawler/integrity/detectors) as a reader says them; the rule's name follows
RULES = {
    "spam_lexicon": "博彩、色情等垃圾内容",
    "spam_added": "新增垃圾内容",
    "junk_preamble": "文档前的垃圾代码",
    "hidden_links": "隐藏链接",
    "host_mismatch": "网址与页面所属网站不符",
    "redirect": "跳转到其他网站",
}
#: value labels by column (beyond event types and severities)
VALUES: dict[str, dict[str, str]] = {
    "status": {
        "live": "在线",
        "removed": "已撤下",
        "ok": "成功",
        "partial": "部分成功",
        "failed": "失败",
        "running": "进行中",
        "interrupted": "中断",
    },
    "state": {
        "fetch_failed": "已报告：抓取失败",
        "failing": "连续失败，尚未报告",
        "delivered": "已送达",
        "pending": "待发送",
        "failed": "失败",
        "skipped": "跳过",
        "claimed": "发送中",
    },
    "kind": {
        "column": "栏目",
        "release": "发布",
        "link": "链接",
        "attachment": "附件",
        "news": "新闻",
        "notice": "通知",
        "policy": "政策",
        "other": "其他",
    },
    "outcome": {
        "ok": "发布页",
        "not_modified": "未修改",
        "gone": "已消失",
        "error": "出错",
        "not_release": "非发布页",
    },
}

#: columns a table page leaves out unless asked (``?_col=``); the JSON and CSV keep them
HIDDEN_COLUMNS: dict[str, frozenset[str]] = {
    "releases": frozenset(
        {
            "id",
            "index_no",
            "content_hash",
            "unified_no",
            "site_name",
            "doc_number",
            "validity",
            "url",
            "last_seen",
            "removed_at",
        }
    ),
    "versions": frozenset({"id", "content_hash", "normalizer_version", "fields"}),
    "events": frozenset({"id", "index_no", "details", "run_id", "version_before"}),
    # canned queries: the title links to the release page, so the key is not repeated
    "latest_events": frozenset({"id", "severity", "key", "version_before", "version", "baseline"}),
    "history": frozenset({"key", "content_hash"}),
    "changed_recently": frozenset({"key"}),
    "tampered": frozenset({"key"}),
    "failing": frozenset({"key"}),
    "site_health": frozenset({"run_id"}),
    "broken_links": frozenset({"key", "host"}),
}


def page_title(page: str) -> tuple[str, str]:
    return PAGES.get(page, (page, page))


def column_label(column: str) -> tuple[str, str]:
    return COLUMNS.get(column, (column, ""))


def value_label(column: str, value: str) -> str | None:
    """The Chinese for a coded value, or None when the value is not a code this column uses."""
    if column in ("type", "event_type"):
        return EVENT_TYPES.get(value)
    if column == "severity":
        return SEVERITIES.get(value)
    if column == "rule":
        return rule_label(value) if value in RULES else None
    return VALUES.get(column, {}).get(value)


#: the order a table page shows its columns in (the rest follow in the table's own order)
COLUMN_ORDER: dict[str, tuple[str, ...]] = {
    "releases": ("title", "key", "publisher", "written_date", "published_at"),
    "events": ("created_at", "type", "severity", "site", "title", "key", "flags", "url"),
    "versions": ("key", "version", "first_seen", "last_seen", "url", "body", "flags", "raw_html"),
    "runs": ("id", "site", "started_at", "finished_at", "status"),
}


def column_order(table: str | None, names: list[str], hidden: Collection[str] = ()) -> list[int]:
    """Indexes of ``names`` to show, in the order ``COLUMN_ORDER`` gives for ``table``."""
    first = COLUMN_ORDER.get(table or "", ())
    rank = {name: i for i, name in enumerate(first)}
    shown = [i for i, name in enumerate(names) if name not in hidden]
    return sorted(shown, key=lambda i: (rank.get(names[i], len(first)), i))


def rule_label(rule: object) -> str:
    """``博彩、色情等垃圾内容 spam_lexicon``: a flag's rule in words, its name beside (unknown: the name)."""
    name = str(rule or "")
    words = RULES.get(name)
    return f"{words} {name}" if words else name
