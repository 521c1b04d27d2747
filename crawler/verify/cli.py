"""``govwatch verify FILE_OR_URL [--url URL] [--json] [--db | --config]``: a copy of a page against
the archive.

Reads the database only. Exit 0 faithful, 1 differs, 3 not in the archive, 2 error (an unreadable
file or URL, a page that is not a release, no database), as every command does: one
``govwatch: error:`` line (``crawler.console``). The database is found by the one rule
(``crawler.config.locate``, through ``with_store``). A URL is fetched as ``govwatch parse URL``
fetches (``crawler.net.fetch``: the URL policy, a deadline, a size cap).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from crawler import console
from crawler.safetext import json_text, terminal
from crawler.store.cli import with_store
from crawler.store.store import Store
from crawler.verify import EXIT_ERROR, Passage, Verdict, VerifyError, verify

FETCH_TIMEOUT = 30.0


def read_copy(source: str) -> tuple[bytes, str | None, dict[str, str]]:
    """``(body, URL it was served at, headers)`` of a file or an http(s) URL."""
    if source.lower().startswith(("http://", "https://")):
        from crawler import __version__
        from crawler.net.fetch import FetchError, fetch_page

        try:
            page = fetch_page(source, timeout=FETCH_TIMEOUT, user_agent=f"govwatch/{__version__} (verify)")
        except FetchError as exc:
            raise VerifyError(f"cannot fetch {exc}") from None
        if page.status >= 400:
            raise VerifyError(f"cannot fetch {source}: HTTP {page.status}")
        return page.body, page.url, page.headers
    path = Path(source)
    try:
        return path.read_bytes(), None, {}
    except FileNotFoundError:
        raise VerifyError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise VerifyError(f"{source}: is a directory, not a page") from None
    except OSError as exc:
        raise VerifyError(f"{source}: cannot read: {exc.strerror or exc}") from None


def _indent(text: str | None) -> str:
    return terminal(text or "").replace("\n", "\n              ")


def _marked(passage: Passage) -> str:
    parts = []
    for op, raw in passage.ops:
        text = terminal(raw)
        if op == -1:
            parts.append(click.style(f"[-{text}-]", fg="red"))
        elif op == 1:
            parts.append(click.style(f"{{+{text}+}}", fg="green"))
        else:
            parts.append(text)
    return "".join(parts)


def _where(p: Passage) -> str:
    if p.part not in ("paragraph", "attachment"):
        return p.label
    if p.change == "inserted":
        return f"{p.label}: the copy's no. {p.copy_index}"
    if p.change == "deleted":
        return f"{p.label}: the official no. {p.official_index}"
    return f"{p.label}: official no. {p.official_index} / the copy's no. {p.copy_index}"


def render(verdict: Verdict) -> list[str]:
    head = {"faithful": "FAITHFUL", "differs": "DIFFERS", "not_found": "NOT IN THE ARCHIVE"}[verdict.verdict]
    color = {"faithful": "green", "differs": "red", "not_found": "yellow"}[verdict.verdict]
    lines = [click.style(head, fg=color, bold=True) + " — " + terminal(verdict.summary())]
    copy = verdict.copy
    lines.append(f"copy:     {terminal(copy.title or '-')}  索引号 {terminal(copy.index_no or '-')}")
    if verdict.match is not None and verdict.version is not None:
        rel = verdict.match.release
        lines.append(
            f"release:  {terminal(rel.key)}  {terminal(rel.title or '')}  (site {terminal(rel.site)})"
        )
        lines.append(
            f"matched:  by {verdict.match.method} ({verdict.match.confidence}): {terminal(verdict.match.reason)}"
        )
        v = verdict.version
        lines.append(
            f"closest:  v{v.version} of {len(verdict.versions)}, first seen {v.first_seen}, "
            f"last seen {v.last_seen}"
            + (f", replaced {verdict.replaced_at}" if verdict.replaced_at else "")
            + f"  {terminal(v.url or rel.url)}"
        )
    if verdict.host.message:
        lines.append(click.style("host:     " + terminal(verdict.host.message), fg="yellow"))
    for p in verdict.comparison.passages if verdict.comparison else []:
        lines.append("")
        lines.append(click.style(f"[{p.change}] ", bold=True) + terminal(_where(p)))
        if p.official is not None:
            lines.append("  official: " + _indent(p.official))
        if p.copy is not None:
            lines.append("  copy:     " + _indent(p.copy))
        if p.change == "altered":
            lines.append("  changes:  " + _marked(p))
    return lines


@click.command("verify")
@click.argument("file_or_url")
@click.option("--url", help="The URL the copy was served at (for a file; overrides a fetched URL).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the verdict as JSON (crawler/schemas/verify.schema.json)."
)
@with_store
def verify_command(store: Store, file_or_url: str, url: str | None, as_json: bool) -> None:
    """Check a copy of a page (a file or a URL) against the archive: faithful, differs (with every
    inserted, deleted and altered passage beside the official text) or not in the archive.

    Exit 0 faithful, 1 differs, 3 not in the archive, 2 error."""
    try:
        body, served, headers = read_copy(file_or_url)
        verdict = verify(body, url or served, store.archive(), headers)
    except VerifyError as exc:
        console.fail(exc, EXIT_ERROR)
    if as_json:
        data: dict[str, Any] = verdict.to_dict()
        click.echo(json_text(json.dumps(data, ensure_ascii=False, indent=2)))
    else:
        for line in render(verdict):
            click.echo(line)
    sys.exit(verdict.exit_code)
