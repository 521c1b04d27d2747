"""Body extraction compared: govwatch's own against trafilatura and GNE, on the keyed real pages.

Run from the repo root after ``.venv/bin/pip install trafilatura gne`` (neither is a dependency of
govwatch: this script is how the choice was made): ``.venv/bin/python bench/extractors.py``. Writes
the "extractors" section of bench/RESULTS.md. Each extractor gets the decoded page; its text is split
into paragraphs at line breaks and held to the same keys as ``make eval`` (``paragraphs_min``,
``body_contains``), plus two template checks: the page's ``<title>`` text or a copyright/ICP footer
line kept as a paragraph.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.eval import squash  # noqa: E402
from bench.results import write_section  # noqa: E402
from crawler.normalize import normalize  # noqa: E402
from crawler.normalize.decode import decode_html  # noqa: E402
from tests import corpus  # noqa: E402

_FOOTER_RE = re.compile(r"版权所有|ICP备|公网安备|网站标识码|主办单位|承办单位|技术支持")


def ours(body: bytes, text: str, url: str) -> list[str]:
    return normalize(body, url).paragraphs


def trafilatura_paragraphs(body: bytes, text: str, url: str) -> list[str]:
    import trafilatura

    out = trafilatura.extract(
        text, url=url or None, include_tables=True, favor_recall=True, deduplicate=False
    )
    return [line.strip() for line in (out or "").split("\n") if line.strip()]


def gne_paragraphs(body: bytes, text: str, url: str) -> list[str]:
    from gne import GeneralNewsExtractor

    try:
        result = GeneralNewsExtractor().extract(text)
    except Exception:  # noqa: BLE001 - a page GNE cannot read counts as an empty body
        return []
    return [line.strip() for line in (result.get("content") or "").split("\n") if line.strip()]


EXTRACTORS: dict[str, Callable[[bytes, str, str], list[str]]] = {
    "govwatch": ours,
    "trafilatura": trafilatura_paragraphs,
    "gne": gne_paragraphs,
}


def score(name: str, extract: Callable[[bytes, str, str], list[str]], pairs: list[tuple[Path, Path]]) -> dict:
    met = found = wanted = footer = pages = 0
    started = time.perf_counter()
    for page, key_path in pairs:
        key = json.loads(key_path.read_text(encoding="utf-8"))
        body = page.read_bytes()
        text, _ = decode_html(body)
        paragraphs = extract(body, text, key.get("url") or "")
        squashed = [squash(p) for p in paragraphs]
        pages += 1
        met += len(paragraphs) >= int(key.get("paragraphs_min") or 0)
        for phrase in key.get("body_contains") or []:
            wanted += 1
            found += any(squash(phrase) in p for p in squashed)
        footer += any(_FOOTER_RE.search(p) for p in paragraphs)
    seconds = time.perf_counter() - started
    return {
        "name": name,
        "pages": pages,
        "paragraphs_min": met,
        "body_contains": found,
        "body_contains_of": wanted,
        "footer_kept": footer,
        "pages_per_s": pages / seconds if seconds else 0.0,
    }


def main() -> int:
    pairs = corpus.keyed_real_pages()
    if not pairs:
        print(corpus.absent_reason(corpus.REAL), file=sys.stderr)
        return 2
    rows = [score(name, fn, pairs) for name, fn in EXTRACTORS.items()]
    lines = [
        f"Body extraction on the {rows[0]['pages']} keyed real pages (keys as in `make eval`).",
        "",
        "| extractor | `paragraphs_min` met | `body_contains` found | pages with footer text kept | pages/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['paragraphs_min']} / {row['pages']} | {row['body_contains']} / "
            f"{row['body_contains_of']} | {row['footer_kept']} | {row['pages_per_s']:,.0f} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    write_section("extractors", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
