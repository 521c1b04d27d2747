"""``govwatch daemon``: crawl every site on its schedule, unattended (or ``--once``: the due ones)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from crawler import console
from crawler.config import ConfigError
from crawler.config.locate import require_config

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
    type=click.Path(path_type=Path),
    default=None,
    help="Database file (default: `database:` of the config).",
)
@click.option("--once", is_flag=True, help="Run every due site once and exit (for cron).")
@click.option("--log-json", is_flag=True, help="Log one JSON object per line on stderr.")
def daemon(config_path: Path | None, db: Path | None, once: bool, log_json: bool) -> None:
    """Run each site's crawl on its `schedule` (APScheduler) until SIGTERM.

    Sites that come due together are crawled by one crawl process (up to `crawl.batch_size` sites),
    up to `daemon.max_parallel` processes at once; each site keeps its own run, and a run past
    `daemon.run_timeout` is stopped and recorded failed without touching the others. A site is
    crawled by at most one run at a time; pending events are delivered as each run ends. With
    --once, every site due since its last recorded run (or never run) is crawled once; exit 0 when
    all runs ended ok or partial, 1 when any failed.
    """
    from crawler.daemon.crawlrun import CrawlRunner
    from crawler.daemon.jobs import StopFlag, run_once, serve_forever
    from crawler.daemon.logs import DaemonLog, forward_library_logs

    try:
        config = require_config(config_path)
    except ConfigError as exc:
        console.fail(exc)
    if not config.sites:
        console.fail(f"{config.path} configures no sites: `govwatch add-site URL` adds one")
    config_path = config.path or Path("config.yaml")
    log = DaemonLog(json_lines=log_json, tz=config.tzinfo)
    forward_library_logs(log)
    stop = StopFlag()
    stop.install()
    runner = CrawlRunner(
        config_path=config_path.resolve(),
        config=config,
        database=(db or config.database).resolve(),
        log=log,
    )
    if once:
        code, clean = run_once(runner, stop)
    else:
        code, clean = EXIT_OK, serve_forever(runner, stop)
    if not clean:  # bookkeeping overran its bound: do not wait for its threads
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
