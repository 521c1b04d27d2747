"""Snapshot what the normalizer and the integrity rules make of every saved page, to prove a change
of the per-page path derives exactly the same: every Release JSON and every flag.

    python bench/samepages.py snapshot OUT.json   # before the change
    python bench/samepages.py compare OUT.json    # after: lists every page that differs (exit 1)

Pages: the real corpus (../shared, when present), the repository's saved pages (tests/fixtures),
the demo's pages, generated Hanweb and TRS bench pages, and hostile variants of each real page
(control characters, an XML declaration and processing instructions, deep nesting, a wrong charset
header). Each page is judged as the crawl judges it (``crawler.crawl.pipelines.judge``) and also by
``normalize`` and ``check`` on their own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.crawl.pipelines import judge  # noqa: E402
from crawler.integrity import check  # noqa: E402
from crawler.model import Fetch  # noqa: E402
from crawler.normalize import normalize  # noqa: E402
from tests.corpus import FIXTURES  # noqa: E402

HOSTS = frozenset({"www.example.gov.cn"})
URL = "http://www.example.gov.cn/art/2022/9/14/art_1_1.html"


def _variants(name: str, body: bytes) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    yield name, body, {}
    yield name + "#ctype-gbk", body, {"Content-Type": "text/html; charset=gbk"}
    text = body.decode("utf-8", "replace")
    at = text.find("<body")
    if at < 0:
        return
    yield name + "#controls", (text[:at] + "\x01\x0b<p>\x07x\x1f</p>" + text[at:]).encode(), {}
    yield name + "#pi", ('<?xml version="1.0"?>' + text[:at] + "<?php x ?>" + text[at:]).encode(), {}
    deep = "<div>" * 400 + "<p>深处的文字 bet365 备用网址</p>" + "</div>" * 400
    end = text.rfind("</body>")
    if end > 0:
        yield name + "#deep", (text[:end] + deep + text[end:]).encode(), {}


def pages() -> Iterator[tuple[str, bytes, dict[str, str]]]:
    roots = [FIXTURES / "real", FIXTURES / "seed", FIXTURES / "lists", ROOT / "tests/fixtures"]
    roots += [ROOT / "crawler/demo/data"]
    for root in roots:
        for path in sorted(root.rglob("*.html")) if root.is_dir() else []:
            yield from _variants(str(path.relative_to(root.parent)), path.read_bytes())
    from bench.sitegen import generate

    site = generate(40)
    for i, page in enumerate(site.all_pages()):
        if i % 5 == 0:
            yield f"sitegen/{i}", site.handle("GET", site.page_path(page)).body, {}


def judged(body: bytes, headers: dict[str, str]) -> dict:
    fetch = Fetch(url=URL, site="s", outcome="ok", status=200, body=body, headers=headers)
    release, flags = judge(fetch, HOSTS)
    alone = normalize(body, URL, headers)
    return {
        "outcome": fetch.outcome,
        "release": release.to_dict() if release is not None else None,
        "flags": [f.to_dict() for f in flags],
        "alone": alone.to_dict(),
        "alone_flags": [f.to_dict() for f in check(body, alone, site_hosts=HOSTS)]
        if alone.is_release
        else [],
    }


def main() -> None:
    mode, out = sys.argv[1], Path(sys.argv[2])
    now = {name: judged(body, headers) for name, body, headers in pages()}
    if mode == "snapshot":
        out.write_text(json.dumps(now, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        print(f"{len(now)} pages written to {out}")
        return
    before = json.loads(out.read_text(encoding="utf-8"))
    differ = sorted(n for n in set(before) | set(now) if before.get(n) != now.get(n))
    for name in differ:
        for part in ("outcome", "release", "flags", "alone", "alone_flags"):
            a, b = (before.get(name) or {}).get(part), (now.get(name) or {}).get(part)
            if a != b:
                print(
                    f"{name}: {part} differs\n  before {json.dumps(a, ensure_ascii=False)[:600]}\n  now    {json.dumps(b, ensure_ascii=False)[:600]}"
                )
    print(f"{len(now)} pages, {len(differ)} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
