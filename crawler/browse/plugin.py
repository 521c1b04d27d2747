"""govwatch's Datasette plugin (registered by ``govwatch serve``; Datasette 0.65 hooks).

- ``prepare_connection``: SQL functions ``bigram_query(q)`` (what a person typed → an FTS5 phrase
  query of bigrams, ``crawler.store.search_query``) and ``bigrams(text)``, both refusing inputs longer
  than ``MAX_FUNCTION_INPUT`` characters (Datasette's time limit cannot interrupt a Python function).
- ``filters_from_request``: the releases table's own search box. ``releases`` has no FTS table
  Datasette would detect (and Datasette would pass the query as typed), so this hook adds the search:
  ``?_search=衢州`` → ``id in (select rowid from releases_fts where releases_fts match bigram_query(…))``
  — for the HTML page and the JSON/CSV API alike. It runs last so its ``supports_search`` wins.
- ``render_cell``: a release key links to its history; a history row's ``diff`` cell links to the
  diff view, its ``warc`` cell downloads the release's history as WARC (``verify_page``). Values are escaped with ``markupsafe.escape``; everything else keeps Datasette's escaping.
- ``permission_allowed``: no writes of any kind for anyone.
- ``extra_css_urls``: compact column descriptions, the diff colours (``static/govwatch.css``).
- ``register_routes``: ``/-/govwatch/diff``, ``/-/govwatch/events.atom`` and ``/-/govwatch/raw``
  (``views``; a stored page as a download, never rendered).
- ``asgi_wrapper``: ``X-Content-Type-Options: nosniff`` on every response; stored bytes (``.blob``,
  ``/-/govwatch/raw``) also ``Content-Disposition: attachment`` and a sandboxing
  ``Content-Security-Policy``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from markupsafe import Markup, escape

from crawler.browse.downloads import RAW_ROUTE, raw_link, raw_view, secure_headers
from crawler.browse.facets import MonthFacet
from crawler.browse.metadata import PLUGIN, db_path
from crawler.browse.verify_page import WARC_PATH
from crawler.browse.views import atom_view, diff_view
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
_DIFF_LABEL = re.compile(r"^v\d+ → v\d+$")


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


def _ours(datasette: Any, database: str | None) -> bool:
    config = datasette.plugin_config(PLUGIN) or {}
    return database is not None and database == config.get("database")


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("bigram_query", 1, bigram_query, deterministic=True)
    conn.create_function("bigrams", 1, bounded_bigrams, deterministic=True)


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


def _get(row: Any, name: str) -> Any:
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if not _ours(datasette, database):
        return None
    if column == "raw_html" and isinstance(value, bytes):
        return raw_link(table, row, value)
    if not isinstance(value, str):
        return None
    base = db_path(database)
    if column == "key" and value and not value.startswith("column:"):
        href = f"{base}/history?{urlencode({'key': value})}"
        return Markup(f'<a href="{escape(href)}" title="history 历史版本">{escape(value)}</a>')
    if column == "diff" and table is None and _DIFF_LABEL.match(value):
        key, version = _get(row, "key"), _get(row, "version")
        if not isinstance(key, str) or not isinstance(version, int) or version < 2:
            return None
        href = "/-/govwatch/diff?" + urlencode({"key": key, "from": version - 1, "to": version})
        return Markup(f'<a class="govwatch-diff-link" href="{escape(href)}">{escape(value)}</a>')
    if column == "warc" and table is None and value == "WARC":
        key = _get(row, "key")
        if not isinstance(key, str):
            return None
        href = f"{WARC_PATH}?{urlencode({'key': key})}"
        return Markup(f'<a href="{escape(href)}" download title="this release\'s history as WARC">WARC</a>')
    return None


@hookimpl
def extra_css_urls() -> list[str]:
    return [CSS_URL]


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/govwatch/diff$", diff_view),
        (r"^/-/govwatch/events\.atom$", atom_view),
        (RAW_ROUTE, raw_view),
    ]


@hookimpl
def asgi_wrapper() -> Any:
    return secure_headers


@hookimpl
def register_facet_classes() -> list[type]:
    return [MonthFacet]
