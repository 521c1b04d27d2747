"""Chat messages (``crawler.report.chat``): hostile page text stays text, every message fits its
limit however long a title or URL, every event is in exactly one part, links point to the archive."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from crawler.model import Event
from crawler.report import chat

HOSTILE = "**粗体** [点我](javascript:alert(1)) <script>x</script> `code` _斜_ \x1b[31m红"


def event(n: int, **kw: object) -> Event:
    fields: dict = {
        "type": "new",
        "severity": "info",
        "site": "quzhou",
        "key": f"KEY/{n}",
        "index_no": f"KEY/{n}",
        "url": f"http://www.qz.gov.cn/art/{n}.html",
        "title": f"第{n}号通知",
        "column": "发布实录",
        "details": {"publisher": "市政府办公室", "date": "2026-11-28"},
        "id": n,
    }
    fields.update(kw)
    return Event(**fields)


def test_hostile_text_is_text_in_markdown_and_links_are_http_only() -> None:
    bad = event(1, title=HOSTILE, url="javascript:alert(1)", details={"publisher": HOSTILE})
    [message] = chat.digest([bad, event(2)], "markdown", 4096)
    html = MarkdownIt().render(message.body)
    assert "<script>" not in html and "<strong>粗体</strong>" not in html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert 'href="http://www.qz.gov.cn/art/2.html"' in html
    assert "\x1b" not in message.body and "\x1b" not in message.title


@pytest.mark.parametrize("fmt", ["markdown", "text"])
@pytest.mark.parametrize("limit", [512, 700, 2048, 4096])
def test_every_part_fits_and_every_event_is_in_one_part(fmt: chat.Format, limit: int) -> None:
    long_url = "http://www.qz.gov.cn/art/" + "长" * 400 + ".html"
    events = [
        event(n, title="标题" * (n % 90), url=long_url if n % 7 == 0 else f"http://x.gov.cn/{n}")
        for n in range(1, 120)
    ]
    parts = chat.digest(events, fmt, limit, "https://gw.example.org")
    assert all(p.size <= limit for p in parts)
    ids = [i for p in parts for i in p.events]
    assert sorted(ids) == list(range(1, 120)) and len(set(ids)) == len(ids)
    assert [p.title.endswith(f"({i}/{len(parts)})") for i, p in enumerate(parts, 1)] == [True] * len(parts)


def test_tampered_first_and_the_most_severe_sets_the_level() -> None:
    events = [
        event(1),
        event(
            2,
            type="tampered",
            severity="critical",
            flags=[{"rule": "spam_lexicon", "severity": "critical", "evidence": "日博365"}],
        ),
    ]
    [message] = chat.digest(events, "text", 4096)
    assert message.body.index("篡改 tampered") < message.body.index("新发布 new")
    assert message.level == "critical"
    assert "spam_lexicon: 日博365" in message.body


def test_links_to_the_archive_history_and_diff() -> None:
    changed = event(3, type="changed", severity="warning", version=2, version_before=1)
    text = chat.digest([event(1), changed], "text", 4096, "https://gw.example.org/")[0].body
    assert "https://gw.example.org/-/govwatch/release?key=KEY%2F1" in text
    assert "https://gw.example.org/-/govwatch/diff?key=KEY%2F3&from=1&to=2" in text
    assert "原文 http://www.qz.gov.cn/art/1.html" in text
    column = event(
        4, type="stale_column", severity="warning", key="column:http://x.gov.cn/col/1", index_no=None
    )
    assert "history" not in chat.single(column, "text", 2048, "https://gw.example.org").body
