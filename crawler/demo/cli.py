"""``govwatch demo``: two sample government sites (Hanweb and TRS) served on 127.0.0.1 and crawled
on four days a day apart, so the archive holds every kind of event; ``govwatch demo --serve``: the
two sites kept up, with a config.yaml for them, to try every command on."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
import yaml

from crawler import clock, console
from crawler.children import child_env
from crawler.demo.story import (
    DAYS,
    FAIL_AFTER,
    HANWEB_COLUMNS,
    REFERENCE_INDEX_NO,
    REFERENCE_PATH,
    TRS_COLUMNS,
    Story,
    reference_page,
    story,
)

__all__ = ["REFERENCE_PATH", "demo", "demo_config", "reference_page"]

DEFAULT_PORT = 8181
SITE_NAMES = {"hanweb": "quzhou", "trs": "kecheng"}


def site_entries(urls: dict[str, str], *, fast: bool) -> list[dict[str, Any]]:
    """The ``sites:`` of a configuration watching the two demo sites at ``urls`` (hanweb, trs)."""
    politeness = (
        {"download_delay": 0, "autothrottle": False, "concurrency_per_host": 8}
        if fast
        else {"download_delay": 0.2}
    )
    hanweb, trs = urls["hanweb"], urls["trs"]
    return [
        {
            "name": SITE_NAMES["hanweb"],
            "base_url": hanweb,
            "aliases": ["www.qz.gov.cn"],  # the sample site stands in for Quzhou's
            "profile": "hanweb",
            "columns": [
                {"name": name, "url": f"{hanweb}/col/col{cid}/index.html", "kind": kind}
                for cid, name, _form, kind in HANWEB_COLUMNS
            ],
            "schedule": "@hourly",
            "revisit": "always",
            "politeness": dict(politeness),
            "link_check": {"allow_private": True},  # the sample sites are on 127.0.0.1
        },
        {
            "name": SITE_NAMES["trs"],
            "base_url": trs,
            "profile": "trs",
            "columns": [
                {"name": name, "url": f"{trs}/{cid}/index.html", "kind": kind}
                for cid, name, kind in TRS_COLUMNS
            ],
            "schedule": "@hourly",
            "revisit": "always",
            "politeness": dict(politeness),
            "fail_after": FAIL_AFTER,
            "link_check": {"allow_private": True},
        },
    ]


def demo_config(urls: dict[str, str], database: Path) -> dict[str, Any]:
    """The configuration the demo crawls with (every event reported, the baseline too)."""
    return {
        "database": str(database),
        "notify_baseline": True,
        "sinks": [{"type": "console"}],
        "sites": site_entries(urls, fast=True),
    }


def _crawl(config: Path, db: Path, now: datetime) -> int:
    command = [sys.executable, "-m", "crawler", "crawl", "--config", str(config), "--db", str(db)]
    sys.stdout.flush()
    return subprocess.run(
        command, env=child_env(GOVWATCH_NOW=now.isoformat(timespec="seconds")), check=False
    ).returncode


def _remove_database(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        except IsADirectoryError:
            console.fail(f"database {db} is a folder")


def _summary(db: Path, the_story: Story) -> str:
    from crawler.store import Store

    with Store(db) as store:
        events = store.events()
    tally = Counter(e.type for e in events if not e.baseline or e.type == "tampered")
    baseline = sum(1 for e in events if e.baseline)
    shown = ", ".join(f"{n} {t}" for t, n in sorted(tally.items()))
    edited = the_story.edited.index_no
    return (
        f"\nThe archive {db} now holds {len(events)} events: {baseline} baseline `new` from day 1, "
        f"and {shown}.\n\n"
        "Try:\n"
        f"  govwatch diff --db {db} {edited}\n"
        "      the silent edit of day 2, character by character\n"
        f"  govwatch history --db {db} {REFERENCE_INDEX_NO}\n"
        "      the defaced page: its version and the evidence of each flag\n"
        f"  govwatch releases --db {db} --since 7d\n"
        f"  govwatch report --db {db} --since 7d\n"
        f"  govwatch serve --db {db}\n"
        "      browse it all in Datasette\n"
        "  govwatch demo --serve\n"
        "      keep the two sites up, and point your own config.yaml at them\n"
    )


def run_story(db: Path) -> int:
    """Serve the sites, crawl them on each day of the story, print what the archive holds."""
    from crawler.demo.server import serve

    db = db.resolve()
    _remove_database(db)
    now = clock.now()
    first = now - timedelta(days=DAYS - 1)
    the_story = story(first.date())
    with (
        serve(the_story.hanweb) as hanweb,
        serve(the_story.trs) as trs,
        tempfile.TemporaryDirectory(prefix="govwatch-demo-") as tmp,
    ):
        pages = sum(len(s.all_pages()) for s in the_story.sites().values())
        click.echo(
            f"govwatch demo: 衢州 (Hanweb) at {hanweb.url}, 柯城 (TRS) at {trs.url} — {pages} releases, "
            f"crawled on {DAYS} days ({first:%Y-%m-%d} to {now:%Y-%m-%d}) into {db}"
        )
        config = Path(tmp) / "demo.yaml"
        config.write_text(
            yaml.safe_dump(demo_config({"hanweb": hanweb.url, "trs": trs.url}, db), allow_unicode=True),
            encoding="utf-8",
        )
        for day in range(1, DAYS + 1):
            changes = the_story.advance()
            when = first + timedelta(days=day - 1)
            click.echo(f"\n── day {day}, {when:%Y-%m-%d}: " + ("; ".join(changes) or "the first crawl"))
            code = _crawl(config, db, when)
            if code not in (console.EXIT_OK, console.EXIT_ATTENTION):
                console.error(f"the crawl of day {day} ended with exit status {code}; the demo stops here")
                return console.EXIT_ATTENTION
    click.echo(_summary(db, the_story))
    return console.EXIT_OK


def _bind(site: Any, host: str, port: int) -> Any:
    from crawler.demo.server import SiteServer

    try:
        return SiteServer(site, host, port)
    except OSError as exc:
        console.fail(f"cannot serve a demo site on {host}:{port}: {exc.strerror or exc} (try --port 0)")


def served_config(urls: dict[str, str]) -> str:
    """The config.yaml ``demo --serve`` prints: the two sites, ready to crawl."""
    data = {
        "database": "govwatch.db",
        "notify_baseline": False,
        "sinks": [{"type": "console"}],
        "sites": site_entries(urls, fast=False),
    }
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    return (
        "# govwatch configuration for the two demo sites served by `govwatch demo --serve`\n"
        "# (every key: docs/CONFIG.md). link_check.allow_private lets the link checker reach\n"
        "# 127.0.0.1, which it refuses for real sites.\n" + body
    )


def serve_forever(port: int) -> int:
    """Both sites on ``port`` and ``port + 1`` (``0``: any free ports) until Ctrl-C or SIGTERM."""
    the_story = story((clock.now() - timedelta(days=DAYS - 1)).date())
    the_story.finish()
    host = "127.0.0.1"
    hanweb = _bind(the_story.hanweb, host, port)
    trs = _bind(the_story.trs, host, port + 1 if port else 0)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (hanweb, trs)]
    for thread in threads:
        thread.start()
    stop = threading.Event()
    # Both signals only set the event: a Ctrl-C that lands between two statements (before the wait
    # below has begun) still ends in the orderly stop, never in an "interrupted" exit.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    urls = {"hanweb": hanweb.url, "trs": trs.url}
    click.echo(served_config(urls), nl=False)
    sys.stdout.flush()
    console.note(f"衢州 (Hanweb) at {hanweb.url}, 柯城 (TRS) at {trs.url}; Ctrl-C stops them")
    console.note(f"  Hanweb column: {hanweb.url}/col/col{HANWEB_COLUMNS[0][0]}/index.html")
    console.note(f"  TRS column:    {trs.url}/{TRS_COLUMNS[0][0]}/index.html")
    while not stop.wait(0.5):
        pass
    for server in (hanweb, trs):
        server.shutdown()
        server.server_close()
    return console.EXIT_OK


@click.command()
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("govwatch-demo.db"),
    show_default=True,
    help="Database to create (replaced if it exists).",
)
@click.option(
    "--serve",
    "keep_serving",
    is_flag=True,
    help="Only serve the two sites (until Ctrl-C) and print a config.yaml for them.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65534),
    default=DEFAULT_PORT,
    show_default=True,
    help="With --serve: the Hanweb site's port; the TRS site takes the next (0: any free ports).",
)
def demo(db: Path, keep_serving: bool, port: int) -> None:
    """Crawl two sample government sites (a Hanweb and a TRS one, served on 127.0.0.1) on four days a
    day apart: the archive ends up holding a new release, a silent edit, a defaced page, a withdrawn
    release confirmed removed, one restored, and a page failing long enough to be reported.

    With --serve, keep the two sites up and print a config.yaml watching them (stdout; messages go
    to stderr), to try crawl, daemon --once, report, health and add-site on.
    """
    try:
        clock.now()
    except clock.ClockError as exc:
        console.fail(exc)
    sys.exit(serve_forever(port) if keep_serving else run_story(db))
