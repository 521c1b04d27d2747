"""``govwatch report``: show recent events, or deliver the pending ones to the configured sinks."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from crawler import clock, console

if TYPE_CHECKING:
    from crawler.config import Config
    from crawler.store import Store

EXIT_OK, EXIT_PENDING, EXIT_USAGE = 0, 1, 2


def fail(message: object) -> NoReturn:
    console.fail(message, EXIT_USAGE)


def open_store(path: Path, read_only: bool = True) -> Store:
    from crawler.store import Store, StoreError, storage_fault

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


def baseline_note(events: list[Any], config: Config | None) -> str:
    """Why the report's baseline events never reached the sinks (empty when none is baseline or the
    configuration sends them)."""
    baseline = sum(1 for e in events if e.baseline)
    if not baseline or (config is not None and config.notify_baseline):
        return ""
    why = "notify_baseline is false" if config is not None else "unless notify_baseline is true"
    return (
        f"\nNote: {baseline} of these events are baseline (marked so above): what a column's first crawl "
        f"found already there. The sinks do not get them, {why}; turn notify_baseline on in config.yaml "
        "to have the next column's baseline reported.\n"
    )


def render(events: list[Any], fmt: str, since: str) -> str:
    from crawler.report import render_json, render_markdown, render_text

    if fmt == "json":
        return render_json(events, since=since)
    if fmt == "markdown":
        return render_markdown(events, title=f"govwatch events since {since}")
    return render_text(events) or f"No events since {since}.\n"


def show(store: Store, since: str, fmt: str, config: Config | None = None) -> int:
    from crawler.report.enrich import enrich

    # created_at values carry their own offset; compare instants, not strings
    start = clock.parse_iso(since)
    rough = (start - timedelta(days=1)).date().isoformat()
    events = [e for e in store.events(since=rough) if e.created_at and clock.parse_iso(e.created_at) >= start]
    from crawler.safetext import json_text, terminal

    text = render(enrich(store, events), fmt, since)
    if fmt != "json":
        text += baseline_note(events, config)
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
                "filtered": r.filtered,
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
            if r.filtered:
                line += f"; {r.filtered} left out by its filters"
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
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Configuration file [./config.yaml].",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Database file [the config's database:, else govwatch.db].",
)
@click.option(
    "--since",
    type=console.SINCE,
    default=None,
    help="Show events from then on: a date, a date-time, today, yesterday, or an age (7d) [7d].",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True
)
@click.option(
    "--deliver", "do_deliver", is_flag=True, help="Deliver every pending event to the configured sinks."
)
def report(
    config_path: Path | None, db: Path | None, since: datetime | None, fmt: str, do_deliver: bool
) -> None:
    """Print the events of the last 7 days (or since --since), or with --deliver hand every pending
    event to the configured sinks (console, jsonl, markdown, atom, webhook) and list what was sent.

    Exit status: 0; 1 when --deliver left events pending (a sink failed; they are retried next time);
    2 for a bad configuration, database or option.
    """
    from crawler.config import ConfigError
    from crawler.config.locate import locate, require_config

    try:
        clock.now()
    except clock.ClockError as exc:
        fail(str(exc))
    try:
        if do_deliver:  # the sinks are the configuration's: there must be one
            require_config(config_path)
        where = locate(db, config_path, load=do_deliver)
        config, found = where.config, where.require_database()
    except ConfigError as exc:
        fail(exc)
    start = (since or clock.now() - timedelta(days=7)).isoformat(timespec="seconds")
    store = open_store(found.resolve(), read_only=not do_deliver)
    try:
        if do_deliver:
            assert config is not None
            code = deliver_all(store, config, fmt)
        else:
            code = show(store, start, fmt, config)
    finally:
        store.close()
    sys.exit(code)
