"""``govwatch config check [--config PATH] [--schema]``: every problem of a configuration at once, or
its JSON Schema for editors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crawler import console


@click.group()
def config() -> None:
    """Check a configuration file, or print its JSON Schema."""


@config.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Configuration file [./config.yaml].",
)
@click.option(
    "--schema",
    is_flag=True,
    help="Print the JSON Schema of config.yaml (for editors' completion and checks) instead.",
)
def check(config_path: Path | None, schema: bool) -> None:
    """Check a configuration without crawling: every problem at once, each as FILE:LINE: key: problem,
    with a suggestion for a misspelt key or value.

    Exit status: 0 when the file is valid, 2 when it has problems (or cannot be read).
    """
    from crawler.config import ConfigError, json_schema, load_config
    from crawler.config.locate import find_config

    if schema:
        click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))
        return
    try:
        path = find_config(config_path)
        if path is None:
            console.fail(
                "no configuration to check: tried --config (not given) and ./config.yaml (not there)"
            )
        loaded = load_config(path)
    except ConfigError as exc:
        console.error(exc)
        if len(exc.issues) > 1:
            console.note(f"{len(exc.issues)} problems found")
        raise SystemExit(console.EXIT_USAGE) from None
    for sink in loaded.sinks:
        for note in sink.notes():
            console.note(note)
    columns = sum(len(site.columns) for site in loaded.sites)
    click.echo(
        f"{path}: ok — {len(loaded.sites)} site{'s' if len(loaded.sites) != 1 else ''}, "
        f"{columns} column{'s' if columns != 1 else ''}, {len(loaded.sinks)} sink"
        f"{'s' if len(loaded.sinks) != 1 else ''}; database {loaded.database}"
    )
