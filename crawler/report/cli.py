"""``govwatch report``: show recent events, or deliver the pending ones to the configured sinks."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from crawler import clock

if TYPE_CHECKING:
    from crawler.config import Config
    from crawler.store import Store

EXIT_OK, EXIT_PENDING, EXIT_USAGE = 0, 1, 2
DEFAULT_CONFIG = Path("config.yaml")


def fail(message: str) -> NoReturn:
    click.echo(f"govwatch report: {message}", err=True)
    sys.exit(EXIT_USAGE)


def load(config_path: Path, explicit: bool, db: Path | None) -> Config:
    """The config; without one (the default path missing) and with ``--db``, the built-in defaults."""
    from crawler.config import ConfigError, config_from_dict, load_config

    try:
        if not config_path.exists() and not explicit and db is not None:
            return config_from_dict({}, source="<defaults>")
        if not config_path.exists():
            fail(f"configuration file {config_path} does not exist (use --config PATH)")
        return load_config(config_path)
    except ConfigError as exc:
        fail(f"configuration error: {exc}")


def open_store(path: Path, read_only: bool = True) -> Store:
    from crawler.store import Store, StoreError, storage_fault

    if not path.exists():
        fail(f"database {path} does not exist (run a crawl first, or pass --db PATH)")
    if path.is_dir():
        fail(f"database {path} is a directory, not an SQLite file")
    try:
        store = Store(path, read_only=read_only)
        store.check()
        return store
    except StoreError as exc:
        fail(str(exc))
    except (sqlite3.Error, OSError) as exc:
        fail(storage_fault(exc, path) or f"cannot open database {path}: {exc}")
    except Exception as exc:  # e.g. a migration refusing a foreign file
        fail(f"cannot open database {path}: {type(exc).__name__}: {exc}")


def parse_since(value: str | None) -> str:
    """ISO 8601 of the start of the window: ``--since`` (a date or date-time) or 7 days before now."""
    if not value:
        return (clock.now() - timedelta(days=7)).isoformat(timespec="seconds")
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"--since {value!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time")
    if not dt.tzinfo:
        dt = dt.replace(tzinfo=clock.now().tzinfo or clock.CHINA)
    return dt.isoformat(timespec="seconds")


def render(events: list[Any], fmt: str, since: str) -> str:
    from crawler.report import render_json, render_markdown, render_text

    if fmt == "json":
        return render_json(events, since=since)
    if fmt == "markdown":
        return render_markdown(events, title=f"govwatch events since {since}")
    return render_text(events) or f"No events since {since}.\n"


def show(store: Store, since: str, fmt: str) -> int:
    from crawler.report.enrich import enrich

    # created_at values carry their own offset; compare instants, not strings
    start = clock.parse_iso(since)
    rough = (start - timedelta(days=1)).date().isoformat()
    events = [e for e in store.events(since=rough) if e.created_at and clock.parse_iso(e.created_at) >= start]
    from crawler.safetext import json_text, terminal

    text = render(enrich(store, events), fmt, since)
    click.echo(json_text(text) if fmt == "json" else terminal(text), nl=False)
    return EXIT_OK


def deliver_all(store: Store, config: Config, fmt: str) -> int:
    import json

    from crawler.report import deliver
    from crawler.safetext import json_text, terminal

    results = deliver(store, config)
    if fmt == "json":
        summary = [
            {
                "sink": r.sink,
                "delivered": [e.id for e in r.delivered],
                "failed": r.failed,
                "not_attempted": r.left,
                "skipped_baseline": r.skipped_baseline,
                "error": r.error,
            }
            for r in results
        ]
        click.echo(json_text(json.dumps({"deliveries": summary}, ensure_ascii=False, indent=2)))
    else:
        for r in results:
            line = f"{r.sink}: delivered {len(r.delivered)}"
            if r.delivered:
                line += " (" + ", ".join(f"#{e.id} {e.type}" for e in r.delivered[:20])
                line += ", …)" if len(r.delivered) > 20 else ")"
            if r.skipped_baseline:
                line += f"; skipped {r.skipped_baseline} baseline"
            if r.failed or r.left:
                line += f"; still pending {r.failed + r.left}"
            if r.error:
                line += f" — {r.error}"
            click.echo(terminal(line))
    return EXIT_OK if all(r.ok for r in results) else EXIT_PENDING


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Configuration file (default: config.yaml).",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=None,
    help="Database file (default: `database:` of the config).",
)
@click.option(
    "--since", default=None, help="Show events from this date or date-time on (default: the last 7 days)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True
)
@click.option(
    "--deliver", "do_deliver", is_flag=True, help="Deliver every pending event to the configured sinks."
)
def report(config_path: Path | None, db: Path | None, since: str | None, fmt: str, do_deliver: bool) -> None:
    """Print the events of the last 7 days (or since --since), or with --deliver hand every pending
    event to the configured sinks (console, jsonl, markdown, atom, webhook) and list what was sent.

    Exit status: 0; 1 when --deliver left events pending (a sink failed; they are retried next time);
    2 for a bad configuration, database or option.
    """
    explicit = config_path is not None
    try:
        clock.now()
    except clock.ClockError as exc:
        fail(str(exc))
    config = load(config_path or DEFAULT_CONFIG, explicit, db)
    start = parse_since(since) if not do_deliver else ""
    store = open_store((db or config.database).resolve(), read_only=not do_deliver)
    try:
        code = deliver_all(store, config, fmt) if do_deliver else show(store, start, fmt)
    finally:
        store.close()
    sys.exit(code)
