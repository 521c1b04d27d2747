"""The labelled 信息公开 block in its many forms, and the meta-tag / title fallbacks."""

from __future__ import annotations

import pytest

from crawler.normalize import normalize

from .conftest import FIXTURE_URL

BODY = '<div class="TRS_Editor"><p>正文第一段。</p><p>正文第二段。</p></div>'


def page(block: str, head: str = "") -> bytes:
    return f'<html><head><meta charset="utf-8">{head}</head><body>{block}{BODY}</body></html>'.encode()


@pytest.mark.parametrize(
    "block",
    [
        "<table><tr><td>索引号：</td><td>000014349/2017-00110</td></tr></table>",
        "<table><tr><td>索引号:</td><td>000014349/2017-00110</td></tr></table>",
        "<table><tr><td>索引号</td><td>000014349/2017-00110</td></tr></table>",
        "<table><tr><th>索 引 号：</th><td>000014349/2017-00110</td></tr></table>",
        "<table><tr><td>索引号: 000014349/2017-00110</td><td>发布机构: 某局</td></tr></table>",
        "<ul><li>索&ensp;引&ensp;号：<font>000014349/2017-00110</font></li></ul>",
        "<dl><dt>索引号</dt><dd>000014349/2017-00110</dd></dl>",
        '<div><span class="k">索引号：</span><span class="v">000014349/2017-00110</span></div>',
        "<p><b>索引号：</b>000014349/2017-00110</p>",
        "<p>索引号：000014349/2017-00110　发布机构：某局</p>",
        "<table><tr><td>索引号</td><td>发布机构</td></tr><tr><td>000014349/2017-00110</td><td>某局</td></tr></table>",
    ],
)
def test_index_number_in_every_form(block: str) -> None:
    release = normalize(page(block), FIXTURE_URL)
    assert release.index_no == "000014349/2017-00110"


def test_several_pairs_in_one_text_are_split() -> None:
    block = "<p>索引号：000014349/2017-00110　发布机构：某局　成文日期：2017年5月12日</p>"
    release = normalize(page(block), FIXTURE_URL)
    assert (release.index_no, release.publisher, release.written_date) == (
        "000014349/2017-00110",
        "某局",
        "2017-05-12",
    )


def test_index_number_is_taken_verbatim_whatever_its_format() -> None:
    block = "<table><tr><td>索引号：</td><td>NB-2009-0012-ABC-03-0001</td></tr></table>"
    assert normalize(page(block), FIXTURE_URL).index_no == "NB-2009-0012-ABC-03-0001"


def test_empty_value_cell_does_not_borrow_the_next_label() -> None:
    block = "<table><tr><td>文件编号: </td><td>发布机构: 省教育厅</td></tr></table>"
    release = normalize(page(block), FIXTURE_URL)
    assert release.doc_number is None
    assert release.publisher == "省教育厅"


def test_fields_only_javascript_would_fill_are_absent() -> None:
    block = (
        '<span>索引号：</span><span ng-bind="d.no"></span>'
        "<span>发布机构：</span><span>{{data.publisher}}</span>"
    )
    release = normalize(page(block), FIXTURE_URL)
    assert release.index_no is None
    assert release.publisher is None


def test_labels_rank_by_authority() -> None:
    block = (
        "<table><tr><td>信息来源：</td><td>某日报</td><td>发布机构：</td><td>某局</td></tr>"
        "<tr><td>发布日期：</td><td>2020-01-03</td><td>成文日期：</td><td>2020-01-02</td></tr></table>"
    )
    release = normalize(page(block, '<meta name="ContentSource" content="某网站">'), FIXTURE_URL)
    assert release.publisher == "某局"
    assert release.written_date == "2020-01-02"


def test_title_from_article_title_then_the_block_then_the_page_title() -> None:
    head = '<meta name="ArticleTitle" content="元标签标题"><title>网页标题_某某网站</title>'
    block = "<table><tr><td>索引号：</td><td>000014349/2017-00110</td><td>标题：</td><td>信息公开标题</td></tr></table>"
    assert normalize(page(block, head), FIXTURE_URL).title == "元标签标题"
    assert normalize(page(block, "<title>网页标题_某某网站</title>"), FIXTURE_URL).title == "信息公开标题"
    assert normalize(page("", "<title>网页标题_某某网站</title>"), FIXTURE_URL).title == "网页标题"


def test_html_inside_a_meta_attribute_is_text() -> None:
    head = '<meta name="ArticleTitle" content="关于&lt;b&gt;加强&lt;/b&gt;监管的通知">'
    assert normalize(page("", head), FIXTURE_URL).title == "关于<b>加强</b>监管的通知"


def test_body_text_that_looks_like_a_label_is_not_metadata() -> None:
    body = '<div id="zoom"><p>发布机构：正文里提到的单位</p><p>索引号：正文里的编号</p></div>'
    html = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
    release = normalize(html, FIXTURE_URL)
    assert release.publisher is None
    assert release.index_no is None
    assert release.paragraphs == ["发布机构：正文里提到的单位", "索引号：正文里的编号"]


def test_published_at_keeps_the_time_with_the_china_offset() -> None:
    head = '<meta name="PubDate" content="2022-09-14 09:12">'
    assert normalize(page("", head), FIXTURE_URL).published_at == "2022-09-14T09:12:00+08:00"
    head = '<meta name="PubDate" content="2022年9月14日">'
    assert normalize(page("", head), FIXTURE_URL).published_at == "2022-09-14"


def test_a_source_is_never_the_publisher() -> None:
    block = "<table><tr><td>信息来源：</td><td>某日报</td></tr></table>"
    meta = '<meta name="ContentSource" content="市政府办公室">'
    assert normalize(page(block, meta), FIXTURE_URL).publisher is None
    assert normalize(page(block), FIXTURE_URL).publisher is None
    assert (
        normalize(page(block, '<meta name="publisher" content="市政府办公室">'), FIXTURE_URL).publisher
        == "市政府办公室"
    )


def test_a_search_form_label_is_not_a_disclosure_value() -> None:
    form = "<form><label>主题分类：</label><select><option>全部</option><option>综合政务</option></select></form>"
    assert normalize(page(form), FIXTURE_URL).category is None
