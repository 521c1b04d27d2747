"""The evaluation on the shared real pages (``make eval``) holds its floors (bench/eval_floors.json).

Accuracy only: nothing here is timed (speed is reported by ``make eval`` into bench/EVAL.md).
"""

from __future__ import annotations

import json

import pytest

from bench.eval import CEILINGS, FLOORS, below_floors, evaluate, field_right, load_floors, raised_floors
from tests import corpus


@pytest.mark.slow  # every keyed real page, normalized and checked (a few seconds)
def test_real_pages_meet_the_floors() -> None:
    corpus.require(corpus.REAL)
    floors = load_floors()
    assert floors, f"{FLOORS} holds no floors"
    summary = evaluate()
    assert summary.pages, "no keyed real page found"
    problems = below_floors(summary, floors)
    assert not problems, "; ".join(problems)


def test_floors_cover_every_figure() -> None:
    data = json.loads(FLOORS.read_text(encoding="utf-8"))
    figures = {"fields_right_pct", "index_no_found", "paragraphs_min_met", "body_contains_found"}
    assert figures | set(CEILINGS) <= set(data)


def test_floors_are_only_raised() -> None:
    from bench.eval import PageResult, Summary

    good = Summary([PageResult("a", fields={"title": ("x", "x", True)}, paragraphs=3, paragraphs_min=2)])
    bad = Summary(
        [
            PageResult(
                "a",
                fields={"title": ("x", "y", False)},
                paragraphs=1,
                paragraphs_min=2,
                critical=["hidden_links: …"],
            )
        ]
    )
    floors = raised_floors(good, {})
    assert raised_floors(bad, floors) == floors  # a worse run lowers nothing
    assert below_floors(bad, floors) and not below_floors(good, floors)


def test_field_comparison_is_the_keys_own() -> None:
    assert field_right("published_at", "2020-09-15", "2020-09-15T09:32:00+08:00")
    assert not field_right("published_at", "2020-09-15", "2022-10-14T10:16:14+08:00")
    assert field_right("title", "拨动心弦  守护心灵健康", "拨动心弦 守护心灵健康")
    assert field_right("title", "中华人　民共和国", "中华人民共和国")
    assert field_right("publisher", None, None)
    assert not field_right("publisher", None, "防城港日报")
    assert not field_right("index_no", "000014349/2018-00222", None)


def test_the_lists_section_joins_the_report(monkeypatch) -> None:
    import sys
    import types

    from bench.eval import PageResult, Summary, lists_section, markdown

    real, _problems = lists_section()  # bench/eval_lists.py: the profiles on keyed column pages
    assert real is not None and real.startswith("## Lists")
    module = types.ModuleType("bench.eval_lists")
    module.evaluate = lambda: {"pages": 3}  # type: ignore[attr-defined]
    module.markdown = lambda result: f"{result['pages']} list pages"  # type: ignore[attr-defined]
    module.below_floors = lambda result: ["all.items_exact: 2 < 3"]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bench.eval_lists", module)
    section, problems = lists_section()
    assert section == "## Lists\n\n3 list pages"
    assert problems == ["lists: all.items_exact: 2 < 3"]
    summary = Summary([PageResult("a", paragraphs=1, paragraphs_min=1)], lists=section)
    assert markdown(summary).rstrip().endswith("3 list pages")
