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
    body = (
        '<div id="zoom"><p>各单位：根据工作安排，现将有关事项通知如下。</p>'
        "<p>发布机构：正文里提到的单位</p><p>索引号：正文里的编号</p></div>"
    )
    html = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
    release = normalize(html, FIXTURE_URL)
    assert release.publisher is None
    assert release.index_no is None
    assert release.paragraphs[1:] == ["发布机构：正文里提到的单位", "索引号：正文里的编号"]


def test_a_block_typed_at_the_top_of_the_body_is_metadata() -> None:
    body = (
        '<div id="zoom"><p>索引号：000014349/2017-00110</p><p>发布机构：某局</p>'
        "<p>各单位：根据工作安排，现将有关事项通知如下。</p></div>"
    )
    html = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
    release = normalize(html, FIXTURE_URL)
    assert (release.index_no, release.publisher) == ("000014349/2017-00110", "某局")
    assert release.paragraphs == ["各单位：根据工作安排，现将有关事项通知如下。"]


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


@pytest.mark.parametrize(
    "block",
    [
        # inline elements, &nbsp;, &ensp;, U+3000 between the characters of a label
        "<table><tr><td><b>索</b><b>引</b>号：</td><td>000014349/2017-00110</td></tr></table>",
        "<table><tr><td><span>索&nbsp;&nbsp;引&nbsp;&nbsp;号</span></td><td>000014349/2017-00110</td></tr></table>",
        "<table><tr><td>索&ensp;引&ensp;号：</td><td>000014349/2017-00110</td></tr></table>",
        "<table><tr><td>索\u3000引\u3000号</td><td>000014349/2017-00110</td></tr></table>",
        # synonyms
        "<table><tr><td>索取号：</td><td>000014349/2017-00110</td></tr></table>",
        "<table><tr><td>信息索引：</td><td>000014349/2017-00110</td></tr></table>",
        # header row + value row, with <thead>/<tbody>
        "<table><thead><tr><th>索引号</th><th>发布机构</th></tr></thead>"
        "<tbody><tr><td>000014349/2017-00110</td><td>某局</td></tr></tbody></table>",
        # one-column row pairs
        "<table><tr><td>索引号</td></tr><tr><td>000014349/2017-00110</td></tr></table>",
        # 4-column rows with <strong> labels and no colon, values led by &nbsp;
        "<table><tr><td><strong>信息分类</strong></td><td>&nbsp;</td><td><strong>索 引 号</strong></td>"
        "<td>&nbsp;000014349/2017-00110</td></tr></table>",
        # dl/dd with <label><font>, the value in a sibling <div> wrapped in newlines
        '<dl><dd><label><font>索 引 号：</font></label><div class="v">\n\t000014349/2017-00110\n</div></dd></dl>',
        # a one-cell li
        "<ul><li>索引号：000014349/2017-00110</li><li>发布机构：某局</li></ul>",
    ],
)
def test_index_number_in_more_forms(block: str) -> None:
    assert normalize(page(block), FIXTURE_URL).index_no == "000014349/2017-00110"


def test_a_metadata_table_inside_the_body_is_read_and_kept_out_of_the_paragraphs() -> None:
    body = (
        '<div class="TRS_Editor"><table><tr><td>索引号：</td><td>000014349/2017-00110</td>'
        "<td>发文字号：</td><td>浙政发〔2017〕5号</td></tr></table><p>正文第一段。</p><p>正文第二段。</p></div>"
    )
    html = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
    release = normalize(html, FIXTURE_URL)
    assert (release.index_no, release.doc_number) == ("000014349/2017-00110", "浙政发〔2017〕5号")
    assert release.paragraphs == ["正文第一段。", "正文第二段。"]


def test_an_empty_cell_gives_no_value_and_a_header_label_no_value_either() -> None:
    block = "<table><tr><td><strong>文号</strong></td><td>&nbsp;</td><td><strong>索引号</strong></td><td>x/2017-1</td></tr></table>"
    release = normalize(page(block), FIXTURE_URL)
    assert release.doc_number is None and release.index_no == "x/2017-1"


def test_weak_labels_count_only_beside_a_strong_one() -> None:
    assert normalize(page("<p>名称：某采购项目</p>"), FIXTURE_URL).title != "某采购项目"
    block = "<table><tr><td>索引号：</td><td>x/2017-1</td><td>名称：</td><td>某采购项目</td></tr></table>"
    assert normalize(page(block), FIXTURE_URL).title == "某采购项目"


@pytest.mark.parametrize(
    ("head", "block", "expected"),
    [
        # a PubDate that is the page-generation instant is no publication date
        (
            '<meta name="PubDate" content="2023-05-16 12:34:05"><meta name="others" content="页面生成时间 2023-05-16 12:34:05">',
            "",
            None,
        ),
        # the visible date line beats a generation-time meta
        (
            '<meta name="PubDate" content="2022-10-14 10:16:14"><meta name="Maketime" content="2022-10-14 10:16:14">',
            "<h2>标题文字很长很长</h2><ul><li>2020年09月15日 09时32分</li><li>来源: 某政务网</li></ul>",
            "2020-09-15T09:32:00+08:00",
        ),
        # U+2236 for a colon
        ('<meta name="PubDate" content="2023-08-19 10∶08">', "", "2023-08-19T10:08:00+08:00"),
        # 发布日期 is a publication date, not a 成文日期
        ("", "<table><tr><td>发布日期：</td><td>2018年12月29日</td></tr></table>", "2018-12-29"),
        # labelled date line; a "开始时间" is another date
        (
            "",
            "<div><span>开始时间：2024-05-08</span> <span>发布时间：2024-03-01 16:39</span></div>",
            "2024-03-01T16:39:00+08:00",
        ),
    ],
)
def test_published_at_from_the_most_trustworthy_source(head: str, block: str, expected: str | None) -> None:
    release = normalize(page(block, head), FIXTURE_URL)
    assert release.published_at == expected
    assert release.written_date is None


def test_title_without_article_title_drops_site_and_column_names() -> None:
    head = '<meta name="SiteName" content="某市人民政府"><meta name="ColumnName" content="工作动态"><title>工作动态_某市人民政府</title>'
    release = normalize(page("<p class='tit'>关于做好防汛工作的通知</p>", head), FIXTURE_URL)
    assert release.title == "关于做好防汛工作的通知"
    site_first = "<title>某某县人民政府 | 某某县2015年国民经济和社会发展统计公报</title>"
    assert normalize(page("", site_first), FIXTURE_URL).title == "某某县2015年国民经济和社会发展统计公报"
    assert normalize(page("", "<title>国家法律法规数据库</title>"), FIXTURE_URL).title is None


def test_a_publication_line_taken_into_a_generic_body_is_the_last_resort() -> None:
    article = "".join(
        f"<p>第{n}段正文，内容足够长，足以让这一块成为页面上文字最多的地方。</p>" for n in range(4)
    )
    html = (
        '<html><head><meta charset="utf-8"></head><body><div class="a">'
        f"<p>发布时间：2024-03-05 10:00  来源：某局</p>{article}</div></body></html>"
    ).encode()
    assert normalize(html, FIXTURE_URL).published_at == "2024-03-05T10:00:00+08:00"
    notice = html.replace(
        "发布时间：2024-03-05 10:00  来源：某局".encode(), "时间：2024年3月8日上午9点".encode()
    )
    assert normalize(notice, FIXTURE_URL).published_at is None  # a meeting notice's own time


def test_a_spacer_row_between_labels_and_values_is_skipped() -> None:
    block = (
        "<table><tr><th>索引号</th><th>发布机构</th></tr><tr><td colspan='2'>&nbsp;</td></tr>"
        "<tr><td>000014349/2017-00110</td><td>某局</td></tr></table>"
    )
    release = normalize(page(block), FIXTURE_URL)
    assert (release.index_no, release.publisher) == ("000014349/2017-00110", "某局")


def test_a_block_typed_at_the_top_of_a_wrapped_body_is_metadata_too() -> None:
    body = (
        '<div id="zoom"><div class="inner"><p><span>索引号：</span>000014349/2017-00110</p>'
        "<p>发文字号：某发〔2017〕1号</p><p>各单位：根据工作安排，现将有关事项通知如下。</p></div></div>"
    )
    html = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
    release = normalize(html, FIXTURE_URL)
    assert (release.index_no, release.doc_number) == ("000014349/2017-00110", "某发〔2017〕1号")
    assert release.paragraphs == ["各单位：根据工作安排，现将有关事项通知如下。"]
