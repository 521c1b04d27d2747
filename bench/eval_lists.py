"""The list section of ``make eval``: the profiles on every column page that has a hand-written key.

Keys are ``NAME.expected.json`` beside ``NAME.html`` / ``NAME.xml``, in ``tests/profiles/fixtures``
(the project's own) and in ``../shared/fixtures/lists`` (found through ``tests/corpus.py``; skipped
when absent). A key says which profile reads the page at which URL, every list item in order
(``url``, ``date``, ``title``), and the next request (``url``, ``method``, ``formdata``) or null.
``follows: OTHER.html`` makes the page the reply to OTHER's next request: OTHER is read first and
its request (URL and context) is the one this page answers; ``context`` gives a reply's request
context outright.

Per page: **items exact** (the same URLs in the same order: every item, nothing from outside the
list), **first item**, **next page**, **dates** and **titles** right, **foreign** links taken from
outside the list. ``evaluate() -> dict``, ``markdown(result) -> str``; run standalone
(``python bench/eval_lists.py``) it prints the section and writes it into bench/EVAL.md.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawler.profiles import ListPage, get_profile  # noqa: E402
from tests import corpus  # noqa: E402

OWN = ROOT / "tests" / "profiles" / "fixtures"
EVAL = ROOT / "bench" / "EVAL.md"
FLOORS = ROOT / "bench" / "eval_floors_lists.json"
SECTION = "Lists"


@dataclass
class Keyed:
    page: Path
    key: Path
    source: str  # "own" | "shared"

    @property
    def name(self) -> str:
        return self.page.name


def keyed(folder: Path, source: str) -> list[Keyed]:
    found = []
    if not folder.is_dir():
        return found
    for key in sorted(folder.glob("*.expected.json")):
        stem = key.name.removesuffix(".expected.json")
        for ext in (".html", ".htm", ".xml"):
            page = key.with_name(stem + ext)
            if page.exists():
                found.append(Keyed(page, key, source))
                break
    return found


def collect() -> list[Keyed]:
    """Every keyed list page: the project's own, then the shared corpus's (when it is beside us)."""
    return keyed(OWN, "own") + keyed(corpus.LISTS, "shared")


def _load(item: Keyed) -> dict[str, Any]:
    return json.loads(item.key.read_text(encoding="utf-8"))


def read(item: Keyed, by_name: dict[str, Keyed]) -> tuple[ListPage, dict[str, Any], str | None]:
    """The profile's reading of the page (as the crawl would reach it), its key, and a chain error."""
    key = _load(item)
    profile = get_profile(key["profile"])
    context = key.get("context") or profile.first_request(key["url"]).context
    problem = None
    if key.get("follows"):
        parent = by_name[key["follows"]]
        before, _, problem = read(parent, by_name)
        if before.next is None:
            problem = f"{key['follows']} asks for no next page"
        else:
            if before.next.url != key["url"]:
                problem = f"{key['follows']} asks for {before.next.url}"
            context = before.next.context
    page = profile.parse_list(item.page.read_bytes(), key["url"], key.get("headers"), context)
    return page, key, problem


def _next_right(page: ListPage, want: dict[str, Any] | None) -> bool:
    if want is None or page.next is None:
        return want is None and page.next is None
    got = page.next
    if got.url != want["url"] or got.method.upper() != want.get("method", "GET").upper():
        return False
    return "formdata" not in want or (got.formdata or {}) == want["formdata"]


def score(item: Keyed, by_name: dict[str, Keyed]) -> dict[str, Any]:
    page, key, problem = read(item, by_name)
    want = key["items"]
    want_urls = [i["url"] for i in want]
    got = {i.url: i for i in page.items}
    got_urls = [i.url for i in page.items]
    dated = [i for i in want if "date" in i]
    titled = [i for i in want if i.get("title")]
    return {
        "name": item.name,
        "source": item.source,
        "profile": key["profile"],
        "ok": page.ok and problem is None,
        "problem": problem,
        "expected": len(want_urls),
        "read": len(got_urls),
        "found": sum(1 for u in want_urls if u in got),
        "foreign": sum(1 for u in got_urls if u not in set(want_urls)),
        "items_exact": got_urls == want_urls,
        "first_item": (got_urls[:1] == want_urls[:1]),
        "next_page": _next_right(page, key.get("next")),
        "dates": len(dated),
        "dates_right": sum(1 for i in dated if i["url"] in got and got[i["url"]].date == i["date"]),
        "titles": len(titled),
        "titles_right": sum(1 for i in titled if i["url"] in got and got[i["url"]].title == i["title"]),
    }


def evaluate() -> dict[str, Any]:
    items = collect()
    by_name = {i.name: i for i in items}
    started = time.perf_counter()
    pages = [score(i, by_name) for i in items]
    elapsed = time.perf_counter() - started
    totals: dict[str, Any] = {}
    for source in ("own", "shared", "all"):
        rows = [p for p in pages if source == "all" or p["source"] == source]
        totals[source] = {
            "pages": len(rows),
            "items_exact": sum(p["items_exact"] for p in rows),
            "first_item": sum(p["first_item"] for p in rows),
            "next_page": sum(p["next_page"] for p in rows),
            "expected": sum(p["expected"] for p in rows),
            "found": sum(p["found"] for p in rows),
            "foreign": sum(p["foreign"] for p in rows),
            "dates": sum(p["dates"] for p in rows),
            "dates_right": sum(p["dates_right"] for p in rows),
            "titles": sum(p["titles"] for p in rows),
            "titles_right": sum(p["titles_right"] for p in rows),
        }
    return {
        "pages": pages,
        "totals": totals,
        "shared": str(corpus.LISTS) if corpus.present(corpus.LISTS) else None,
        "seconds": round(elapsed, 3),
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def markdown(result: dict[str, Any]) -> str:
    """The "Lists" section of bench/EVAL.md (without its ``##`` heading)."""
    yes = {True: "yes", False: "**no**"}
    lines = [
        "Every keyed column page read by its profile: items exact (every list item in order, none from"
        " outside the list), the first item, the next request, dates and titles.",
        "",
        "| page | profile | items exact | read / expected | foreign | first | next | dates | titles |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in result["pages"]:
        note = f" ({p['problem']})" if p["problem"] else ""
        lines.append(
            f"| {p['name']}{' (shared)' if p['source'] == 'shared' else ''} | {p['profile']} |"
            f" {yes[p['items_exact']]} | {p['read']} / {p['expected']} | {p['foreign']} |"
            f" {yes[p['first_item']]} | {yes[p['next_page']]}{note} |"
            f" {p['dates_right']}/{p['dates']} | {p['titles_right']}/{p['titles']} |"
        )
    lines.append("")
    for source, label in (
        ("own", "project fixtures"),
        ("shared", "../shared/fixtures/lists"),
        ("all", "all"),
    ):
        t = result["totals"][source]
        if source == "shared" and result["shared"] is None:
            lines.append(f"- {label}: absent (the shared corpus is not beside this clone)")
            continue
        lines.append(
            f"- {label}: {t['items_exact']}/{t['pages']} pages exact, first item {t['first_item']}/{t['pages']},"
            f" next page {t['next_page']}/{t['pages']}; items {t['found']}/{t['expected']} found,"
            f" {t['foreign']} foreign; dates {t['dates_right']}/{t['dates']}"
            f" ({_pct(t['dates_right'], t['dates'])}), titles {t['titles_right']}/{t['titles']}"
        )
    lines.append(f"- {len(result['pages'])} pages read in {result['seconds']:.2f} s")
    return "\n".join(lines) + "\n"


def write(section_body: str, path: Path = EVAL) -> None:
    """Replace (or append) the ``## Lists`` section of bench/EVAL.md."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Evaluation\n\nWritten by `make eval`.\n"
    section = f"## {SECTION}\n\n{section_body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def below_floors(result: dict[str, Any], floors: dict[str, Any] | None = None) -> list[str]:
    """Every floor the result falls below (bench/eval_floors_lists.json: minimums per source,
    ``foreign`` a maximum); empty when all hold."""
    floors = json.loads(FLOORS.read_text(encoding="utf-8")) if floors is None else floors
    problems = []
    for source, minimums in floors.items():
        if source.startswith("_"):
            continue
        totals = result["totals"][source]
        for metric, floor in minimums.items():
            value = totals[metric]
            if metric == "foreign" and value > floor:
                problems.append(f"{source}.{metric}: {value} > {floor}")
            elif metric != "foreign" and value < floor:
                problems.append(f"{source}.{metric}: {value} < {floor}")
    return problems


def main() -> int:
    result = evaluate()
    body = markdown(result)
    print(f"## {SECTION}\n\n{body}")
    write(body)
    problems = below_floors(result)
    for problem in problems:
        print(f"below floor: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
