"""``govwatch health``: each site's scorecard — stale columns, broken links, metadata completeness,
unreachable runs in the last week, outbound hosts — judged at ``GOVWATCH_NOW`` (or now).

The sites are those crawled into the database it opens (found by the one rule of
``crawler.config.locate``), with the columns and limits of the configuration that names that
database when there is one, else as the database last recorded them; a configured site never
crawled yet is shown as never read.

Exit 0; 2 when the configuration or the database cannot be read (the message names which).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crawler import console

if TYPE_CHECKING:
    from crawler.config import Config, SiteConfig
    from crawler.store import WatchedColumn

EXIT_USAGE = 2


def _fail(message: object) -> None:
    console.fail(message, EXIT_USAGE)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _of(part: int, whole: int, share: float | None) -> str:
    return f"{part}/{whole} ({_pct(share)})" if whole else "-"


def _column_status(c: dict[str, Any]) -> str:
    if not c["read"]:
        return "never read"
    if c["stale"] is None:
        return "no limit"
    return "STALE" if c["stale"] else "ok"


SITE_HEADERS = (
    "site",
    "stale columns",
    "broken links",
    "no 索引号",
    "no publisher",
    "no date",
    "failed runs (7d)",
    "outbound hosts",
)
COLUMN_HEADERS = ("site", "column", "kind", "newest item", "age (days)", "limit (days)", "status")


def _print(cards: list[dict[str, Any]], fmt: str) -> None:
    rows = []
    for card in cards:
        m, links, reach = card["metadata"], card["links"], card["reachability"]
        rows.append(
            (
                card["site"],
                f"{card['stale_columns']}/{len(card['columns'])}",
                _of(links["links_broken"], links["links_checked"], links["broken_share"]),
                _of(m["missing_index_no"], m["releases"], m["missing_index_no_share"]),
                _of(m["missing_publisher"], m["releases"], m["missing_publisher_share"]),
                _of(m["missing_date"], m["releases"], m["missing_date_share"]),
                _of(reach["failed_runs_last_week"], reach["runs_last_week"], reach["unreachable_share"]),
                links["outbound_hosts"],
            )
        )
    judged = cards[0]["judged_at"] if cards else "-"
    console.print_table(
        SITE_HEADERS, rows, fmt=fmt, title=f"govwatch health — judged at {judged}", right=[False] + [True] * 7
    )
    columns = []
    for card in cards:
        for c in card["columns"]:
            limit = "-" if c["stale_after_days"] is None else f"{c['stale_after_days']:g}"
            age = "-" if c["age_days"] is None else str(c["age_days"])
            columns.append(
                (card["site"], c["column"], c["kind"], c["newest_item"] or "-", age, limit, _column_status(c))
            )
    click.echo()  # the two tables apart (tsv: a blank line between them)
    console.print_table(COLUMN_HEADERS, columns, fmt=fmt, title="columns")


def _recorded_site(name: str, columns: list[WatchedColumn]) -> SiteConfig:
    """A site as the database last recorded it (its configuration is not at hand)."""
    from crawler.config import ColumnConfig, SiteConfig

    made = []
    for c in columns:
        days = c.stale_after_days
        limit: object = timedelta(days=days) if days is not None else "never"
        made.append(
            ColumnConfig.model_validate(
                {
                    "name": c.name or c.column_url,
                    "url": c.column_url,
                    "kind": c.kind or "other",
                    "stale_after": limit,
                }
            )
        )
    return SiteConfig.model_construct(name=name, columns=tuple(made))


def sites_to_judge(watched: dict[str, list[WatchedColumn]], config: Config | None) -> list[SiteConfig]:
    """The database's sites (as configured when the configuration names them, else as recorded),
    then the configured sites never crawled into it."""
    configured = {s.name: s for s in config.sites} if config is not None else {}
    out = [configured.get(name) or _recorded_site(name, cols) for name, cols in watched.items()]
    out += [site for name, site in configured.items() if name not in watched]
    return out


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="config.yaml naming the database and its sites [./config.yaml].",
)
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database [the config's database]."
)
@click.option("--site", "site_name", help="Only this site.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the scorecards as JSON (the same as --format json)."
)
@console.format_option()
def health(
    config_path: str | None, db_path: str | None, site_name: str | None, as_json: bool, fmt: str
) -> None:
    """Per-site scorecard of what national inspections count, for the sites in the database."""
    from crawler.config import ConfigError
    from crawler.config.errors import suggest
    from crawler.config.locate import locate

    try:
        where = locate(db_path, config_path, load=False)
        database = where.require_database()
    except ConfigError as exc:
        _fail(exc)
        return

    from crawler.health import china_now
    from crawler.health.scorecard import scorecard
    from crawler.store import Store, StoreError, storage_fault

    now = china_now()
    try:
        with Store(database, read_only=True) as store:
            sites = sites_to_judge(store.health.watched(), where.config)
            if site_name:
                names = [s.name for s in sites]
                if site_name not in names:
                    close = suggest(site_name, names)
                    hint = f" — did you mean `{close}`?" if close else ""
                    _fail(
                        f"no site named {site_name!r} in {database}; its sites: {', '.join(names) or '(none)'}{hint}"
                    )
                sites = [s for s in sites if s.name == site_name]
            cards = [scorecard(store, site, now) for site in sites]
    except StoreError as exc:
        _fail(str(exc))
        return
    except sqlite3.DatabaseError as exc:
        _fail(storage_fault(exc, Path(database)) or f"cannot read database {database}: {exc}")
        return
    if as_json or fmt == "json":
        click.echo(
            json.dumps(
                {"judged_at": now.isoformat(timespec="seconds"), "sites": cards}, ensure_ascii=False, indent=2
            )
        )
    else:
        _print(cards, fmt)
