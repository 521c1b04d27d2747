"""not_release pages are decided on structure first, keywords second."""

from __future__ import annotations

import pytest

from crawler.normalize import normalize

from .conftest import FIXTURE_URL, FIXTURES, REPO


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("notrelease_waf", "waf"),
        ("notrelease_error", "error_page"),
        ("notrelease_gone", "gone"),
        ("notrelease_login", "login"),
        ("notrelease_empty", "empty"),
        ("notrelease_list_page", "list_page"),
    ],
)
def test_problem_pages_say_what_they_are(page: str, reason: str) -> None:
    release = normalize((FIXTURES / f"{page}.html").read_bytes(), FIXTURE_URL)
    assert release.kind == "not_release"
    assert release.not_release_reason == reason
    assert release.paragraphs == [] and release.index_no is None


def test_a_release_mentioning_captcha_and_404_stays_a_release() -> None:
    release = normalize((FIXTURES / "release_mentions_captcha.html").read_bytes(), FIXTURE_URL)
    assert release.kind == "release"
    assert release.not_release_reason is None
    assert release.content_hash is not None


def test_a_disclosure_block_makes_a_release_even_with_error_words_nearby() -> None:
    html = (
        '<html><head><meta charset="utf-8"></head><body><div class="x">系统错误提示：请勿重复提交</div>'
        "<table><tr><td>索引号：</td><td>000014349/2017-00110</td></tr></table>"
        '<div id="zoom"><p>正文。</p></div></body></html>'
    ).encode()
    assert normalize(html, FIXTURE_URL).kind == "release"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("请开启JavaScript并刷新该页", "waf"),
        ("您访问的页面不存在", "gone"),
        ("404 Not Found", "gone"),
        ("502 Bad Gateway", "error_page"),
        ("欢迎访问本网站，请选择栏目", "unknown"),
        ("　​ ", "empty"),
    ],
)
def test_small_stub_pages(text: str, reason: str) -> None:
    html = f'<html><head><meta charset="utf-8"><title>提示</title></head><body><h1>{text}</h1></body></html>'
    release = normalize(html.encode(), FIXTURE_URL)
    assert (release.kind, release.not_release_reason) == ("not_release", reason)


def test_hanweb_list_records_hidden_in_script_make_a_list_page() -> None:
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/2024/3/{d}/art_1_{d}.html" title="公告{d}">公告{d}</a>'
        f"<span>2024-03-{d:02d}</span></li>]]></record>"
        for d in range(1, 6)
    )
    html = (
        '<html><head><meta charset="utf-8"><title>通知公告</title></head><body><div id="div1">'
        f'<script type="text/xml"><datastore><recordset>{records}</recordset></datastore></script>'
        "</div></body></html>"
    )
    release = normalize(html.encode(), FIXTURE_URL)
    assert (release.kind, release.not_release_reason) == ("not_release", "list_page")


#: column lists and dataproxy replies in the Hanweb and TRS shapes (the profiles' fixtures)
LIST_PAGES = [
    REPO / "tests" / "profiles" / "fixtures" / name
    for name in (
        "hanweb-column.html",
        "trs-index.html",
        "hanweb-dataproxy-page2.xml",
        "hanweb-dataproxy-startrecord16-endrecord60.xml",
    )
]


@pytest.mark.parametrize("page", LIST_PAGES, ids=[p.name for p in LIST_PAGES])
def test_column_lists_and_dataproxy_replies_are_list_pages(page) -> None:
    release = normalize(page.read_bytes(), FIXTURE_URL)
    assert (release.kind, release.not_release_reason) == ("not_release", "list_page")


@pytest.mark.parametrize(
    ("message", "reason"),
    [("该信息已删除或不存在", "gone"), ("访问过于频繁，请稍后再试", "waf"), ("页面404错误", "gone")],
)
def test_a_detail_template_whose_body_is_only_a_stub_message_is_that_stub(message: str, reason: str) -> None:
    html = (
        '<html><head><meta charset="utf-8"><meta name="ArticleTitle" content=""><title>某某市人民政府</title>'
        f'</head><body><div class="position">当前位置：<a href="/">首页</a></div><div id="zoom"><p>{message}</p></div>'
        "</body></html>"
    )
    release = normalize(html.encode(), FIXTURE_URL)
    assert (release.kind, release.not_release_reason) == ("not_release", reason)


def test_an_attachment_only_release_is_a_release() -> None:
    html = (
        '<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="2024年预算公开"></head><body>'
        '<div class="TRS_Editor"><a href="P0202401.pdf"></a></div></body></html>'
    )
    release = normalize(html.encode(), FIXTURE_URL)
    assert release.kind == "release"
    assert release.attachments == [
        {"name": "P0202401.pdf", "url": "http://www.example.gov.cn/art/2024/1/1/P0202401.pdf"}
    ]
