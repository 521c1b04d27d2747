"""``make eval``: the normalizer and ``check`` over every keyed real page; writes bench/EVAL.md.

Run from the repo root: ``.venv/bin/python bench/eval.py [--raise-floors] [--seconds N]``.

The pages and their hand-written keys (``NN_….expected.json``: ``expect`` fields, ``paragraphs_min``,
``body_contains``) are the shared corpus beside the clone (``../shared/fixtures/real``), found through
``tests/corpus.py``; nothing here is a key or golden of the project's own. Measured:

- every keyed field (``expect``), compared as the keys are written: text with whitespace runs
  (U+3000, NBSP …) removed, ``published_at`` by its date when the key gives only a date;
- the 索引号 of every page whose key has one;
- ``paragraphs_min`` (paragraph recall) and every ``body_contains`` phrase (found inside one paragraph);
- critical integrity flags on pages that carry no spam (a key may say ``"spam": true``; none of the
  shared keys does: the TAMPERED_ copies carry injected promotional biographies, which are text a
  monitor diffs, not the gambling/porn pitch or link farms the integrity rules flag);
- normalize throughput on the corpus and on the reference page.

``bench/eval_floors.json`` holds the floors the test ``tests/test_eval_floors.py`` holds the current
result to. ``--raise-floors`` writes the better of the old floor and today's result — floors only go up
(and the ceiling on false critical flags only down).

The "Lists" section comes from ``bench/eval_lists.py`` (``evaluate()`` / ``markdown()`` /
``below_floors()``, its floors in bench/eval_floors_lists.json); ``make eval-lists`` rewrites only it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from crawler.integrity import check  # noqa: E402
from crawler.integrity.hosts import host_of, norm_host  # noqa: E402
from crawler.model import Release  # noqa: E402
from crawler.normalize import NORMALIZER_VERSION, normalize  # noqa: E402
from tests import corpus  # noqa: E402

EVAL_MD = Path(__file__).with_name("EVAL.md")
FLOORS = Path(__file__).with_name("eval_floors.json")
#: the fields a key may assert, in the order the report shows them
FIELDS = ("title", "index_no", "publisher", "written_date", "published_at", "doc_number", "category")
#: floors: higher is better for every key except those listed in CEILINGS
CEILINGS = ("false_critical_flags",)


def squash(value: Any) -> Any:
    """Text with every whitespace run (U+3000, NBSP, ASCII) and zero-width character removed."""
    if not isinstance(value, str):
        return value
    return "".join(value.replace("\u200b", "").replace("\ufeff", "").split())


def field_right(name: str, expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is None and (got is None or got == "")
    if name == "published_at" and isinstance(expected, str) and len(expected) == 10:
        return isinstance(got, str) and got[:10] == expected
    return bool(squash(expected) == squash(got))


@dataclass
class PageResult:
    name: str
    fields: dict[str, tuple[Any, Any, bool]] = field(default_factory=dict)  # name → (expected, got, right)
    paragraphs: int = 0
    paragraphs_min: int = 0
    contains: list[tuple[str, bool]] = field(default_factory=list)
    spam: bool = False
    critical: list[str] = field(default_factory=list)  # "rule: evidence"
    site_host: str | None = None
    kind: str = "release"

    @property
    def fields_right(self) -> int:
        return sum(1 for _e, _g, ok in self.fields.values() if ok)

    @property
    def paragraphs_met(self) -> bool:
        return self.paragraphs >= self.paragraphs_min


def _site_host(release: Release, key_url: str | None, html: bytes) -> str | None:
    """The host a deployment watching this page would configure: the key's URL, else the page's own
    ``Url`` / ``SiteDomain`` meta (first entry), else none (host rules are then skipped)."""
    if key_url:
        return host_of(key_url) or None
    from crawler.integrity.page import Page

    page = Page.build(html, release, None)
    for name in ("url", "sitedomain"):
        if name in page.metas:
            value = page.metas[name][1].replace("，", ",").split(",")[0].strip()
            host = host_of(value) if "/" in value else norm_host(value)
            if host:
                return host
    return None


def evaluate_page(page: Path, key_path: Path) -> PageResult:
    key = json.loads(key_path.read_text(encoding="utf-8"))
    html = page.read_bytes()
    url = key.get("url") or ""
    release = normalize(html, url)
    result = PageResult(name=page.name, kind=release.kind)
    got = release.to_dict()
    for name, expected in (key.get("expect") or {}).items():
        value = got.get(name)
        result.fields[name] = (expected, value, field_right(name, expected, value))
    result.paragraphs = len(release.paragraphs)
    result.paragraphs_min = int(key.get("paragraphs_min") or 0)
    squashed = [squash(p) for p in release.paragraphs]
    for phrase in key.get("body_contains") or []:
        want = squash(phrase)
        result.contains.append((phrase, any(want in p for p in squashed)))
    result.spam = bool(key.get("spam", False))
    host = _site_host(release, url or None, html)
    result.site_host = host
    flags = check(html, release, site_hosts={host} if host else None)
    result.critical = [f"{f.rule}: {f.evidence}" for f in flags if f.severity == "critical"]
    return result


@dataclass
class Summary:
    pages: list[PageResult]
    seconds: dict[str, float] = field(default_factory=dict)  # name → pages/s
    lists: str | None = None

    def count(self) -> dict[str, int]:
        fields = [f for p in self.pages for f in p.fields.values()]
        index = [(p, p.fields["index_no"]) for p in self.pages if "index_no" in p.fields]
        with_index = [(p, f) for p, f in index if f[0]]
        contains = [ok for p in self.pages for _phrase, ok in p.contains]
        clean = [p for p in self.pages if not p.spam]
        keyed_min = [p for p in self.pages if p.paragraphs_min]
        return {
            "pages": len(self.pages),
            "fields": len(fields),
            "fields_right": sum(1 for *_x, ok in fields if ok),
            "index_no_pages": len(with_index),
            "index_no_found": sum(1 for _p, f in with_index if f[2]),
            "paragraphs_min_pages": len(self.pages),
            "paragraphs_min_met": sum(1 for p in self.pages if p.paragraphs_met),
            "paragraphs_wanted": sum(p.paragraphs_min for p in keyed_min),
            "paragraphs_recalled": sum(min(p.paragraphs, p.paragraphs_min) for p in keyed_min),
            "body_contains": len(contains),
            "body_contains_found": sum(contains),
            "clean_pages": len(clean),
            "false_critical_flags": sum(len(p.critical) for p in clean),
            "clean_pages_flagged": sum(1 for p in clean if p.critical),
        }

    def figures(self) -> dict[str, float]:
        """What the floors hold: percentages and counts."""
        c = self.count()
        return {
            "fields_right_pct": _pct(c["fields_right"], c["fields"]),
            "index_no_found": c["index_no_found"],
            "paragraphs_min_met": c["paragraphs_min_met"],
            "body_contains_found": c["body_contains_found"],
            "false_critical_flags": c["false_critical_flags"],
        }


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


def evaluate(pairs: list[tuple[Path, Path]] | None = None) -> Summary:
    """Every keyed real page (``tests/corpus.py``), normalized and checked; no timing."""
    pairs = corpus.keyed_real_pages() if pairs is None else pairs
    return Summary([evaluate_page(page, key) for page, key in pairs])


def measure_speed(summary: Summary, pairs: list[tuple[Path, Path]], seconds: float) -> None:
    from bench.normalize import PAGE, URL, rate

    bodies = [
        (page.read_bytes(), json.loads(key.read_text(encoding="utf-8")).get("url") or "")
        for page, key in pairs
    ]

    rates = []
    for _round in range(3 if bodies else 0):  # median of three rounds, each at least one pass over the corpus
        done, start = 0, time.perf_counter()
        while not done or time.perf_counter() - start < seconds / 3:
            for body, url in bodies:
                normalize(body, url)
            done += len(bodies)
        rates.append(done / (time.perf_counter() - start))
    if rates:
        summary.seconds["corpus"] = sorted(rates)[1]
    reference = PAGE.read_bytes()
    median, _best, _calls = rate(lambda: normalize(reference, URL), seconds, rounds=5)
    summary.seconds["reference"] = median
    # the same machine's bare parse of the same page: a figure that shows how loaded the machine was
    text = reference.decode("utf-8")
    bare, _best, _calls = rate(lambda: lxml.html.document_fromstring(text), seconds, rounds=5)
    summary.seconds["bare_parse"] = bare


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def below_floors(summary: Summary, floors: dict[str, float]) -> list[str]:
    """One line per figure that fell below its floor (or rose above its ceiling)."""
    figures = summary.figures()
    problems = []
    for name, floor in floors.items():
        if name not in figures:
            problems.append(f"{name}: no such figure (known: {', '.join(figures)})")
            continue
        value = figures[name]
        if name in CEILINGS and value > floor:
            problems.append(f"{name} is {value:g}, above its ceiling {floor:g}")
        elif name not in CEILINGS and value < floor:
            problems.append(f"{name} is {value:g}, below its floor {floor:g}")
    return problems


def raised_floors(summary: Summary, floors: dict[str, float]) -> dict[str, float]:
    """The better of each old floor and today's figure: floors never go down."""
    out = dict(floors)
    for name, value in summary.figures().items():
        old = floors.get(name)
        if old is None:
            out[name] = value
        elif name in CEILINGS:
            out[name] = min(old, value)
        else:
            out[name] = max(old, value)
    return out


def _cell(value: Any) -> str:
    text = "null" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 48 else text[:47] + "…"


def markdown(summary: Summary) -> str:
    c = summary.count()
    lines = [
        "# Evaluation on real pages",
        "",
        "Written by `make eval` (bench/eval.py) from the keyed real pages of the shared corpus "
        f"(`../shared/fixtures/real`, {c['pages']} pages with hand-written keys); normalizer "
        f"v{NORMALIZER_VERSION}. Floors: bench/eval_floors.json (only ever raised).",
        "",
        "| measure | result |",
        "|---|---:|",
        f"| keyed fields right | {c['fields_right']} / {c['fields']} ({_pct(c['fields_right'], c['fields'])}%) |",
        f"| 索引号 found (pages that have one) | {c['index_no_found']} / {c['index_no_pages']} |",
        f"| `paragraphs_min` met | {c['paragraphs_min_met']} / {c['paragraphs_min_pages']} |",
        f"| paragraph recall (up to `paragraphs_min`) | {c['paragraphs_recalled']} / {c['paragraphs_wanted']} "
        f"({_pct(c['paragraphs_recalled'], c['paragraphs_wanted'])}%) |",
        f"| `body_contains` found | {c['body_contains_found']} / {c['body_contains']} |",
        f"| critical flags on pages without spam | {c['false_critical_flags']} "
        f"(on {c['clean_pages_flagged']} of {c['clean_pages']} pages) |",
    ]
    if "corpus" in summary.seconds:
        lines.append(f"| normalize, corpus pages/s (median of 3 rounds) | {summary.seconds['corpus']:,.0f} |")
    if "reference" in summary.seconds:
        ref = summary.seconds["reference"]
        bare = summary.seconds.get("bare_parse")
        share = f"; {ref / bare:.0%} of a bare lxml parse ({bare:,.0f}/s)" if bare else ""
        lines.append(f"| normalize, reference page pages/s (goal ≥ 1,000{share}) | {ref:,.0f} |")
    lines += ["", "## Per field", "", "| field | right | of |", "|---|---:|---:|"]
    for name in FIELDS:
        rows = [p.fields[name] for p in summary.pages if name in p.fields]
        if rows:
            lines.append(f"| {name} | {sum(1 for *_x, ok in rows if ok)} | {len(rows)} |")
    lines += [
        "",
        "## Per page",
        "",
        "| page | fields | paragraphs (min) | body_contains | critical flags |",
        "|---|---:|---:|---:|---:|",
    ]
    for p in summary.pages:
        found = sum(1 for _x, ok in p.contains if ok)
        lines.append(
            f"| {p.name[:40]} | {p.fields_right}/{len(p.fields)} | {p.paragraphs} ({p.paragraphs_min}) | "
            f"{found}/{len(p.contains)} | {len(p.critical)} |"
        )
    misses = [
        (p.name[:24], name, expected, got)
        for p in summary.pages
        for name, (expected, got, ok) in p.fields.items()
        if not ok
    ]
    lost = [(p.name[:24], phrase) for p in summary.pages for phrase, ok in p.contains if not ok]
    short = [p for p in summary.pages if not p.paragraphs_met]
    flagged = [(p.name[:24], flag) for p in summary.pages if not p.spam for flag in p.critical]
    lines += ["", "## What is still wrong", ""]
    if not (misses or lost or short or flagged):
        lines.append("Nothing: every keyed field, paragraph count, phrase and flag is right.")
    if misses:
        lines += ["| page | field | expected | got |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {_cell(e)} | {_cell(g)} |" for a, b, e, g in misses]
        lines.append("")
    for p in short:
        lines.append(f"- {p.name[:24]}: {p.paragraphs} paragraphs, key wants ≥ {p.paragraphs_min}")
    for name, phrase in lost:
        lines.append(f"- {name}: body_contains not found: {_cell(phrase)}")
    for name, flag in flagged:
        lines.append(f"- {name}: critical flag on a page without spam: {_cell(flag)}")
    if summary.lists:
        lines += ["", summary.lists.strip()]
    return "\n".join(lines).rstrip() + "\n"


def lists_section() -> tuple[str | None, list[str]]:
    """The list pages' section from bench/eval_lists.py (``evaluate()``, ``markdown()`` without its
    heading, ``below_floors()``) when that module exists, and its floor problems."""
    try:
        module = importlib.import_module("bench.eval_lists")
    except ModuleNotFoundError as exc:
        if exc.name in ("bench.eval_lists",):
            return None, []
        raise
    result = module.evaluate()
    body = str(module.markdown(result)).strip()
    if not body.startswith("## "):
        body = f"## {getattr(module, 'SECTION', 'Lists')}\n\n{body}"
    problems = list(module.below_floors(result)) if hasattr(module, "below_floors") else []
    return body, [f"lists: {p}" for p in problems]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--raise-floors", action="store_true", help="write today's figures where they beat the floors"
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="time per speed measurement")
    args = parser.parse_args()
    if not corpus.present(corpus.REAL):
        print(f"make eval: {corpus.absent_reason(corpus.REAL)}", file=sys.stderr)
        return 2
    pairs = corpus.keyed_real_pages()
    started = time.perf_counter()
    summary = evaluate(pairs)
    measure_speed(summary, pairs, args.seconds)
    summary.lists, list_problems = lists_section()
    EVAL_MD.write_text(markdown(summary), encoding="utf-8")
    floors = load_floors()
    figures = summary.figures()
    print(json.dumps(figures, ensure_ascii=False))
    print(f"wrote {EVAL_MD.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    if args.raise_floors:
        new = raised_floors(summary, floors)
        data = {"_note": "bench/eval.py --raise-floors writes these; floors only go up (ceilings only down)"}
        data.update(new)
        FLOORS.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"floors: {json.dumps(new, ensure_ascii=False)}")
    problems = below_floors(summary, floors) + list_problems
    for line in problems:
        print(f"make eval: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
