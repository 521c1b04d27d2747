"""Serve a generated Hanweb-style site of N releases on 127.0.0.1 (the benchmarks' one generator).

    python bench/sitegen.py N PORT [--changed FRACTION]

Runs in its own process so the crawl being measured does not share its interpreter. With
``--changed``, that share of releases (spread evenly) carries a one-character edit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.demo.server import SiteServer  # noqa: E402
from crawler.demo.site import SampleSite, build_site  # noqa: E402

COLUMNS = (("1229037214", "发布实录", "new"), ("1229037215", "通知公告", "old"))


def generate(n: int, changed: float = 0.0) -> SampleSite:
    site = build_site(n, columns=COLUMNS, per_page=15)
    if changed > 0:
        step = max(1, round(1 / changed))
        for i, page in enumerate(sorted(site.all_pages(), key=lambda p: p.id)):
            if i % step == step // 2:
                site.edit(page.id, page.paragraphs[0][:3], page.paragraphs[0][:3] + "改")
    return site


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("port", type=int)
    parser.add_argument("--changed", type=float, default=0.0)
    args = parser.parse_args()
    server = SiteServer(generate(args.n, args.changed), port=args.port)
    print(server.url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
