"""``govwatch init [DIR]`` and ``govwatch add-site URL``: from nothing to a watched site, without
knowing which CMS the site runs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import click

from crawler import console

if TYPE_CHECKING:
    from crawler.onboard.detect import Detection

TEMPLATE = """\
# govwatch configuration, written by `govwatch init`.
# Every key, its default and its meaning: docs/CONFIG.md. Check this file with `govwatch config check`;
# `govwatch config check --schema > config.schema.json` gives editors a JSON Schema to complete it.
# Durations are written 30s, 10m, 6h, 14d. Relative paths are relative to this file's folder.

database: govwatch.db          # the archive (SQLite); `govwatch serve` browses it
timezone: Asia/Shanghai        # schedules and dates are read in this zone
user_agent_contact: null       # a URL or e-mail put into the User-Agent, so webmasters can reach you
notify_baseline: false         # true: also report every release found by a column's first crawl

sinks:                         # where events go; each sink gets every event once
  - {type: console}            # printed by `govwatch crawl`
  # - {type: jsonl, path: events.jsonl}
  # - {type: markdown, dir: reports}
  # - {type: atom, path: feed.xml}
  # - {type: webhook, url: "https://example.org/hook", secret_env: GOVWATCH_HOOK_SECRET}
  # - {type: apprise, name: wecom, urls_env: GOVWATCH_WECOM}   # WeCom, DingTalk, Feishu, e-mail …
  # - {type: apprise, name: webmaster, urls_env: GOVWATCH_DINGTALK, events: [tampered, fetch_failed]}

# The watched sites. `govwatch add-site URL` adds one from the URL of a column (栏目) page: it finds
# out which CMS the site runs and shows what it would watch. An entry looks like this:
#
#   - name: quzhou                  # one word: `govwatch crawl --site quzhou`
#     base_url: https://www.qz.gov.cn
#     profile: hanweb               # hanweb (大汉) | trs | generic (then: generic: {item_links, next_page})
#     columns:
#       - {name: 发布实录, url: "https://www.qz.gov.cn/col/col1229037214/index.html", kind: news}
#     schedule: "@hourly"           # cron, 5 fields ("0 */6 * * *"), or @hourly, @daily, @weekly
sites: []
"""

SHOWN_ITEMS = 10


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a config.yaml that is already there.")
def init(directory: Path | None, force: bool) -> None:
    """Write a commented config.yaml (in DIRECTORY, default here) and say what to do next."""
    folder = directory or Path(".")
    path = folder / "config.yaml"
    if path.exists() and not force:
        console.fail(f"{path} already exists (--force replaces it; `govwatch config check` checks it)")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE, encoding="utf-8")
    go = f"cd {directory}\n  " if directory else ""
    click.echo(
        f"wrote {path}. Next:\n"
        f"  {go}govwatch add-site URL    # URL of a column page (the list of releases) of the site to watch\n"
        "  govwatch crawl            # the first crawl: stores every release; later crawls report changes"
    )


def _robots_allows(url: str, user_agent: str) -> bool:
    """Whether robots.txt of ``url``'s site lets ``user_agent`` fetch it (no robots.txt: yes)."""
    from protego import Protego

    from crawler.net.fetch import fetch_page

    parts = urlsplit(url)
    robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    answer = fetch_page(robots_url, timeout=20, max_bytes=512 * 1024, user_agent=user_agent)
    if answer.status != 200:
        return True
    rules = Protego.parse(answer.body.decode("utf-8", "replace"))
    return bool(rules.can_fetch(url, user_agent))


def _why(exc: Exception) -> str:
    """Why a fetch failed, in a few words."""
    text = str(exc)
    lowered = text.lower()
    for words, reason in (
        (("refused",), "connection refused"),
        (
            ("name or service not known", "nodename", "cannot resolve", "no address"),
            "DNS lookup failed (no such host)",
        ),
        (("ssl", "certificate", "tls"), "TLS error (the site's certificate or its TLS setup)"),
        (("no complete answer", "timed out", "timeout"), "no answer in time"),
    ):
        if any(word in lowered for word in words):
            return reason
    return text.split(": ", 1)[1] if ": " in text else text


def _private(url: str) -> bool:
    """Whether the host of ``url`` is at a loopback or private address (an intranet site, the demo)."""
    from crawler.net.guarded import system_resolver
    from crawler.net.urlpolicy import address_problem

    parts = urlsplit(url)
    try:
        addresses = system_resolver(parts.hostname or "", parts.port or 80, 10.0)
    except Exception:
        return False
    return any(address_problem(a) for a in addresses)


def _show(found: Detection) -> None:
    click.echo(f"profile: {found.profile} — {found.evidence}")
    if found.generic:
        for key, value in found.generic.items():
            click.echo(f"  {key}: {value}")
    rows = [(i.date or "-", i.title or "-", i.url) for i in found.items[:SHOWN_ITEMS]]
    more = f" (the first {SHOWN_ITEMS} shown)" if len(found.items) > SHOWN_ITEMS else ""
    click.echo(f"items on this page: {len(found.items)}{more}")
    console.print_table(("date", "title", "url"), rows)
    click.echo(f"pager: {found.pager}")


def _save(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".config.", suffix=".yaml", dir=path.resolve().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("add-site")
@click.argument("url")
@click.option("--name", help="The site's name (one word) [from its host].")
@click.option("--column", "column_name", help="The column's name [from the page].")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configuration [./config.yaml].",
)
@click.option("--dry-run", is_flag=True, help="Only print the entry; change no file.")
def add_site(
    url: str, name: str | None, column_name: str | None, config_path: Path | None, dry_run: bool
) -> None:
    """Fetch a column page (robots.txt respected), find which CMS profile reads it, show the items
    it lists and its pager, and add the site to config.yaml (validated) — or print the entry with
    --dry-run.

    Exit status: 0 added (or printed); 2 when the page cannot be fetched or read as a column (the
    message says why and what to try), or the configuration cannot take the entry.
    """
    from crawler.config import ConfigError, load_config, user_agent
    from crawler.config.locate import find_config
    from crawler.net.fetch import FetchError, fetch_page
    from crawler.net.urlpolicy import url_problem
    from crawler.onboard import entry
    from crawler.onboard.detect import detect

    try:
        path = find_config(config_path)
        config = load_config(path) if path is not None else None
    except ConfigError as exc:
        console.fail(exc)
    if path is None and not dry_run:
        console.fail("no config.yaml here to add the site to: `govwatch init` writes one (or use --dry-run)")
    problem = url_problem(url)
    if problem:
        console.fail(problem)
    agent = config.user_agent if config is not None else user_agent(None)
    try:
        if not _robots_allows(url, agent):
            console.fail(
                f"robots.txt of {entry.base_url(url)} does not allow {url} to govwatch: it will not crawl it "
                "(if the webmaster agrees, set the site's politeness: {obey_robots: false})"
            )
        page = fetch_page(url, timeout=30, user_agent=agent)
    except FetchError as exc:
        console.fail(f"cannot fetch {url}: {_why(exc)}")
    if page.status >= 400:
        console.fail(f"cannot fetch {url}: HTTP {page.status}; check the column's URL in a browser")
    found = detect(page.body, page.url, page.headers)
    if page.url != url:
        console.note(f"{url} redirected to {page.url}; watching {page.url}")
    if found.profile is None:
        console.fail(f"{page.url}: {found.reason}. Try: {found.hint}")
    _show(found)
    site = name or entry.site_name(found.url)
    private = _private(found.url)
    new = entry.site_entry(found, name=site, private=private, column_name=column_name)
    if dry_run or path is None:
        click.echo("\n# the entry (under sites: in config.yaml):")
        click.echo(entry.dump([new]), nl=False)
        return
    text = path.read_text(encoding="utf-8")
    try:
        changed, done, site = entry.add_to_text(
            text, found, name=site, private=private, column_name=column_name
        )
        entry.validate(changed, path)
    except entry.CannotEdit as exc:
        click.echo("\n# the entry (paste it under sites: in config.yaml):")
        click.echo(entry.dump([new]), nl=False)
        console.fail(f"{path}: not changed: {exc}")
    except ConfigError as exc:
        console.error(exc)
        console.fail(f"{path}: not changed: the entry would make it invalid (above)")
    _save(path, changed)
    click.echo(f"{path}: {done} (profile {found.profile}). Next: govwatch crawl --site {site}")
