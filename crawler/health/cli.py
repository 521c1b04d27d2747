"""``govwatch health``: each site's scorecard — stale columns, broken links, metadata completeness,
unreachable runs in the last week, outbound hosts — judged at ``GOVWATCH_NOW`` (or now).

Exit 0; 2 when the configuration or the database cannot be read (the message names which).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import click

EXIT_USAGE = 2


def _fail(message: str) -> None:
    click.echo(f"govwatch: {message}", err=True)
    raise click.exceptions.Exit(EXIT_USAGE)


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


def _print(cards: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"govwatch health — judged at {cards[0]['judged_at'] if cards else '-'}")
    for name in (
        "site",
        "stale columns",
        "broken links",
        "no 索引号",
        "no publisher",
        "no date",
        "failed runs (7d)",
        "outbound hosts",
    ):
        table.add_column(name, justify="left" if name == "site" else "right")
    for card in cards:
        m, links, reach = card["metadata"], card["links"], card["reachability"]
        table.add_row(
            card["site"],
            f"{card['stale_columns']}/{len(card['columns'])}",
            _of(links["links_broken"], links["links_checked"], links["broken_share"]),
            _of(m["missing_index_no"], m["releases"], m["missing_index_no_share"]),
            _of(m["missing_publisher"], m["releases"], m["missing_publisher_share"]),
            _of(m["missing_date"], m["releases"], m["missing_date_share"]),
            _of(reach["failed_runs_last_week"], reach["runs_last_week"], reach["unreachable_share"]),
            str(links["outbound_hosts"]),
        )
    console.print(table)
    for card in cards:
        columns = Table(title=f"{card['site']}: columns", title_justify="left")
        for name in ("column", "kind", "newest item", "age (days)", "limit (days)", "status"):
            columns.add_column(name)
        for c in card["columns"]:
            limit = "-" if c["stale_after_days"] is None else f"{c['stale_after_days']:g}"
            age = "-" if c["age_days"] is None else str(c["age_days"])
            columns.add_row(c["column"], c["kind"], c["newest_item"] or "-", age, limit, _column_status(c))
        console.print(columns)


@click.command()
@click.option(
    "--config", "config_path", default="config.yaml", show_default=True, type=click.Path(dir_okay=False)
)
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database [the config's database]."
)
@click.option("--site", "site_name", help="Only this site.")
@click.option("--json", "as_json", is_flag=True, help="Print the scorecards as JSON.")
def health(config_path: str, db_path: str | None, site_name: str | None, as_json: bool) -> None:
    """Per-site scorecard of what national inspections count."""
    from crawler.config import ConfigError, load_config

    path = Path(config_path)
    if not path.is_file():
        _fail(f"config file not found: {path}")
    try:
        config = load_config(path)
        sites = [config.site(site_name)] if site_name else list(config.sites)
    except (ConfigError, OSError) as exc:
        _fail(f"configuration error: {exc}")
        return
    database = Path(db_path) if db_path else Path(config.database)
    if not database.is_file():
        _fail(f"database not found: {database}")

    from crawler.health import china_now
    from crawler.health.scorecard import scorecard
    from crawler.store import Store, StoreError, storage_fault

    now = china_now()
    try:
        with Store(database, read_only=True) as store:
            cards = [scorecard(store, site, now) for site in sites]
    except StoreError as exc:
        _fail(str(exc))
        return
    except sqlite3.DatabaseError as exc:
        _fail(storage_fault(exc, database) or f"cannot read database {database}: {exc}")
        return
    if as_json:
        click.echo(
            json.dumps(
                {"judged_at": now.isoformat(timespec="seconds"), "sites": cards}, ensure_ascii=False, indent=2
            )
        )
    else:
        _print(cards)
