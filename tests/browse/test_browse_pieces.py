"""The pure pieces of the reader's pages: the diff cut into changes, search snippets and marks, the SVG
charts, how a stored value is shown, column labels and order."""

from __future__ import annotations

import random
import re
import sqlite3
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest

from crawler.browse import charts, labels, present
from crawler.browse.hunks import Change, Fold, hunks, spelled
from crawler.browse.metadata import HIDDEN, build_metadata
from crawler.browse.overview import events_by_day, releases_by_month
from crawler.browse.snippets import highlight, snippet
from crawler.store.diffing import char_diff

SHANGHAI = ZoneInfo("Asia/Shanghai")


# ------------------------------------------------------------------------------------------ hunks
def test_a_change_keeps_its_line_and_the_rest_is_folded() -> None:
    before = "标题：衢州\n\n" + "前文。" * 60 + "\n会议要求各地完成自查。\n" + "后文。" * 60
    after = before.replace("各地完成", "各地认真完成")
    parts = hunks(char_diff(before, after))
    assert [p.kind for p in parts] == ["fold", "change", "fold"]
    change = parts[1]
    assert isinstance(change, Change)
    assert "".join(t for _, t in change.before) == "会议要求各地完成自查。"
    assert "".join(t for _, t in change.after) == "会议要求各地认真完成自查。"
    assert (change.inserted, change.deleted) == (2, 0)
    assert isinstance(parts[0], Fold) and parts[0].text.startswith("标题：衢州")


def test_distant_changes_are_separate_and_near_ones_one() -> None:
    text = "甲" * 300
    far = hunks(char_diff(text, "乙" + text[1:-1] + "乙"))
    assert [p.kind for p in far] == ["change", "fold", "change"]
    assert [p.number for p in far if isinstance(p, Change)] == [1, 2]
    near = hunks(char_diff(text, text[:100] + "乙" + text[101:110] + "乙" + text[111:]))
    assert [p.kind for p in near] == ["fold", "change", "fold"]


def test_identical_texts_are_one_fold() -> None:
    assert [(p.kind, p.text) for p in hunks(char_diff("一样", "一样")) if isinstance(p, Fold)] == [
        ("fold", "一样")
    ]


def test_the_parts_always_spell_both_texts() -> None:
    rng = random.Random(21)
    alphabet = "甲乙丙丁\n戊己庚 ab"
    for _ in range(1500):
        old = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        new = list(old)
        for _ in range(rng.randint(0, 6)):
            if new and rng.random() < 0.5:
                del new[rng.randrange(len(new))]
            new.insert(rng.randint(0, len(new)), rng.choice(alphabet))
        parts = hunks(char_diff(old, "".join(new)))
        assert spelled(parts, -1) == old and spelled(parts, 1) == "".join(new)
        assert [p.number for p in parts if isinstance(p, Change)] == list(
            range(1, 1 + sum(isinstance(p, Change) for p in parts))
        )


# ------------------------------------------------------------------------------------------ search
def test_a_snippet_is_cut_around_the_first_word_searched_for() -> None:
    body = "开头" * 100 + "会议要求推进数字化改革。\n\n  下一段" + "结尾" * 100
    cut = snippet(body, "数字化改革")
    assert cut.startswith("…") and cut.endswith("…")
    assert "推进数字化改革。 下一段" in cut  # whitespace folded
    assert len(cut) <= 2 + 30 + len("数字化改革") + 90
    assert snippet(body, "不存在") == body[:90] + "…"
    assert snippet("", "衢州") == "" and snippet(None, None) == ""
    assert snippet("Hello World", "world") == "Hello World"  # Latin words match in any case


def test_highlight_marks_every_word_and_escapes_the_rest() -> None:
    marked = highlight("<b>衢州</b>市数字化改革，衢州", "衢州 改革")
    assert str(marked) == "&lt;b&gt;<mark>衢州</mark>&lt;/b&gt;市数字化<mark>改革</mark>，<mark>衢州</mark>"
    assert str(highlight("数字化改革", "改革 数字化改革")) == "<mark>数字化改革</mark>"  # longest first
    assert str(highlight("<script>x</script>", "")) == "&lt;script&gt;x&lt;/script&gt;"
    assert str(highlight("a.b", ".")) == "a<mark>.</mark>b"  # typed text is not a pattern


# ------------------------------------------------------------------------------------------ charts
def _svg(markup: object) -> ET.Element:
    return ET.fromstring(str(markup))


def test_stacked_bars_carry_their_counts_and_escape_labels() -> None:
    series = [
        charts.Series("new", "<b>新</b>", "#123456", {"2022-09-14": 2, "2022-09-16": 1}),
        charts.Series("changed", "修改", "#654321", {"2022-09-16": 3}),
    ]
    svg = _svg(charts.stacked_bars(["2022-09-14", "2022-09-15", "2022-09-16"], series, "<script>x</script>"))
    bars = [e for e in svg.iter("{http://www.w3.org/2000/svg}rect")]
    got = {(b.get("data-x"), b.get("data-series")): int(b.get("data-count") or 0) for b in bars}
    assert got == {("2022-09-14", "new"): 2, ("2022-09-16", "new"): 1, ("2022-09-16", "changed"): 3}
    assert svg.get("aria-label") == "<script>x</script>"  # an attribute value, escaped when written
    markup = str(charts.stacked_bars(["2022-09-16"], series, "<script>x</script>"))
    assert "<script>" not in markup and "<b>" not in markup
    per_count = {round(float(b.get("height") or 0) / int(b.get("data-count") or 1), 3) for b in bars}
    assert len(per_count) == 1  # every bar's height is proportional to its count


def test_meters_show_shares_and_nothing_to_measure() -> None:
    markup = str(
        charts.meters(
            [charts.Meter("a", "有索引号", 0.5, "1 / 2"), charts.Meter("b", "<i>x</i>", None, "0 / 0")],
            "站点",
        )
    )
    assert 'data-meter="a" data-share="50.0"' in markup and "50%" in markup
    assert "&lt;i&gt;x&lt;/i&gt;" in markup and "—" in markup


def test_events_by_day_leave_the_baseline_out_and_use_the_local_day() -> None:
    rows = [
        {"site": "s", "type": "new", "baseline": 1, "hour": "2022-09-14T01:00:00+00:00", "n": 40},
        {"site": "s", "type": "changed", "baseline": 0, "hour": "2022-09-14T17:00:00+00:00", "n": 2},
        {"site": "s", "type": "fetch_failed", "baseline": 0, "hour": "2022-09-16T01:00:00+00:00", "n": 1},
        {"site": "s", "type": "stale_column", "baseline": 0, "hour": "2022-09-16T01:00:00+00:00", "n": 1},
    ]
    (chart,) = events_by_day(rows, SHANGHAI)
    assert chart["baseline"] == 40 and chart["total"] == 4
    assert chart["days"] == ["2022-09-15", "2022-09-16"]  # 17:00 UTC is the next day in Shanghai
    bars = {
        (b.get("data-x"), b.get("data-series")): int(b.get("data-count") or 0)
        for b in _svg(chart["svg"]).iter("{http://www.w3.org/2000/svg}rect")
    }
    assert bars == {("2022-09-15", "changed"): 2, ("2022-09-16", "failing"): 1, ("2022-09-16", "other"): 1}
    (utc,) = events_by_day(rows, ZoneInfo("UTC"))
    assert utc["days"][0] == "2022-09-14"


def test_releases_by_month_fill_the_gaps_and_fold_old_months() -> None:
    rows = [
        {"month": "2022-09", "status": "live", "n": 5},
        {"month": "2022-12", "status": "removed", "n": 1},
        {"month": None, "status": "live", "n": 2},
        {"month": "2022", "status": "live", "n": 1},
    ]
    chart = releases_by_month(rows)
    assert chart["months"] == ["2022-09", "2022-10", "2022-11", "2022-12"]
    assert chart["undated"] == 3 and chart["total"] == 9
    old = releases_by_month([{"month": "2010-01", "status": "live", "n": 3}, *rows])
    assert old["months"][0] == "更早" and len(old["months"]) == 61


# ------------------------------------------------------------------------------------------ values
def test_times_are_shown_in_the_configured_zone() -> None:
    assert present.local_time("2022-09-15T01:30:00+00:00", SHANGHAI) == "2022-09-15 09:30"
    assert present.local_time("2022-09-15T09:30:00+08:00", "UTC") == "2022-09-15 01:30"
    assert present.local_time("2022-09-15 09:30", SHANGHAI) == "2022-09-15 09:30"  # naive: as written
    assert present.local_time("2022-09-15", SHANGHAI) == "2022-09-15"
    assert present.local_time("昨天", SHANGHAI) == "昨天" and present.local_time(None) == ""
    assert present.zone("Nowhere/City").key == "Asia/Shanghai"


def _row(**values: object) -> sqlite3.Row:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    names = ", ".join(f":{k} as {k}" for k in values)
    row = conn.execute(f"select {names}", values).fetchone()
    conn.close()
    return row


def test_cells_read_as_words_and_links_stay_http() -> None:
    cell = present.cell
    assert str(cell(_row(baseline=1), 1, "baseline", "events", SHANGHAI)).endswith(">是</span>")
    assert str(cell(_row(still_flagged=0), 0, "still_flagged", None, SHANGHAI)).endswith(">否</span>")
    assert str(cell(_row(broken_pct=12.5), 12.5, "broken_pct", None, SHANGHAI)) == "12.5%"
    assert str(cell(_row(x=0.25), 0.25, "broken_share", "site_health", SHANGHAI)) == "25%"
    assert "篡改" in str(cell(_row(type="tampered"), "tampered", "type", "events", SHANGHAI))
    assert "已撤下" in str(cell(_row(status="removed"), "removed", "status", "releases", SHANGHAI))
    when = str(
        cell(
            _row(created_at="2022-09-15T01:00:00+00:00"),
            "2022-09-15T01:00:00+00:00",
            "created_at",
            "events",
            SHANGHAI,
        )
    )
    assert ">2022-09-15 09:00</time>" in when

    hostile = "javascript:alert(1)"
    shown = str(cell(_row(url=hostile), hostile, "url", "events", SHANGHAI))
    assert "href" not in shown and "javascript:alert(1)" in shown
    link = str(
        cell(
            _row(url="http://www.qz.gov.cn/a?b=1&c=<2>"),
            "http://www.qz.gov.cn/a?b=1&c=<2>",
            "url",
            None,
            SHANGHAI,
        )
    )
    assert (
        'href="http://www.qz.gov.cn/a?b=1&amp;c=&lt;2&gt;"' in link
        and 'rel="nofollow noopener noreferrer"' in link
    )

    key = "K/2022-1<x>"
    title = str(cell(_row(key=key, title="<b>标题</b>"), "<b>标题</b>", "title", None, SHANGHAI))
    assert 'href="/-/govwatch/release?key=K%2F2022-1%3Cx%3E"' in title and "&lt;b&gt;标题&lt;/b&gt;" in title
    assert cell(_row(key="column:http://x/", title="栏目"), "栏目", "title", None, SHANGHAI) is None

    summary = "…前文[-阶段性-]{+<i>新</i>+}后文…"
    row = _row(key=key, version_before=1, version=2, diff_summary=summary)
    shown = str(cell(row, summary, "diff_summary", None, SHANGHAI))
    assert "<del>阶段性</del><ins>&lt;i&gt;新&lt;/i&gt;</ins>" in shown
    assert 'href="/-/govwatch/diff?key=K%2F2022-1%3Cx%3E&amp;from=1&amp;to=2"' in shown

    flags = '[{"rule": "spam_lexicon", "severity": "critical", "evidence": "<script>x</script>"}]'
    shown = str(cell(_row(flags=flags), flags, "flags", "events", SHANGHAI))
    assert (
        "博彩、色情等垃圾内容 spam_lexicon" in shown
        and "严重" in shown
        and "&lt;script&gt;" in shown
        and "<script>" not in shown
    )
    rule = str(cell(_row(rule="spam_lexicon"), "spam_lexicon", "rule", None, SHANGHAI))
    assert rule == '<span class="gw-rule">博彩、色情等垃圾内容 <span class="gw-en">spam_lexicon</span></span>'
    assert cell(_row(title="x"), "x", "title", "events", SHANGHAI) is None  # Datasette's own escaping


# ------------------------------------------------------------------------------------------ labels
def test_every_integrity_rule_reads_in_chinese() -> None:
    import crawler.integrity  # noqa: F401  (registers the detectors)
    from crawler.integrity.registry import DETECTORS

    assert DETECTORS and set(DETECTORS) <= set(labels.RULES), set(DETECTORS) - set(labels.RULES)
    assert labels.rule_label("hidden_links") == "隐藏链接 hidden_links"
    assert (
        labels.rule_label("<new>") == "<new>"
        and labels.value_label("rule", "redirect") == "跳转到其他网站 redirect"
    )


def test_every_column_of_the_canned_queries_has_a_chinese_header() -> None:
    from crawler.browse.queries import canned_queries

    conn = sqlite3.connect(":memory:")
    from sqlite_utils import Database

    from crawler.store.schema import MIGRATIONS

    db = Database(conn)
    MIGRATIONS.apply(db)
    conn.create_function("bigram_query", 1, lambda q: '"x"')
    conn.create_function("govwatch_snippet", 2, lambda b, q: "")
    missing = []
    for name, query in canned_queries().items():
        params = {p: "" for p in re.findall(r":(\w+)", query["sql"])}
        cursor = conn.execute(query["sql"], params)
        for column in (d[0] for d in cursor.description):
            if column not in labels.COLUMNS or not re.search(r"[\u4e00-\u9fff]", labels.COLUMNS[column][0]):
                missing.append(f"{name}.{column}")
    assert not missing, missing
    assert all(name in labels.PAGES for name in canned_queries())


def test_column_order_puts_what_a_reader_wants_first() -> None:
    names = ["id", "type", "severity", "site", "key", "title", "created_at"]
    order = labels.column_order("events", names, {"id"})
    assert [names[i] for i in order] == ["created_at", "type", "severity", "site", "title", "key"]
    assert labels.column_order("unknown", ["b", "a"]) == [0, 1]


def test_internal_tables_are_hidden_and_times_follow_the_config() -> None:
    meta = build_metadata("govwatch", timezone="Europe/Berlin")
    tables = meta["databases"]["govwatch"]["tables"]
    assert {"deliveries", "fetches", "listings", "site_health"} <= {
        t for t in tables if tables[t].get("hidden")
    }
    assert not any(tables.get(t, {}).get("hidden") for t in labels.READER_TABLES)
    assert tables["deliveries"]["title"]  # hiding keeps a table's own metadata
    assert meta["plugins"]["govwatch"]["timezone"] == "Europe/Berlin"
    assert set(HIDDEN).isdisjoint(labels.READER_TABLES)


@pytest.mark.parametrize("text", ["", "衢州", "<script>", "a" * 10])
def test_short_diff_without_marks_is_escaped_text(text: str) -> None:
    assert str(present.short_diff(text)) == str(present.escape(text))
