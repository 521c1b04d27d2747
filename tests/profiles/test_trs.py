"""TRS WCM columns: items, index_N pages, both createPageHTML forms."""

from __future__ import annotations

from pathlib import Path

from crawler.profiles import get_profile
from tests import corpus

FIX = Path(__file__).parent / "fixtures"
REAL = corpus.REAL / "04_shanxi-gov_trs-article_inline-createPageHTML.html"
COLUMN = "http://www.example.gov.cn/zwgk/zcwj/index.html"


def test_index_page_gives_items_and_index_1():
    trs = get_profile("trs")
    first = trs.first_request(COLUMN)
    page = trs.parse_list((FIX / "trs-index.html").read_bytes(), COLUMN, None, first.context)
    assert page.ok and page.page_no == 1
    assert len(page.items) == 20
    assert page.items[0].url == "http://www.example.gov.cn/zwgk/zcwj/202201/t20220101_4012000.html"
    assert page.items[0].title == "关于印发某市营商环境优化提升行动方案的通知"
    assert page.items[0].date == "2022-01-01"
    assert all(i.date for i in page.items)
    assert page.total_pages == 12
    assert page.next.url == "http://www.example.gov.cn/zwgk/zcwj/index_1.html"
    assert (page.next.method, page.next.page_no) == ("GET", 2)

    second = trs.parse_list(
        (FIX / "trs-index.html").read_bytes().replace(b"createPageHTML(12, 0,", b"createPageHTML(12, 1,"),
        page.next.url,
        None,
        page.next.context,
    )
    assert second.page_no == 2
    assert second.next.url == "http://www.example.gov.cn/zwgk/zcwj/index_2.html"


def test_last_page_has_no_next():
    html = (FIX / "trs-index.html").read_bytes()
    html = html.replace(b"createPageHTML(12, 0,", b"createPageHTML(12, 11,").replace(
        b"currentPage = 0", b"currentPage = 11"
    )
    page = get_profile("trs").parse_list(
        html, "http://www.example.gov.cn/zwgk/zcwj/index_11.html", None, {"page_no": 12}
    )
    assert len(page.items) == 20 and page.next is None and page.page_no == 12


def test_count_page_only_uses_the_page_number_in_the_url():
    html = (FIX / "trs-index.html").read_bytes().replace(b'createPageHTML(12, 0, "index", "html");', b"")
    html = html.replace(b"var currentPage = 0;", b"")
    page = get_profile("trs").parse_list(html, "http://www.example.gov.cn/zwgk/zcwj/index_3.html", None, None)
    assert page.total_pages == 12
    assert page.next.url == "http://www.example.gov.cn/zwgk/zcwj/index_4.html"


def test_six_argument_form():
    url = "http://www.example.gov.cn/tzgg/index_1.shtml"
    page = get_profile("trs").parse_list((FIX / "trs-six-arg.html").read_bytes(), url, None, {"page_no": 2})
    assert [(i.url, i.date) for i in page.items] == [
        ("http://www.example.gov.cn/tzgg/202303/t20230301_88001.shtml", "2023-03-01"),
        ("http://www.example.gov.cn/tzgg/202302/t20230215_88000.shtml", "2023-02-15"),  # date from the URL
    ]
    assert page.total_pages == 5 and page.total_records == 96
    assert page.next.url == "http://www.example.gov.cn/tzgg/index_2.shtml"
    assert page.next.page_no == 3


def test_inline_function_definition_is_not_a_call():
    url = "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"
    page = get_profile("trs").parse_list(corpus.require(REAL).read_bytes(), url, None, None)
    assert (
        page.total_pages == 1
    )  # from createPageHTML(1,0,…), not from `function createPageHTML(_nPageCount…`
    assert page.next is None


def test_gbk_twin_and_waf():
    utf8 = (FIX / "trs-index.html").read_bytes()
    gbk = utf8.decode("utf-8").replace('charset="utf-8"', 'charset="gbk"').encode("gbk")
    trs = get_profile("trs")
    assert trs.parse_list(gbk, COLUMN, None, {}).items == trs.parse_list(utf8, COLUMN, None, {}).items
    waf = trs.parse_list((FIX / "hanweb-waf.html").read_bytes(), COLUMN, None, {})
    assert (waf.ok, waf.reason) == (False, "waf")
