"""govwatch's Datasette plugin (registered by ``govwatch serve``; Datasette 0.65 hooks).

- ``prepare_connection``: SQL functions ``bigram_query(q)`` (what a person typed → an FTS5 phrase
  query of bigrams, ``crawler.store.search_query``), ``bigrams(text)`` and ``govwatch_snippet(body, q)``
  (a readable window of the stored body around the first word searched for, ``snippets``); the first
  two refuse inputs longer than ``MAX_FUNCTION_INPUT`` characters (Datasette's time limit cannot
  interrupt a Python function), the snippet reads at most that many.
- ``filters_from_request``: the releases table's own search box. ``releases`` has no FTS table
  Datasette would detect (and Datasette would pass the query as typed), so this hook adds the search:
  ``?_search=衢州`` → ``id in (select rowid from releases_fts where releases_fts match bigram_query(…))``
  — for the HTML page and the JSON/CSV API alike. It runs last so its ``supports_search`` wins.
- ``render_cell``: values a reader understands (``present.cell``): local times, 是/否, percentages,
  event types in Chinese, release keys and titles linking to the release page, http(s)-only links,
  diff summaries marked up and linked to the diff page, a history row's ``warc`` cell a download
  of the release's history as WARC (``verify_page``). Everything escaped.
- ``prepare_jinja2_environment`` / ``extra_template_vars``: the filters and the ``gw`` variable of
  govwatch's templates (page titles, column labels, navigation, whether visitors may run SQL, the
  charts of the home page, the search filters' choices).
- ``permission_allowed``: no writes of any kind for anyone.
- ``extra_css_urls``: ``static/govwatch.css`` (a CJK font stack, the reader's layout, 390 px phones).
- ``register_routes``: ``/-/govwatch/release``, ``/-/govwatch/diff``, ``/-/govwatch/events.atom`` and
  ``/-/govwatch/raw`` (a stored page as a download, never rendered), ``/-/govwatch/attachment`` (a stored
  attachment, likewise).
- ``asgi_wrapper``: ``X-Content-Type-Options: nosniff`` on every response; stored bytes (``.blob``,
  ``/-/govwatch/raw``) also ``Content-Disposition: attachment`` and a sandboxing
  ``Content-Security-Policy``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from markupsafe import Markup, escape

from crawler.browse import labels, present, snippets
from crawler.browse.downloads import (
    ATTACHMENT_ROUTE,
    RAW_ROUTE,
    attachment_link,
    attachment_view,
    raw_link,
    raw_view,
    secure_headers,
)
from crawler.browse.facets import MonthFacet
from crawler.browse.metadata import PLUGIN, db_path
from crawler.browse.verify_page import WARC_PATH
from crawler.browse.views import atom_view, database_name, diff_view, release_view
from crawler.store.search import bigrams, search_query

SEARCH_TABLE = "releases"
FTS_TABLE = "releases_fts"
WRITE_ACTIONS = frozenset(
    {
        "insert-row",
        "delete-row",
        "update-row",
        "upsert-row",
        "create-table",
        "alter-table",
        "drop-table",
        "permissions-debug",
    }
)
CSS_URL = "/-/govwatch-static/govwatch.css"
#: the longest text ``bigrams()`` / ``bigram_query()`` take in SQL (a release body is far shorter)
MAX_FUNCTION_INPUT = 200_000
#: canned queries whose page shows one of the home page's charts
CHART_QUERIES = {"releases_by_month": "months", "site_health": "health", "latest_events": "events"}


def _bounded(text: object, name: str) -> str | None:
    if text is None:
        return None
    if isinstance(text, bytes):
        raise ValueError(f"{name}() takes text, not a blob")
    text = str(text)
    if len(text) > MAX_FUNCTION_INPUT:
        raise ValueError(f"{name}() takes at most {MAX_FUNCTION_INPUT} characters")
    return text


def bigram_query(text: str | None) -> str:
    """``search_query`` for SQL: never an empty MATCH expression (an FTS5 syntax error)."""
    return search_query(_bounded(text, "bigram_query")) or '""'


def bounded_bigrams(text: str | None) -> str:
    """``bigrams`` for SQL, refusing inputs longer than ``MAX_FUNCTION_INPUT``."""
    return bigrams(_bounded(text, "bigrams"))


def snippet_sql(body: object, query: object) -> str:
    """``snippets.snippet`` for SQL: text only, at most ``MAX_FUNCTION_INPUT`` characters read."""
    if not isinstance(body, str):
        return ""
    q = query if isinstance(query, str) else ""
    return snippets.snippet(body[:MAX_FUNCTION_INPUT], q[:1000])


def _ours(datasette: Any, database: str | None) -> bool:
    config = datasette.plugin_config(PLUGIN) or {}
    return database is not None and database == config.get("database")


def _zone(datasette: Any) -> Any:
    return present.zone((datasette.plugin_config(PLUGIN) or {}).get("timezone"))


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("bigram_query", 1, bigram_query, deterministic=True)
    conn.create_function("bigrams", 1, bounded_bigrams, deterministic=True)
    conn.create_function("govwatch_snippet", 2, snippet_sql, deterministic=True)


@hookimpl(trylast=True)
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> FilterArguments | None:
    if table != SEARCH_TABLE or not _ours(datasette, database):
        return None
    query = (request.args.get("_search") or "").strip()
    context: dict[str, Any] = {"supports_search": True, "search": query}
    if not query:
        return FilterArguments([], extra_context=context)
    return FilterArguments(
        [f"id in (select rowid from {FTS_TABLE} where {FTS_TABLE} match bigram_query(:govwatch_search))"],
        {"govwatch_search": query},
        [f'search matches "{query}"'],
        context,
    )


@hookimpl
def permission_allowed(action: str) -> bool | None:
    return False if action in WRITE_ACTIONS else None


def _warc_link(row: Any) -> Markup | None:
    """A history row's ``warc`` cell: the release's history as a WARC download."""
    try:
        key = row["key"]
    except (KeyError, IndexError):
        return None
    if not isinstance(key, str):
        return None
    href = f"{WARC_PATH}?{urlencode({'key': key})}"
    return Markup(
        f'<a href="{escape(href)}" download title="历史版本的 WARC 文件 · the history as WARC">WARC</a>'
    )


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if not _ours(datasette, database):
        return None
    if column == "raw_html" and isinstance(value, bytes):
        return raw_link(table, row, value)
    if column == "download" and table is None and isinstance(value, str):
        return attachment_link(value)
    if column == "attachments" and table is None and isinstance(value, str) and value:
        key = present._get(row, "key")
        if isinstance(key, str):
            href = f"{db_path(database)}/attachments?{urlencode({'key': key})}"
            return Markup(f'<a href="{escape(href)}" title="attachments 附件">{escape(value)}</a>')
    if column == "warc" and table is None and value == "WARC":
        return _warc_link(row)
    return present.cell(row, value, column, table, _zone(datasette))


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    env.filters["gw_time"] = lambda value, seconds=False: present.local_time(
        value, _zone(datasette), seconds=seconds
    )
    env.filters["gw_highlight"] = snippets.highlight
    env.filters["gw_percent"] = present.percent
    env.filters["gw_flags"] = present.flags_markup
    env.filters["gw_link"] = present.external_link
    env.globals["gw_release_href"] = present.release_href
    env.globals["gw_label"] = labels.column_label
    env.globals["gw_column_order"] = labels.column_order
    env.globals["gw_value"] = labels.value_label
    env.globals["gw_rule"] = labels.rule_label
    env.globals["gw_event_type"] = present.event_type


def _nav(base: str) -> list[tuple[str, str, str]]:
    """(page id, href, label) of the navigation bar on every page."""
    return [
        ("search", f"{base}/search", "搜索"),
        ("latest_events", f"{base}/latest_events", "最新事件"),
        ("changed_recently", f"{base}/changed_recently", "近期变化"),
        ("tampered", f"{base}/tampered", "篡改"),
        ("failing", f"{base}/failing", "抓取失败"),
        ("site_health", f"{base}/site_health", "站点健康"),
        ("releases", f"{base}/releases", "全部发布"),
    ]


def _page_id(template: str, view_name: str | None, request: Any) -> str:
    url_vars = getattr(request, "url_vars", None) or {}
    if template in ("query.html", "table.html", "row.html") and url_vars.get("table"):
        return str(url_vars["table"])
    if template == "query.html":
        return "sql"
    if template == "index.html":
        return "home"
    if template == "database.html":
        return "database"
    return view_name or template.removesuffix(".html")


async def _search_choices(db: Any) -> dict[str, list[Any]]:
    sites = (await db.execute("select site, count(*) as n from releases group by site order by site")).rows
    publishers = (
        await db.execute(
            "select publisher, count(*) as n from releases where coalesce(publisher, '') != ''"
            " group by publisher order by n desc, publisher limit 300"
        )
    ).rows
    return {
        "sites": [(r["site"], r["n"]) for r in sites],
        "publishers": [(r["publisher"], r["n"]) for r in publishers],
    }


@hookimpl
def extra_template_vars(
    template: str, database: str | None, view_name: str | None, request: Any, datasette: Any
) -> Any:
    async def gw() -> dict[str, Any]:
        from crawler.browse.overview import overview

        name = database_name(datasette)
        base = db_path(name)
        page = _page_id(template, view_name, request)
        zh, en = labels.page_title(page)
        allow_sql = await datasette.permission_allowed(
            getattr(request, "actor", None), "execute-sql", name, default=True
        )
        out: dict[str, Any] = {
            "db": name,
            "db_path": base,
            "page": page,
            "zh": zh,
            "en": en,
            "brand": labels.BRAND,
            "brand_zh": labels.BRAND_ZH,
            "nav": _nav(base),
            "allow_sql": bool(allow_sql),
            "hidden_columns": labels.HIDDEN_COLUMNS,
            "reader_tables": labels.READER_TABLES,
            "pages": labels.PAGES,
            "feed": "/-/govwatch/events.atom",
        }
        db = datasette.get_database(name)
        if page == "home" or page in CHART_QUERIES:
            out["overview"] = await overview(db, _zone(datasette))
        if page == "search":
            out["choices"] = await _search_choices(db)
        return {"gw": out}

    return gw


@hookimpl
def extra_css_urls() -> list[str]:
    return [CSS_URL]


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/govwatch/release$", release_view),
        (r"^/-/govwatch/diff$", diff_view),
        (r"^/-/govwatch/events\.atom$", atom_view),
        (RAW_ROUTE, raw_view),
        (ATTACHMENT_ROUTE, attachment_view),
    ]


@hookimpl
def asgi_wrapper() -> Any:
    return secure_headers


@hookimpl
def register_facet_classes() -> list[type]:
    return [MonthFacet]
