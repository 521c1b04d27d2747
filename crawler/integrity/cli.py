"""``govwatch check FILE_OR_URL [--url URL] [--config PATH] [--json]``: a page's integrity flags.

Stores nothing. Exit 0 when no flag is critical, 1 when the page is tampered, 2 on error.
The site's hosts are the host of ``--url`` (or of the fetched URL) plus, with ``--config``, the
``base_url`` host and aliases of the configured site that URL belongs to (whose ``integrity:``
options — ``allow_hosts``, ``ignore`` — apply too); without any URL the host
rules are skipped, never guessed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler import console
from crawler.integrity.hosts import host_of, norm_host

EXIT_CLEAN, EXIT_TAMPERED, EXIT_ERROR = 0, 1, 2


class CheckError(Exception):
    """A problem the user can fix; printed as one line, exit 2."""


def _fetch(url: str) -> tuple[bytes, str, dict[str, str]]:
    from crawler import __version__
    from crawler.net.fetch import FetchError, fetch_page

    try:
        resp = fetch_page(url, timeout=30, user_agent=f"govwatch/{__version__} (check)")
    except FetchError as exc:
        raise CheckError(f"cannot fetch {exc}") from exc
    if resp.status >= 400:
        raise CheckError(f"cannot fetch {url}: HTTP {resp.status}")
    return resp.body, resp.url, resp.headers


def _config_site(config_path: str, url_host: str) -> tuple[set[str], tuple[str, ...], tuple[str, ...]]:
    """``(site hosts, allow_hosts, ignored rules)`` of the configured site that serves ``url_host``."""
    from crawler.config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise CheckError(f"bad config {config_path}: {exc}") from exc
    except OSError as exc:
        raise CheckError(f"cannot read config {config_path}: {exc.strerror or exc}") from exc
    found: set[str] = set()
    allow: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    if not url_host:
        return found, allow, ignore
    for site in config.sites:
        site_hosts = {norm_host(h) for h in site.hosts}
        if url_host in site_hosts or any(url_host.endswith("." + h) for h in site_hosts):
            found |= site_hosts
            allow += site.integrity.allow_hosts
            ignore += site.integrity.ignore
    return found, allow, ignore


def run_check(target: str, url: str | None, config_path: str | None) -> list:
    from crawler.integrity import check as check_page
    from crawler.normalize import normalize

    headers: dict[str, str] = {}
    page_url: str | None
    if target.startswith(("http://", "https://")):
        body, final_url, headers = _fetch(target)
        url = url or target
        page_url = final_url if url == target else url
    else:
        path = Path(target)
        if not path.is_file():
            raise CheckError(f"no such file: {target}")
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise CheckError(f"cannot read {target}: {exc.strerror or exc}") from exc
        page_url = url
    url_host = host_of(url)
    site_hosts = {url_host} if url_host else set()
    allow: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    if config_path:
        configured, allow, ignore = _config_site(config_path, url_host)
        site_hosts |= configured
    release = normalize(body, page_url or "", headers)
    return check_page(body, release, site_hosts=site_hosts or None, allow_hosts=allow, ignore=ignore)


@click.command("check")
@click.argument("file_or_url")
@click.option("--url", help="The URL the page was served at (gives the site's host).")
@click.option(
    "--config", "config_path", help="config.yaml: adds the matching site's base_url host and aliases."
)
@click.option("--json", "as_json", is_flag=True, help="Print {tampered, flags} as JSON.")
def check(file_or_url: str, url: str | None, config_path: str | None, as_json: bool) -> None:
    """Print a page's integrity flags (defacement, spam, hidden links, redirects); store nothing."""
    from crawler.integrity import is_tampered

    try:
        flags = run_check(file_or_url, url, config_path)
    except CheckError as exc:
        console.error(exc)
        sys.exit(EXIT_ERROR)
    tampered = is_tampered(flags)
    if as_json:
        data = {"tampered": tampered, "flags": [f.to_dict() for f in flags]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(("TAMPERED" if tampered else "clean") + f": {len(flags)} flag(s)")
        for f in flags:
            click.echo(f"  [{f.severity}] {f.rule} @ {f.location}: {f.evidence}")
    sys.exit(EXIT_TAMPERED if tampered else EXIT_CLEAN)
