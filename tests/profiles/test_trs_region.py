"""TRS column pages: the list region among the furniture, every pager form, Fujian's static range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.profiles import get_profile
from crawler.profiles.region import read_region
from crawler.profiles.trs import _root

FIX = Path(__file__).parent / "fixtures"
PAGER = (
    '<div class="page"><script language="javascript">createPageHTML(7, 0, "index", "html");</script></div>'
)
COLUMN = "http://www.yunshan.gov.cn/zwgk/zcwj/index.html"


def fixture(name: str) -> tuple[str, dict]:
    raw = (FIX / f"{name}.html").read_bytes()
    text = raw.decode("gbk") if b"gb2312" in raw[:400] else raw.decode("utf-8")
    return text, json.loads((FIX / f"{name}.expected.json").read_text(encoding="utf-8"))


def urls(page) -> list[str]:
    return [i.url for i in page.items]


@pytest.fixture
def trs():
    return get_profile("trs")


def test_furniture_links_in_the_detail_form_never_become_items(trs) -> None:
    text, key = fixture("trs-ul-furnished")
    page = trs.parse_list(text.encode("gbk"), COLUMN, None, trs.first_request(COLUMN).context)
    got = urls(page)
    assert got == [i["url"] for i in key["items"]]
    # the scrolling 停电停水 bar, the 通知公告 sidebar, the guide link and the footer all use t…_id.html
    furniture = ("/tdts/", "/tzgg/", "/zfxxgkzn/", "/gywm/", "/wzsm/")
    assert not [u for u in got if any(f in u for f in furniture)]
    # items in other folders, an attachment and another site's page are the column's all the same
    assert "http://www.yunshan.gov.cn/zwgk/zcjd/202208/t20220831_4498765.html" in got
    assert "http://www.yunshan.gov.cn/zwgk/zcwj/202208/P020220819563412987654.pdf" in got
    assert "http://www.zj.gov.cn/art/2022/8/5/art_1229019364_2417723.html" in got


def test_a_title_carrying_a_date_keeps_the_date_the_list_prints(trs) -> None:
    text, _ = fixture("trs-ul-furnished")
    page = trs.parse_list(text.encode("gbk"), COLUMN, None, {})
    item = next(i for i in page.items if "2022年10月1日起" in (i.title or ""))
    assert item.date == "2022-07-15"


@pytest.mark.parametrize(
    ("pager", "url", "next_url", "total"),
    [
        (PAGER, "index.html", "index_1.html", 7),
        (
            '<script>var countPage = 7;var currentPage = 3;createPageHTML(countPage, currentPage, "index", "html");</script>',
            "index_3.html",
            "index_4.html",
            7,
        ),
        (
            "<script>new Pager({size:7, current:0, prefix:'index', suffix:'html'});</script>",
            "index.html",
            "index_1.html",
            7,
        ),
        ("<script>var countPage = 7//共多少页\n</script>", "index_2.html", "index_3.html", 7),
        (
            '<div class="fy">共7页 <a href="index.html">首页</a> <a href="index_1.html">下一页</a> <a href="index_6.html">尾页</a></div>',
            "index.html",
            "index_1.html",
            7,
        ),
        ('<script>createPageHTML(7, 6, "index", "html");</script>', "index_6.html", None, 7),
        (
            "<script>createPageHTML('pageBar', 7, 1, 'index', 'htm', 135);</script><div id='pageBar'></div>",
            "index.html",
            "index_1.htm",
            7,
        ),
    ],
)
def test_every_pager_form(trs, pager: str, url: str, next_url: str | None, total: int) -> None:
    text, key = fixture("trs-ul-furnished")
    body = text.replace(PAGER, pager).encode("gbk")
    base = "http://www.yunshan.gov.cn/zwgk/zcwj/"
    page = trs.parse_list(body, base + url, None, {})
    assert urls(page) == [i["url"] for i in key["items"]]
    assert page.total_pages == total
    assert (page.next.url if page.next else None) == (base + next_url if next_url else None)


def test_a_pager_saying_the_column_is_empty_gives_no_items_from_the_furniture(trs) -> None:
    text, _ = fixture("trs-ul-furnished")
    start, end = text.index('<ul class="list">'), text.index("</ul>", text.index('<ul class="list">'))
    empty = text[:start] + "<ul class='list'><li>暂无信息</li>" + text[end:]
    empty = empty.replace(PAGER, '<script>createPageHTML(0, 0, "index", "html");</script>')
    page = trs.parse_list(empty.encode("gbk"), COLUMN, None, {})
    assert page.ok and page.items == [] and page.next is None


def test_the_list_found_on_the_column_page_is_followed_to_the_last_page(trs) -> None:
    first_text, _ = fixture("trs-ul-furnished")
    first = trs.parse_list(first_text.encode("gbk"), COLUMN, None, trs.first_request(COLUMN).context)
    last_text, last_key = fixture("trs-ul-furnished-last")
    # a last page whose pager script is missing: 3 items against a 6-link sidebar
    bare = last_text.replace(
        '<div class="page"><script language="javascript">createPageHTML(7, 6, "index", "html");</script></div>',
        "",
    )
    url = "http://www.yunshan.gov.cn/zwgk/zcwj/index_6.html"
    alone = trs.parse_list(bare.encode("gbk"), url, None, {})
    assert len(alone.items) == 6  # on its own the page gives no way to tell the sidebar from the list
    followed = trs.parse_list(bare.encode("gbk"), url, None, {**first.next.context, "page_no": 7})
    assert urls(followed) == [i["url"] for i in last_key["items"]]


def test_rows_beside_the_items_that_are_pager_or_page_number_links_are_not_items() -> None:
    html = """<html><body><div class="side"><ul>
    <li><a href="/tzgg/202301/t20230101_1.html">侧栏通知一</a></li><li><a href="/tzgg/202301/t20230102_2.html">侧栏通知二</a></li>
    <li><a href="/tzgg/202301/t20230103_3.html">侧栏通知三</a></li></ul></div>
    <table class="list">
    <tr><td><a href="./202303/t20230301_1.html">关于开展春季植树活动的通知</a></td><td>2023-03-01</td></tr>
    <tr><td><a href="./202303/t20230301_1_1.html">第二页</a></td><td></td></tr>
    <tr><td><a href="./202302/W020230228.docx">2023年度工作计划（附件）</a></td><td>2023-02-28</td></tr>
    <tr><td><a href="{{el.url}}">{{el.title}}</a></td><td></td></tr>
    <tr><td><a href="index_1.html">10</a> <a href="index_2.html">11</a></td><td></td></tr>
    <tr><td><a href="./">更多</a></td><td></td></tr>
    <tr><td colspan="2"><script>createPageHTML(3, 0, "index", "html");</script></td></tr>
    </table></body></html>"""
    region = read_region(_root(html), "http://x.gov.cn/a/index.html")
    assert [(i.url, i.date) for i in region.items] == [
        ("http://x.gov.cn/a/202303/t20230301_1.html", "2023-03-01"),
        ("http://x.gov.cn/a/202302/W020230228.docx", "2023-02-28"),
    ]


def test_dates_inside_the_link_and_year_less_dates() -> None:
    html = """<html><body><ul class="gl-ul">
    <li><a href="./202609/t20260911_1.htm" title="甲"><span>甲</span><div class="li-btn">2026-09-11</div></a></li>
    <li><a href="./202609/t20260910_2.htm">乙</a><em>09-10</em></li>
    <li><a href="./202609/t20260909_3.htm">丙</a></li>
    </ul><div class="pagination"></div></body></html>"""
    items = read_region(_root(html), "http://x.gov.cn/a/").items
    assert [(i.title, i.date) for i in items] == [
        ("甲", "2026-09-11"),
        ("乙", "2026-09-10"),
        ("丙", "2026-09-09"),
    ]


def test_fujian_pages_through_the_static_files_and_says_where_the_listing_goes_on(trs) -> None:
    text, key = fixture("trs-fujian-pagechnlinfo")
    base = "http://rsj.yunshan.gov.cn/zwgk/rsxx/zpgs/"
    first = trs.parse_list(text.encode(), base, None, trs.first_request(base).context)
    assert (first.total_pages, first.total_records) == (15, 213)
    assert first.next.url == base + "index_1.htm" and first.complete
    third = trs.parse_list(text.encode(), base + "index_3.htm", None, {**first.next.context, "page_no": 4})
    assert third.next.url == base + "index_4.htm"
    # index_4 is the last static file (maxStaticIndex 4) of 15 pages: paging ends, the listing does not
    fifth = trs.parse_list(text.encode(), base + "index_4.htm", None, {**first.next.context, "page_no": 5})
    assert fifth.next is None and fifth.complete is False
    assert urls(fifth) == [i["url"] for i in key["items"]]


def test_fujian_listmodel_form_and_files_holding_several_shown_pages(trs) -> None:
    text, _ = fixture("trs-fujian-pagechnlinfo")
    start, end = text.index("  var pageChnlInfo"), text.index("</script>", text.index("  var pageChnlInfo"))
    model = (
        text[:start]
        + "require(['list2.trsapi']);listModel({maxStaticIndex:7,pagebar:{prepage:5,recordCount:'213'}})"
        + text[end:]
    )
    base = "http://rsj.yunshan.gov.cn/zwgk/rsxx/zpgs/"
    page = trs.parse_list(model.encode(), base, None, {})
    # 15 items shown on a page of prepage 5: each file holds 15 records, so 15 files, not 43
    assert page.total_pages == 15 and page.total_records == 213
    assert page.next.url == base + "index_1.htm"


def test_mislabelled_gbk_page_reads_the_same(trs) -> None:
    text, key = fixture("trs-table-furnished")
    url = "http://www.yunshan.gov.cn/zwgk/tzgg/index_2.html"
    labelled = trs.parse_list(text.encode("gbk"), url, {"Content-Type": "text/html; charset=utf-8"}, {})
    assert urls(labelled) == [i["url"] for i in key["items"]]
    assert labelled.next.url == "http://www.yunshan.gov.cn/zwgk/tzgg/index_3.html"


HOT = (
    '<div class="hot"><ul>'
    + "".join(
        f'<li><a href="/rd/202301/t2023010{i}_{i}.html">热点信息{i}</a><span>2023-01-0{i}</span></li>'
        for i in range(1, 7)
    )
    + "</ul></div>"
)
SHAPES = {
    "xxgk-table": """<table class="xxgk"><tr><th>索引号</th><th>名称</th><th>文号</th><th>发布日期</th></tr>
<tr><td>011234567/2022-00123</td><td><a href="./202209/t20220901_1.html">关于甲的通知</a></td><td>云政发〔2022〕12号</td><td>2022-09-14</td></tr>
<tr><td>011234567/2022-00122</td><td><a href="./202209/t20220901_2.html">关于乙的通知</a></td><td>云政发〔2022〕11号</td><td>2022-09-10</td></tr>
<tr><td>011234567/2022-00121</td><td><a href="./202209/P020220901.pdf">丙的附件公告</a></td><td></td><td>2022-09-01</td></tr></table>""",
    "dl-per-item": '<div class="lst">'
    + "".join(
        f'<dl><dt><a href="./202209/t20220901_{i}.html">条目{i}号</a></dt><dd>2022-09-1{i}</dd></dl>'
        for i in (4, 0, 1)
    )
    + "</div>",
    "bare-anchors": '<td class="lb">'
    + "".join(f'<a href="./202209/t20220901_{i}.html">条目{i}号</a> (2022-09-1{i})<br>' for i in (4, 0, 1))
    + "</td>",
    "image-and-title": '<ul class="pic">'
    + "".join(
        f'<li><a href="./202209/t20220901_{i}.html"><img src="a.jpg"></a><a href="./202209/t20220901_{i}.html">条目{i}号</a>'
        f"<span>2022-09-1{i}</span></li>"
        for i in (4, 0, 1)
    )
    + "</ul>",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_row_shapes_of_real_templates(shape: str) -> None:
    lst = SHAPES[shape]
    if shape == "bare-anchors":
        lst = f"<table><tr>{lst}</tr></table>"
    html = (
        f"<html><body>{HOT}<div class='con'><div class='position'>当前位置：首页</div>{lst}"
        "<div class='page'><script>createPageHTML(3,0,'index','html');</script></div></div></body></html>"
    )
    items = read_region(_root(html), "http://x.gov.cn/a/index.html").items
    got = [(i.url.rsplit("/", 1)[-1], i.date) for i in items]
    if shape == "xxgk-table":  # the date column, not the 索引号 or the 文号; the attachment row too
        assert got == [
            ("t20220901_1.html", "2022-09-14"),
            ("t20220901_2.html", "2022-09-10"),
            ("P020220901.pdf", "2022-09-01"),
        ]
    else:  # the printed date (not the URL's 2022-09-01), in page order
        assert got == [(f"t20220901_{i}.html", f"2022-09-1{i}") for i in (4, 0, 1)]
        assert [i.title for i in items] == [f"条目{i}号" for i in (4, 0, 1)]
