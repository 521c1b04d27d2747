"""``govwatch demo``: serve the bundled sample site on 127.0.0.1, crawl it into a fresh database and
print the report — the main job, end to end, on an embedded default."""

from __future__ import annotations

import sys
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crawler import clock
from crawler.demo.site import SampleSite

if TYPE_CHECKING:
    from crawler.config import Config

REFERENCE_PATH = "/art/2022/9/14/art_1229037214_59011309.html"


def reference_page() -> bytes:
    return (
        resources.files("crawler.demo").joinpath("data/quzhou-fabushilu-2022-09-14.defaced.html").read_bytes()
    )


def demo_site() -> SampleSite:
    """发布实录 (newer dataproxy form, 3 list pages) with the defaced reference page among its releases,
    and 通知公告 (older POST form)."""
    site = SampleSite(noise=True)
    site.add_column("1229037214", "发布实录", form="new", per_page=10)
    site.add_column("1229037215", "通知公告", form="old", per_page=5)
    today = clock.now().date()
    for i in range(24):
        site.add_page("1229037214", day=today - _days(1 + i * 4), top=False)
    site.add_page(
        "1229037214",
        day=date(2022, 9, 14),
        title="“‘浙’十年·衢州”主题新闻发布会答问实录",
        index_no="11330800002618015K/2022-134528",
        raw=reference_page(),
        raw_path=REFERENCE_PATH,
        top=False,
    )
    site.columns["1229037214"].pages.sort(key=lambda p: p.day, reverse=True)
    for i in range(12):
        site.add_page(
            "1229037215",
            day=today - _days(2 + i * 6),
            top=False,
            attachments=[("附件1.pdf", f"/module/download/downfile.jsp?classid=0&filename={i}.pdf")]
            if i % 4 == 0
            else None,
        )
    return site


def _days(n: int) -> Any:
    from datetime import timedelta

    return timedelta(days=n)


def demo_config(base_url: str, database: Path) -> Config:
    from crawler.config import config_from_dict

    data = {
        "database": str(database),
        "notify_baseline": True,
        "sinks": [{"type": "console"}],
        "sites": [
            {
                "name": "demo",
                "base_url": base_url,
                "aliases": ["www.qz.gov.cn"],  # the sample site stands in for Quzhou's
                "profile": "hanweb",
                "columns": [
                    {"name": "发布实录", "url": f"{base_url}/col/col1229037214/index.html", "kind": "news"},
                    {"name": "通知公告", "url": f"{base_url}/col/col1229037215/index.html", "kind": "notice"},
                ],
                "revisit": "always",
                "link_check": {"allow_private": True},  # the sample site is on 127.0.0.1
                "politeness": {
                    "download_delay": 0,
                    "autothrottle": False,
                    "concurrency_per_host": 8,
                    "obey_robots": True,
                },
            }
        ],
    }
    return config_from_dict(data, source="<demo>", base_dir=database.parent)


@click.command()
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=Path("govwatch-demo.db"),
    show_default=True,
    help="Database to create (replaced if it exists).",
)
def demo(db: Path) -> None:
    """Crawl the bundled sample site (served on 127.0.0.1) into a fresh database and print the report."""
    from crawler.crawl.cli import run_crawl
    from crawler.demo.server import serve

    db = db.resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    site = demo_site()
    with serve(site) as server:
        click.echo(
            f"govwatch demo: sample Hanweb site at {server.url} ({len(site.all_pages())} releases, 2 columns)"
        )
        config = demo_config(server.url, db)
        code = run_crawl(config, (), db, None, notify=True)
    click.echo(
        f"\nDatabase: {db}\nBrowse it:  govwatch serve --db {db}\n"
        f"History of the defaced page:  govwatch history --db {db} 11330800002618015K/2022-134528"
    )
    sys.exit(code)
