"""``govwatch export --warc FILE [--site NAME] [--since WHEN] [--key KEY_OR_URL] [--db | --config]``.

Every stored page (each version's page, and each fetch that raised ``tampered`` on unchanged content)
as WARC 1.1 records, oldest first (``crawler.export.warc``). ``FILE`` ending in ``.gz`` is gzipped
per record (``.warc.gz``, what replay tools expect), else plain; ``-`` writes to standard output.
Reads the database only, found by the one rule (``crawler.config.locate``, through ``with_store``).
Exit 0; 2 for a bad argument, an unknown release or an unwritable file, in one ``govwatch: error:``
line (``crawler.console``).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import click

from crawler import clock, console
from crawler.store.cli import with_store
from crawler.store.evidence import StoredPage
from crawler.store.store import Store


def _pages(store: Store, site: str | None, since: datetime | None, key: str | None) -> Iterator[StoredPage]:
    # stored times carry their own offset: ask for a day more, then compare instants
    rough = (since - timedelta(days=1)).date().isoformat() if since else None
    for page in store.stored_pages(site=site, since=rough, key=key):
        if since is None or clock.parse_iso(page.fetched_at) >= since:
            yield page


@contextlib.contextmanager
def _output(path: str) -> Iterator[BinaryIO]:
    if path == "-":
        yield sys.stdout.buffer
        return
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as out:
            yield out
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        console.fail(f"cannot write {path}: {exc.strerror or exc}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@click.command("export")
@click.option(
    "--warc", "warc_path", required=True, help="WARC file to write (.warc.gz: gzipped; - for stdout)."
)
@click.option("--site", help="Only this site's pages.")
@click.option(
    "--since",
    type=console.SINCE,
    help="Only pages fetched on or after this: a date (2026-11-01), a date-time, today, yesterday, or an age (7d, 2w).",
)
@click.option("--key", "key_or_url", help="Only this release (索引号, key or URL).")
@with_store
def export(
    store: Store, warc_path: str, site: str | None, since: datetime | None, key_or_url: str | None
) -> None:
    """Write every stored page — request, response (or resource) and metadata records — as WARC 1.1."""
    from crawler.export.warc import WarcExport

    start = since
    key = store.resolve(key_or_url) if key_or_url else None
    with _output(warc_path) as out:
        export = WarcExport(out, gzip=warc_path.endswith(".gz"), filename=Path(warc_path).name)
        pages = export.add_all(_pages(store, site, start, key))
    click.echo(f"wrote {pages} page(s), {export.records} WARC record(s) to {warc_path}", err=True)
