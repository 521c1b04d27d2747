"""Store benchmark: 10,000 releases × 3 versions into a fresh database.

Reports versions recorded per second and database bytes per version, and writes section "store" of
bench/RESULTS.md. Run from the repo root: ``.venv/bin/python bench/store.py [--releases N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import write_section  # noqa: E402
from crawler.model import Fetch, Release  # noqa: E402
from crawler.store import Store  # noqa: E402

PARAGRAPH = (
    "9月13日下午，市政府新闻办召开主题新闻发布会，介绍衢州市深入推进数字化改革、打造四省边际中心城市的情况。"
)


def make(i: int, edit: int) -> tuple[Fetch, Release]:
    url = f"http://www.qz.gov.cn/art/2022/9/14/art_1229037214_{i}.html"
    paragraphs = [PARAGRAPH * 3 for _ in range(8)] + [f"（第{edit + 1}次修订，编号{i}）"]
    release = Release(
        url=url,
        index_no=f"11330800002618015K/2022-{i:06d}",
        title=f"衢州市新闻发布会答问实录（第{i}期）",
        publisher="市政府办公室",
        written_date="2022-09-14",
        published_at="2022-09-14T09:12:00+08:00",
        site_name="衢州市人民政府",
        column="发布实录",
        paragraphs=paragraphs,
    )
    html = (
        "<html><body>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "<div>"
        + "导航" * 3000
        + "</div></body></html>"
    )
    return Fetch(url=url, site="quzhou", outcome="ok", status=200, body=html.encode()), release


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = Store(path)
        recorded = 0
        started = time.perf_counter()
        for edit in range(3):
            run = store.start_run("quzhou")
            for i in range(args.releases):
                fetch, release = make(i, edit)
                fetch.run_id = run
                store.record(fetch, release, [])
                recorded += 1
            store.finish_run(run, "ok", {"requests": args.releases})
        elapsed = time.perf_counter() - started
        versions = store.db["versions"].count
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        size = path.stat().st_size
    assert versions == recorded, (versions, recorded)
    rate = versions / elapsed
    body = (
        f"{args.releases:,} releases × 3 versions = {versions:,} versions in {elapsed:.1f} s "
        f"(one `record()` transaction each, WAL, synchronous=NORMAL)\n\n"
        f"| metric | value |\n|---|---|\n"
        f"| versions recorded per second | {rate:,.0f} |\n"
        f"| database bytes per version | {size / versions:,.0f} |\n"
        f"| database size | {size / 1024 / 1024:,.1f} MiB |\n"
    )
    print(body)
    write_section("store", body)


if __name__ == "__main__":
    main()
