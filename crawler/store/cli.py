"""``govwatch history | diff | releases | reparse | ack``: read (and re-derive) what the store holds.

Each finds its database by the one rule (``crawler.config.locate``): ``--db``, else the
``database:`` of ``--config``, else of ``./config.yaml``, else ``./govwatch.db``. An unknown release
or a missing database is a one-line message and exit 2.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

import click

from crawler import console
from crawler.safetext import terminal
from crawler.store.diffing import changed_fields, char_diff, html_diff, short_diff, version_text
from crawler.store.files import storage_fault
from crawler.store.store import Store, StoreError


def _fail(message: str) -> None:
    console.fail(message)


def database(db_path: str | None, config: str | None) -> Path:
    """The database by the one rule, or a message naming what was tried (exit 2)."""
    from crawler.config import ConfigError
    from crawler.config.locate import locate

    try:
        return locate(db_path, config, load=False).require_database()
    except ConfigError as exc:
        console.fail(exc)


def with_store(func: Callable[..., Any] | None = None, *, read_only: bool = True) -> Any:
    """Add ``--db``/``--config`` and pass an open ``Store`` (read-only unless ``read_only=False``);
    StoreError or a storage fault → one line, exit 2."""
    if func is None:
        return lambda f: with_store(f, read_only=read_only)

    @click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        help="SQLite database [the config's database:, else govwatch.db].",
    )
    @click.option(
        "--config",
        "config",
        type=click.Path(dir_okay=False),
        help="config.yaml naming the database [./config.yaml].",
    )
    @wraps(func)
    def wrapper(db_path: str | None, config: str | None, **kwargs: Any) -> Any:
        path = database(db_path, config)
        try:
            with Store(path, read_only=read_only) as store:
                return func(store, **kwargs)
        except StoreError as exc:
            _fail(str(exc))
        except (sqlite3.Error, OSError) as exc:
            problem = storage_fault(exc, path)
            if problem is None:
                raise
            _fail(problem)

    return wrapper


def _echo(text: str) -> None:
    """Print text that holds stored (web) content: control characters removed."""
    click.echo(terminal(text))


def _flags(flags: list[dict[str, Any]]) -> str:
    return "; ".join(f"{f['rule']} ({f['severity']}) {f.get('evidence') or ''}".strip() for f in flags)


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def _attachment(item: dict[str, Any]) -> str:
    """One attachment of a version: name, state, type and size, its text, its file, a warning."""
    parts = [str(item["name"])]
    if item["state"] == "ok" and item.get("sha256"):
        parts.append(f"{item.get('type') or '?'} {_size(item.get('size'))}")
        parts.append(f"text {item.get('text_status') or '?'}")
        parts.append(str(item["sha256"])[:19])
    else:
        parts.append(
            {"too_large": "too large, not stored", "failed": "could not be fetched"}.get(
                item["state"], str(item["state"]).replace("_", " ")
            )
        )
    if item.get("warning"):
        parts.append(f"warning: {item['warning']}")
    parts.append(str(item["url"]))
    return "  ".join(parts)


@click.command()
@click.argument("key_or_url")
@with_store
def history(store: Store, key_or_url: str) -> None:
    """Versions of a release (by 索引号 or URL) with dates, flags and what changed."""
    rel = store.release(key_or_url)
    urls = store.release_urls(rel["key"])
    click.echo(click.style(terminal(f"{rel['key']}  {rel['title'] or ''}"), bold=True))
    _echo(f"  status {rel['status']} · site {rel['site']} · current version {rel['current_version']}")
    for url in urls:
        _echo(f"  url {url}")
    previous = None
    files = store.version_attachments(rel["key"])
    for v in store.history(rel["key"]):
        _echo(
            f"v{v['version']}  first seen {v['first_seen']}  last seen {v['last_seen']}  "
            f"{v['content_hash'][:19]}  normalizer {v['normalizer_version']}"
        )
        if v["flags"]:
            _echo(f"    flags: {_flags(v['flags'])}")
        for item in files.get(v["version"], []):
            _echo(f"    附件 {_attachment(item)}")
        if previous is not None:
            fields = changed_fields(previous["fields"], v["fields"])
            _echo(f"    changed: {', '.join(fields) or '(nothing visible)'}")
            ops = char_diff(version_text(previous["fields"]), version_text(v["fields"]))
            _echo(f"    {short_diff(ops, limit=400)}")
        previous = v
    from crawler.health.history import broken_lines  # site health: links whose latest check failed

    for line in broken_lines(store, rel["key"]):
        _echo(line)


@click.command()
@click.argument("key_or_url")
@click.option("--from", "from_v", type=int, help="Older version number [the one before --to].")
@click.option("--to", "to_v", type=int, help="Newer version number [the latest].")
@click.option("--html", "as_html", is_flag=True, help="Print an HTML fragment with <ins>/<del>.")
@with_store
def diff(store: Store, key_or_url: str, from_v: int | None, to_v: int | None, as_html: bool) -> None:
    """Character-level diff of two versions of a release (default: the last two)."""
    data = store.diff(key_or_url, from_v, to_v)
    if data["from"] == data["to"] and from_v is None:
        _echo(f"{data['key']} has only version {data['to']}: nothing to compare")
        return
    if as_html:
        _echo(html_diff(data["ops"]))
        return
    click.echo(click.style(terminal(f"{data['key']}  v{data['from']} → v{data['to']}"), bold=True))
    _echo(f"changed: {', '.join(data['fields']) or '(nothing)'}")
    parts = []
    for op, raw in data["ops"]:
        text = terminal(raw)
        if op == -1:
            parts.append(click.style(f"[-{text}-]", fg="red"))
        elif op == 1:
            parts.append(click.style(f"{{+{text}+}}", fg="green"))
        else:
            parts.append(text)
    click.echo("".join(parts))


@click.command()
@click.option("--site", help="Only this site.")
@click.option(
    "--since",
    type=console.SINCE,
    help="Only releases dated on or after this: a date (2026-11-01), today, yesterday, or an age (7d, 2w).",
)
@click.option("--search", "search", help="Full-text search over title and body (Chinese words too).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@console.format_option()
@with_store
def releases(
    store: Store, site: str | None, since: datetime | None, search: str | None, limit: int, fmt: str
) -> None:
    """List releases, newest first."""
    day = since.astimezone(console.clock.CHINA).date().isoformat() if since else None
    rows = store.releases(site=site, since=day, search=search, limit=limit)
    if not rows and fmt == "table":
        click.echo("no releases match")
        return
    table = []
    for row in rows:
        date = row["written_date"] or (row["published_at"] or row["first_seen"])[:10]
        table.append(
            (
                date,
                row["key"],
                row["title"] or "",
                row["status"],
                row["current_version"],
                row["site"],
                row["url"],
            )
        )
    headers = ("date", "key", "title", "status", "version", "site", "url")
    console.print_table(headers, table, fmt=fmt, right=[h == "version" for h in headers])


@click.command()
@with_store(read_only=False)
def reparse(store: Store) -> None:
    """Re-normalize stored raw HTML with the current normalizer; no `changed` events."""
    try:
        from crawler.normalize import normalize
    except ImportError as exc:
        _fail(f"the normalizer is not available: {exc}")
    stats = store.reparse(normalize)
    click.echo(
        f"reparsed {stats['versions']} versions of {stats['releases']} releases: "
        f"{stats['rehashed']} rehashed, {stats['unchanged']} unchanged, {stats['skipped']} skipped"
    )


@click.command()
@click.argument("key_or_url")
@click.argument("rule")
@with_store(read_only=False)
def ack(store: Store, key_or_url: str, rule: str) -> None:
    """Mark a release's RULE flag as reviewed: no `tampered` for it again until its evidence changes."""
    from crawler.integrity import DETECTORS

    if rule not in DETECTORS:
        _fail(f"unknown rule {rule!r}; known: {', '.join(DETECTORS)}")
    key, evidence = store.ack(key_or_url, rule)
    click.echo(f"{key}: {rule} reviewed ({len(evidence)} finding(s)); a changed finding is reported again")
    for text in evidence:
        click.echo(f"  {text}")
