"""``govwatch crawl``: one crawl of every configured site (or the ones named)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler import console
from crawler.config import Config, ConfigError

if TYPE_CHECKING:
    from crawler.crawl.result import RunResult
    from crawler.store import Store

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class BatchOptions:
    """How a crawl process run by the batch supervisor works (its hidden options)."""

    supervised: bool = False
    run_timeout: float | None = None
    heartbeat: Path | None = None


SUMMARY = ("site", "run", "status", "requests", "new", "changed", "removed", "tampered", "failed", "reason")


def load_or_exit(path: Path | None, only: Collection[str] | None = None) -> Config:
    """The configuration (``--config``, else ./config.yaml), or the problems and exit 2."""
    from crawler.config.locate import require_config

    try:
        return require_config(path, only)
    except ConfigError as exc:
        console.fail(exc)


def load_batch_or_exit(path: Path, batch: Path) -> Config:
    """A batch process's configuration: ``path`` as its supervisor wrote it out for the batch."""
    from crawler.config import load_batch_config

    try:
        return load_batch_config(path, batch)
    except ConfigError as exc:
        console.fail(exc)


def print_summary(results: list[RunResult], fmt: str = "table") -> None:
    """One row per run: counts of events by type and, when a run is not ok, why."""
    rows = []
    for r in results:
        c = r.counts()
        rows.append(
            (
                r.site,
                r.run_id,
                r.status,
                r.requests,
                c["new"],
                c["changed"],
                c["removed"],
                c["tampered"],
                r.failed,
                r.reason,
            )
        )
    right = [name not in ("site", "status", "reason") for name in SUMMARY]
    console.print_table(SUMMARY, rows, fmt=fmt, title="govwatch crawl", right=right)


def write_report(path: Path, results: list[RunResult]) -> None:
    report = {
        "runs": [r.to_report() for r in results],
        "events": [e.to_report() for r in results for e in r.events],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def deliver(store: Store, config: Config, results: list[RunResult]) -> None:
    """Hand pending events to the configured sinks (the report layer)."""
    from crawler.report import deliver_pending

    deliver_pending(store, config)


def storage_problem(exc: BaseException, database: Path) -> str | None:
    """One line for a database that cannot be used or written (not SQLite, another program's,
    read-only, a full disk), None for anything else."""
    from crawler.store import StoreError, storage_fault

    if isinstance(exc, StoreError):
        return str(exc)
    return storage_fault(exc, database)


def run_crawl(
    config: Config,
    site_names: tuple[str, ...],
    db: Path | None,
    report_json: Path | None,
    notify: bool,
    fmt: str = "table",
    *,
    batch: BatchOptions | None = None,
    judge_worker: bool | None = None,
) -> int:
    """Crawl the named sites (all when none is named). One site is crawled in this process; several
    by the batch supervisor (``crawler.crawl.batches``): crawl processes of up to
    ``crawl.batch_size`` sites each, a process that dies re-run in smaller batches. ``batch``: this
    process is one such batch (``--batch-child``). ``judge_worker``: judge release pages in a worker
    process (None: when a core is spare; ``--judge-worker/--no-judge-worker``). The store is closed at
    the end, not left to the collector (the start-up's objects are frozen: ``crawler.heap``), so its
    write-ahead log is folded into the database file."""
    from crawler.store import Store

    try:
        sites = [config.site(name) for name in site_names] if site_names else list(config.sites)
    except ConfigError as exc:
        console.error(exc)
        return EXIT_USAGE
    if not sites:
        source = config.path or "the configuration"
        console.error(f"{source} configures no sites: `govwatch add-site URL` adds one")
        return EXIT_USAGE
    database = (db or config.database).resolve()
    with contextlib.ExitStack() as closing:
        try:
            store = closing.enter_context(Store(database))
            # a sink new to the archive starts with this run's events, not with the archive's history
            store.start_sinks({sink.sink_name: sink.backfill for sink in config.sinks})
            if batch is not None or len(sites) <= 1:
                from crawler.crawl.runner import crawl

                options = batch or BatchOptions()
                results = crawl(
                    config,
                    sites,
                    store,
                    database,
                    run_timeout=options.run_timeout,
                    supervised=options.supervised,
                    heartbeat=options.heartbeat,
                    judge_worker=judge_worker,
                )
            else:
                from crawler.crawl.batches import run_batches

                if config.path is None:
                    raise click.UsageError("several sites are crawled from a configuration file")
                results = run_batches(config, config.path, sites, store, database)
                begun = {r.site for r in results}
                left = [s.name for s in sites if s.name not in begun]
                if left:  # SIGTERM or Ctrl-C stopped the crawl before these began
                    shown = ", ".join(left[:10]) + (f" and {len(left) - 10} more" if len(left) > 10 else "")
                    console.warning(f"stopped by a signal: {len(left)} site(s) not crawled: {shown}")
        except Exception as exc:  # the database cannot be opened or written at all: one line, no traceback
            problem = storage_problem(exc, database)
            if problem is None:
                raise
            console.error(f"crawl failed: {problem}")
            return EXIT_FAILED
        if report_json:
            write_report(report_json, results)
        if batch is not None and batch.supervised:  # the supervisor reports the runs
            return EXIT_OK if all(r.status in ("ok", "partial") for r in results) else EXIT_FAILED
        for r in results:
            if r.status == "skipped" and r.message:
                console.warning(f"{r.site}: {r.message} — run {r.run_id} skipped")
            elif r.status == "failed" and r.message:
                run = f"run {r.run_id}" if r.run_id else "no run could be recorded"
                console.error(
                    f"{r.site}: {run} failed: {r.message}" if r.run_id else f"{r.site}: {run}: {r.message}"
                )
        if notify and not any(r.storage_fault for r in results):  # events stay in the outbox
            deliver(store, config, results)
        print_summary(results, fmt)
        return EXIT_OK if all(r.status in ("ok", "partial") for r in results) else EXIT_FAILED


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Configuration file [./config.yaml].",
)
@click.option("--site", "site_names", multiple=True, help="Crawl only this site (repeatable).")
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=None,
    help="Database file (default: `database:` of the config).",
)
@click.option(
    "--report-json",
    type=click.Path(path_type=Path),
    default=None,
    help="Write this invocation's runs and events as JSON.",
)
@click.option("--no-notify", is_flag=True, help="Leave events in the outbox (the daemon delivers them).")
@click.option(
    "--sites-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Crawl the sites named in this file, one per line (with any --site).",
)
@click.option("--batch-child", is_flag=True, hidden=True)
@click.option("--run-timeout", type=float, default=None, hidden=True)
@click.option("--heartbeat", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--batch-config", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--supervisor", type=int, default=None, hidden=True)
@click.option("--judge-worker/--no-judge-worker", default=None, hidden=True)
@console.format_option()
def crawl(
    config_path: Path | None,
    site_names: tuple[str, ...],
    db: Path | None,
    report_json: Path | None,
    no_notify: bool,
    sites_file: Path | None,
    batch_child: bool,
    run_timeout: float | None,
    heartbeat: Path | None,
    batch_config: Path | None,
    supervisor: int | None,
    judge_worker: bool | None,
    fmt: str,
) -> None:
    """Crawl every configured site once (or the ones named with --site) and record what changed.

    Several sites are crawled in batches of `crawl.batch_size`, one crawl process each; a process
    that dies is retried in smaller batches until the site that took it down runs alone (recorded
    failed).

    Exit status: 0 when every run is ok or partial, 1 when any failed or was skipped (its site's
    lock was held), 2 for configuration or usage errors.
    """
    if batch_child and supervisor is not None:
        from crawler.children import end_with_parent

        if not end_with_parent(supervisor):  # it was killed while this process started
            click.echo(
                f"govwatch crawl: the crawl that started this batch (pid {supervisor}) has ended", err=True
            )
            sys.exit(1)
    if sites_file is not None:
        site_names = (*site_names, *sites_file.read_text(encoding="utf-8").split())
    # a batch process reads only its own sites: its supervisor validated the whole configuration
    # (and wrote this batch's sites out: --batch-config)
    if batch_child and batch_config is not None and config_path is not None:
        config = load_batch_or_exit(config_path, batch_config)
    else:
        config = load_or_exit(config_path, only=set(site_names) if batch_child and site_names else None)
    batch = BatchOptions(True, run_timeout, heartbeat) if batch_child else None
    sys.exit(
        run_crawl(
            config, site_names, db, report_json, not no_notify, fmt, batch=batch, judge_worker=judge_worker
        )
    )
