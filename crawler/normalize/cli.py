"""``govwatch parse FILE_OR_URL… [--url URL] [--json]``: show how the normalizer reads pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler import console
from crawler.model import Release

from . import normalize
from .errors import NormalizeError

FETCH_TIMEOUT = 30.0


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_source(source: str) -> tuple[bytes, dict[str, str], str]:
    """``(body, headers, url)`` of a file or an http(s) URL; NormalizeError when unreadable.

    A file has no URL (``""``): the release's ``url`` is then null and relative links stay relative.
    """
    if _is_url(source):
        from crawler.net.fetch import FetchError, fetch_page  # only fetching needs it

        try:
            response = fetch_page(source, timeout=FETCH_TIMEOUT)
        except FetchError as exc:
            raise NormalizeError(str(exc)) from exc
        if response.status >= 400:  # as `govwatch check` does: an error page is not the page asked for
            raise NormalizeError(f"cannot fetch {source}: HTTP {response.status}")
        return response.body, response.headers, response.url
    path = Path(source)
    try:
        return path.read_bytes(), {}, ""
    except FileNotFoundError as exc:
        raise NormalizeError(f"{source}: no such file") from exc
    except IsADirectoryError as exc:
        raise NormalizeError(f"{source}: is a directory, not a page") from exc
    except OSError as exc:
        raise NormalizeError(f"{source}: cannot read: {exc.strerror or exc}") from exc


def to_json(release: Release) -> str:
    return json.dumps(release.to_dict(), ensure_ascii=False, indent=2)


def render(release: Release, source: str) -> str:
    """A readable summary of one release."""
    lines = [f"== {source}"]
    if not release.is_release:
        lines.append(f"kind: not_release ({release.not_release_reason})")
        if release.title:
            lines.append(f"title: {release.title}")
        lines.append(f"encoding: {release.encoding}")
        return "\n".join(lines)
    rows = [
        ("标题 title", release.title),
        ("索引号 index_no", release.index_no),
        ("发布机构 publisher", release.publisher),
        ("成文日期 written_date", release.written_date),
        ("发布时间 published_at", release.published_at),
        ("文号 doc_number", release.doc_number),
        ("分类 category", release.category),
        ("有效性 validity", release.validity),
        ("统一编号 unified_no", release.unified_no),
        ("site / column", f"{release.site_name or '-'} / {release.column or '-'}"),
        ("breadcrumb", " > ".join(release.breadcrumb) or "-"),
        ("paragraphs", str(len(release.paragraphs))),
        ("encoding", release.encoding),
        ("content_hash", release.content_hash),
    ]
    lines += [f"{name}: {value if value is not None else '-'}" for name, value in rows]
    if release.turns:
        speakers = sorted({t["speaker"] for t in release.turns})
        lines.append(f"turns: {len(release.turns)} ({', '.join(speakers)})")
    for attachment in release.attachments:
        lines.append(f"attachment: {attachment['name']} <{attachment['url']}>")
    if release.links:
        lines.append(f"links: {len(release.links)}")
    if release.paragraphs:
        first = release.paragraphs[0]
        lines.append(f"first paragraph: {first[:80]}{'…' if len(first) > 80 else ''}")
    return "\n".join(lines)


@click.command()
@click.argument("sources", metavar="FILE_OR_URL...", nargs=-1, required=True)
@click.option(
    "--url",
    help="The page's URL, for every source given (resolves links; default: the fetched URL, none for a file).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the exact normalized JSON.")
def parse(sources: tuple[str, ...], url: str | None, as_json: bool) -> None:
    """Normalize saved pages (or fetch http(s) URLs) and print each Release.

    With --json and several sources, one JSON object is printed per source, in order.
    Exit 2 when any source could not be read — no such file, a failed fetch, or a URL answering
    an HTTP error (4xx or 5xx, as `govwatch check` counts it) — the others are still printed.
    """
    failed = False
    for source in sources:
        try:
            body, headers, fetched_url = read_source(source)
        except NormalizeError as exc:
            console.error(exc)
            failed = True
            continue
        release = normalize(body, url or fetched_url, headers)
        click.echo(to_json(release) if as_json else render(release, source))
    if failed:
        sys.exit(2)
