"""The digest: order of sections, what each entry shows, diffs computed when the event lacks one."""

from __future__ import annotations

from reportkit import SPAM, changed_paragraphs, release

from crawler.model import Event
from crawler.report import render_markdown, render_text
from crawler.report.digest import ORDER, grouped
from crawler.report.enrich import enrich
from tests.records import ok as record


def test_order_is_tampered_changed_new_removed_warnings_info():
    assert ORDER == (
        "tampered", "changed", "new", "removed",
        "conflict", "fetch_failed", "layout_changed", "stale_column",
        "restored", "fetch_recovered",
    )  # fmt: skip
    events = [Event(type=t, site="s", key=f"k{i}", id=i) for i, t in enumerate(reversed(ORDER))]
    assert [sid for sid, _, _ in grouped(events)] == [
        "tampered",
        "changed",
        "new",
        "removed",
        "warnings",
        "info",
    ]
    text = render_text(events)
    positions = [
        text.index(h) for h in ("== Tampered", "== Changed", "== New", "== Removed", "== Warnings", "== Info")
    ]
    assert positions == sorted(positions)
    assert "conflict: one 索引号" in text and "stale column" in text


def test_entries_carry_publisher_and_date_from_the_release(store):
    record(store, release())
    events = enrich(store, store.events())
    text = render_text(events)
    assert "索引号: 11330800002618015K/2022-134528" in text
    assert "发布机构: 市政府办公室" in text and "日期: 2022-09-14" in text
    assert "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html" in text


def test_a_changed_event_without_a_stored_diff_gets_one_from_the_versions(store):
    record(store, release())
    [changed] = record(store, release(paragraphs=changed_paragraphs()))
    bare = Event(**{**changed.to_dict(), "details": {}})
    [filled] = enrich(store, [bare])
    assert "{+和示范区+}" in filled.details["diff"]


def test_tampered_entry_shows_flags_and_markdown_escapes_page_text(store):
    record(store, release(title="标题 *粗* [链接](http://evil.example)"), flags=[SPAM])
    events = enrich(store, store.events())
    md = render_markdown(events)
    assert md.index("## Tampered") < md.index("## New")
    assert "\\*粗\\*" in md and "\\[链接\\]" in md
    assert "365bet.example" in md


def test_column_events_render_without_a_release():
    event = Event(type="layout_changed", site="s", key="column:http://x/col", url="http://x/col", column="发布实录",
                  details={"items": 0, "usual": 20}, id=1)  # fmt: skip
    text = render_text([event])
    assert "column 发布实录" in text and "items: 0" in text
