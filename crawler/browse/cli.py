"""``govwatch serve [--db PATH | --config PATH] [--port 8001] [--host 127.0.0.1]``.

Runs Datasette in this process (``datasette.app.Datasette`` served by uvicorn, as ``datasette serve``
does) so the plugin and metadata shipped in this package are used whatever is installed: the plugin
module is registered with Datasette's plugin manager, the metadata is keyed by the name Datasette gives
the database (its file stem). The file is opened in Datasette's normal (mutable) mode — crawls keep
writing through WAL — but Datasette only reads through ``mode=ro`` connections and the plugin denies
every write action; there is no ``--root``. A file govwatch may not write (or in a folder it may not
write) is served immutable.

Safe by default: it binds 127.0.0.1; visitors' own SQL is off unless ``--allow-sql`` (tables, facets,
search, the canned queries, the diff view and the Atom feed need none); stored pages are downloads,
never rendered (``crawler.browse.downloads``); a file that is not a govwatch database is refused.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import sqlite3
from pathlib import Path
from typing import Any

import click

from crawler import console
from crawler.browse.metadata import build_metadata

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC_MOUNT = ("-/govwatch-static", str(HERE / "static"))  # /-/govwatch-static/govwatch.css
SETTINGS = {"sql_time_limit_ms": 3000, "facet_time_limit_ms": 500, "default_page_size": 50}


def _fail(message: object) -> None:
    console.fail(message)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (``0``: any free port), or one line saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        busy = getattr(exc, "errno", None) == errno.EADDRINUSE
        why = (
            "is already in use (another `govwatch serve`?): try --port with another number"
            if busy
            else f"cannot be used: {exc.strerror or exc}"
        )
        _fail(f"{host}:{port} {why}")
    sock.set_inheritable(True)
    return sock


def register_plugin() -> None:
    from datasette.plugins import pm

    from crawler.browse import plugin, verify_page

    if not pm.is_registered(plugin):
        pm.register(plugin, name="govwatch")
    if not pm.is_registered(verify_page):
        pm.register(verify_page, name="govwatch-verify")


def _writable(db: Path) -> bool:
    return os.access(db, os.W_OK) and os.access(db.parent, os.W_OK)


def check_database(db: Path) -> None:
    """Refuse (one line, exit 2) a file that is not a govwatch database before Datasette opens it."""
    from crawler.store import Store, StoreError, storage_fault

    try:
        Store(db, read_only=True).close()
    except StoreError as exc:
        _fail(f"{exc}; not serving it")
    except (sqlite3.Error, OSError) as exc:
        _fail(f"{storage_fault(exc, db) or exc}; not serving it")


def build_datasette(db: Path, *, allow_sql: bool = False, timezone: str = "Asia/Shanghai") -> Any:
    """A started Datasette over ``db`` with govwatch's plugin, metadata and templates; visitors may run
    their own SQL only with ``allow_sql``; times are shown in ``timezone``."""
    from datasette.app import Datasette

    register_plugin()
    name = db.stem
    files, immutables = ([str(db)], []) if _writable(db) else ([], [str(db)])
    ds = Datasette(
        files,
        immutables=immutables,
        metadata=build_metadata(name, timezone=timezone),
        template_dir=str(TEMPLATES),
        static_mounts=[STATIC_MOUNT],
        settings={**SETTINGS, "default_allow_sql": allow_sql},
    )
    if name not in ds.databases:  # Datasette's naming changed: the metadata would not apply
        raise click.ClickException(f"Datasette named the database {list(ds.databases)}, expected {name!r}")
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
    finally:
        loop.close()
    return ds


@click.command()
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="SQLite database [govwatch.db]."
)
@click.option(
    "--config", type=click.Path(dir_okay=False, path_type=Path), help="config.yaml naming the database."
)
@click.option("--port", type=int, default=8001, show_default=True)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind (only this machine by default)."
)
@click.option(
    "--allow-sql",
    is_flag=True,
    help="Let visitors run their own SQL queries (off: tables, search and the canned queries only).",
)
def serve(db_path: Path | None, config: Path | None, port: int, host: str, allow_sql: bool) -> None:
    """Browse the archive in Datasette (read-only): search, history, diffs, tampered pages, Atom feed."""
    from crawler.config import ConfigError
    from crawler.config.locate import locate

    try:
        where = locate(db_path, config, load=False)
        db = where.require_database()
    except ConfigError as exc:
        _fail(exc)
        return
    # times are shown in the zone of the configuration the rule read (Asia/Shanghai without one)
    timezone = str(where.config.timezone) if where.config is not None else "Asia/Shanghai"
    check_database(db)
    sock = bind(host, port)
    import uvicorn

    ds = build_datasette(db.resolve(), allow_sql=allow_sql, timezone=timezone)
    shown = f"[{host}]" if ":" in host else host
    console.note(f"serve: http://{shown}:{sock.getsockname()[1]}/{db.stem} (Ctrl-C to stop)")
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", lifespan="on", workers=1))
    server.run(sockets=[sock])
