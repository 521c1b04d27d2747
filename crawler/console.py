"""What the commands print: error lines, exit statuses, tables.

Every command reports a problem the same way — ``govwatch: error: <what>`` on stderr, one line per
problem, never a traceback — and exits with one of the statuses of the README's table:

====  ====================================================================================
0     done (crawl: every run ok or partial; check: the page is clean)
1     done, and something needs a look: a run failed or was skipped, a page is tampered,
      events are still pending after ``report --deliver``
2     not done: a bad option or argument, a configuration problem, a missing or unusable
      file or database, a page that could not be fetched, a port already in use
130   interrupted (Ctrl-C)
====  ====================================================================================

Tables are drawn with box characters on a terminal and as plain aligned text (never cut) when the
output goes to a file or a pipe; ``--format tsv`` and ``--format json`` are for programs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NoReturn

import click

from crawler import clock
from crawler.safetext import one_line

EXIT_OK, EXIT_ATTENTION, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PREFIX = "govwatch"
TABLE_FORMATS = ("table", "tsv", "json")


def _lines(problem: object) -> list[str]:
    """One line per problem: a ``ConfigError`` holds several (``issues``), anything else is one."""
    issues = getattr(problem, "issues", None)
    if issues:
        return [str(i) for i in issues]
    text = str(problem).strip() or type(problem).__name__
    return [" ".join(line.strip() for line in text.splitlines() if line.strip())]


def error_lines(problem: object) -> list[str]:
    """The lines ``error(problem)`` prints."""
    return [f"{PREFIX}: error: {_clean(line)}" for line in _lines(problem)]


def error(problem: object) -> None:
    """Print ``govwatch: error: …`` (one line per problem) on stderr."""
    for line in error_lines(problem):
        click.echo(line, err=True)


def warning(message: str) -> None:
    click.echo(f"{PREFIX}: warning: {_clean(message)}", err=True)


def note(message: str) -> None:
    """A line for the person at the terminal (progress, hints), on stderr."""
    click.echo(f"{PREFIX}: {_clean(message)}", err=True)


def fail(problem: object, code: int = EXIT_USAGE) -> NoReturn:
    """Print the problem and exit (2 unless told otherwise)."""
    error(problem)
    sys.exit(code)


def _clean(text: str) -> str:
    """No control characters from stored or fetched text reach the terminal."""
    return one_line(text)


# --- tables ---------------------------------------------------------------------------------------


def format_option(default: str = "table") -> Any:
    """The ``--format table|tsv|json`` option of a command that prints a table."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(TABLE_FORMATS),
        default=default,
        show_default=True,
        help="table: aligned columns (box drawing on a terminal); tsv: tab-separated; json: a list of objects.",
    )


def _width(text: str) -> int:
    from rich.cells import cell_len  # CJK characters take two cells

    return cell_len(text)


def plain_table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[bool]) -> str:
    """Columns aligned with spaces, nothing cut: what a pipe or a file gets."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([_width(h), *(_width(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        out = []
        for i, value in enumerate(values):
            pad = " " * (widths[i] - _width(value))
            out.append(pad + value if right[i] else value + pad)
        return "  ".join(out).rstrip()

    return "\n".join([line(list(headers)), *(line(r) for r in cells)]) + "\n"


def _cell(value: object) -> str:
    return _clean("" if value is None else str(value))


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    fmt: str = "table",
    title: str | None = None,
    right: Sequence[bool] | None = None,
    keys: Sequence[str] | None = None,
) -> None:
    """Print a table to stdout in ``fmt``: ``table`` (rich on a terminal, plain aligned text
    otherwise), ``tsv`` or ``json`` (objects keyed by ``keys``, default the headers)."""
    right = list(right) if right is not None else [False] * len(headers)
    if fmt == "json":
        names = list(keys or headers)
        click.echo(
            json.dumps([dict(zip(names, row, strict=True)) for row in rows], ensure_ascii=False, indent=2)
        )
        return
    if fmt == "tsv":
        click.echo("\t".join(headers))
        for row in rows:
            click.echo("\t".join(_cell(v) for v in row))
        return
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for header, is_right in zip(headers, right, strict=True):
            table.add_column(header, justify="right" if is_right else "left", overflow="fold")
        for row in rows:
            table.add_row(*(_cell(v) for v in row))
        Console().print(table)
        return
    if title:
        click.echo(_clean(title))
    click.echo(plain_table(headers, rows, right), nl=False)


class Since(click.ParamType):
    """A ``--since`` value (``clock.parse_since``): a date, a date-time, today, yesterday, 7d …;
    anything else is a usage error (exit 2)."""

    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return clock.parse_since(str(value))
        except clock.ClockError as exc:
            self.fail(str(exc), param, ctx)


SINCE = Since()
