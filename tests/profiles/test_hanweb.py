"""Hanweb column pages and both dataproxy forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.profiles import PROFILES, get_profile

FIX = Path(__file__).parent / "fixtures"
COLUMN = "https://www.qz.gov.cn/col/col1229037214/index.html"
FORM = {
    "col": "1",
    "appid": "1",
    "webid": "3084",
    "path": "/",
    "columnid": "1229037214",
    "sourceContentType": "1",
    "unitid": "7211025",
    "webname": "衢州市人民政府",
    "permissiontype": "0",
}


def body(name: str) -> bytes:
    return (FIX / name).read_bytes()


@pytest.fixture
def hanweb():
    return get_profile("hanweb")


def test_registry():
    assert {"hanweb", "trs", "generic"} <= set(PROFILES)
    assert get_profile("hanweb").items_per_page == 15
    assert get_profile("trs").items_per_page == 20
    with pytest.raises(KeyError, match="known"):
        get_profile("wordpress")


def test_first_request_is_the_column_page(hanweb):
    request = hanweb.first_request(COLUMN)
    assert (request.url, request.method, request.page_no) == (COLUMN, "GET", 1)


def test_column_page_gives_items_and_the_post_group(hanweb):
    first = hanweb.first_request(COLUMN)
    page = hanweb.parse_list(body("hanweb-column.html"), COLUMN, {}, first.context)
    assert page.ok and page.page_no == 1
    assert len(page.items) == 15
    assert page.items[0].url == "https://www.qz.gov.cn/art/2022/1/5/art_1229037214_59047060.html"
    assert page.items[0].title == "衢州市第60场新闻发布会答问实录"
    assert page.items[0].date == "2022-01-05"
    assert page.total_records == 60
    assert page.total_pages == 2  # the column page + one group of 45
    nxt = page.next
    assert nxt.method == "POST"
    assert (
        nxt.url == "https://www.qz.gov.cn/module/jpage/dataproxy.jsp?startrecord=16&endrecord=60&perpage=15"
    )
    assert nxt.formdata == FORM
    assert nxt.page_no == 2


def test_post_reply_gives_the_group_and_stops_at_totalrecord(hanweb):
    first = hanweb.parse_list(body("hanweb-column.html"), COLUMN, None, hanweb.first_request(COLUMN).context)
    reply = hanweb.parse_list(
        body("hanweb-dataproxy-startrecord16-endrecord60.xml"), first.next.url, None, first.next.context
    )
    assert reply.ok and reply.page_no == 2
    assert len(reply.items) == 45
    assert reply.items[0].url == "https://www.qz.gov.cn/art/2022/10/18/art_1229037214_59047045.html"
    assert reply.items[-1].date == "2022-02-02"
    assert reply.total_records == 60
    assert reply.next is None  # records 16–60 were the last group


def test_post_reply_asks_for_the_following_group_when_there_is_more(hanweb):
    first = hanweb.parse_list(body("hanweb-column.html"), COLUMN, None, hanweb.first_request(COLUMN).context)
    xml = body("hanweb-dataproxy-startrecord16-endrecord60.xml").replace(
        b"<totalrecord>60</totalrecord>", b"<totalrecord>200</totalrecord>"
    )
    reply = hanweb.parse_list(xml, first.next.url, None, first.next.context)
    nxt = reply.next
    assert nxt.method == "POST" and nxt.page_no == 3
    assert nxt.url.endswith("dataproxy.jsp?startrecord=61&endrecord=105&perpage=15")
    assert nxt.formdata == FORM
    assert reply.total_pages == 1 + 5  # ceil((200 - 15) / 45) groups


def test_short_post_reply_is_the_last(hanweb):
    first = hanweb.parse_list(body("hanweb-column.html"), COLUMN, None, hanweb.first_request(COLUMN).context)
    ctx = {**first.next.context, "total": None}
    xml = body("hanweb-dataproxy-startrecord16-endrecord60.xml")
    xml = xml.replace(b"<totalrecord>60</totalrecord>", b"").replace(b"<totalpage>4</totalpage>", b"")
    cut = xml.index(b"<record>", xml.index(b"59047040"))  # keep 6 records
    xml = xml[:cut] + b"</recordset></datastore>"
    reply = hanweb.parse_list(xml, first.next.url, None, ctx)
    assert len(reply.items) == 6 and reply.next is None


def test_newer_get_form_from_the_column_page(hanweb):
    html = body("hanweb-column.html")
    html = html[: html.index(b"<script>\nvar param_")] + b"</body></html>"
    page = hanweb.parse_list(html, COLUMN, None, hanweb.first_request(COLUMN).context)
    assert len(page.items) == 15
    nxt = page.next
    assert nxt.method == "GET" and nxt.formdata is None and nxt.page_no == 2
    assert nxt.url.startswith("https://www.qz.gov.cn/module/web/jpage/dataproxy.jsp?page=2&")
    assert "unitid=7211025" in nxt.url and "columnid=1229037214" in nxt.url


def test_newer_get_reply_follows_its_nextgroup(hanweb):
    url = "https://www.qz.gov.cn/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=3084"
    ctx = {"column_url": COLUMN, "mode": "get", "page_no": 2}
    page = hanweb.parse_list(body("hanweb-dataproxy-page2.xml"), url, None, ctx)
    assert page.ok and page.page_no == 2
    assert len(page.items) == 15
    assert page.total_pages == 4 and page.total_records == 60
    assert page.next.method == "GET" and page.next.page_no == 3
    assert page.next.url == (
        "https://www.qz.gov.cn/module/web/jpage/dataproxy.jsp?page=3&appid=1&webid=3084&path=/"
        "&columnid=1229037214&unitid=7211025&permissiontype=0"
    )
    # the same nextgroup again (a site that repeats its last page) stops the paging
    again = hanweb.parse_list(body("hanweb-dataproxy-page2.xml"), page.next.url, None, page.next.context)
    assert again.next is None


def test_get_reply_without_nextgroup_or_records_stops(hanweb):
    ctx = {"column_url": COLUMN, "mode": "get", "page_no": 4}
    xml = b"<datastore><nextgroup><![CDATA[]]></nextgroup><recordset></recordset></datastore>"
    page = hanweb.parse_list(xml, "https://www.qz.gov.cn/module/web/jpage/dataproxy.jsp?page=4", None, ctx)
    assert page.ok and page.items == [] and page.next is None


def test_record_variants(hanweb):
    url = "https://www.example.gov.cn/col/col555/index.html"
    page = hanweb.parse_list(body("hanweb-variants.html"), url, None, {})
    got = [(i.url, i.title, i.date) for i in page.items]
    assert got == [
        ("https://www.example.gov.cn/art/2022/9/1/art_555_1.html", "标题一", "2022-09-01"),
        ("https://www.example.gov.cn/art/2022/9/2/art_555_2.html", "标题二", "2022-09-02"),
        ("http://other.gov.cn/art/2022/9/3/art_555_3.html", "标题三", "2022-09-03"),
        ("https://www.example.gov.cn/art/2022/9/4/art_555_4.html", "2022年工作要点", None),
        ("https://www.example.gov.cn/art/2022/9/5/art_555_5.html", "标题五", "2022-09-05"),
    ]
    assert page.next is None  # totalRecord 6 = the records on the page (one was a duplicate)


def test_jslib_proxy_path_and_defaults_for_missing_fields(hanweb):
    url = "https://www.example.gov.cn/col/col555/index.html"
    html = body("hanweb-variants.html").replace(b"totalRecord: 6", b"totalRecord: 100")
    nxt = hanweb.parse_list(html, url, None, {}).next
    assert nxt.url == (
        "https://www.example.gov.cn/module/jslib/jquery/jpage/dataproxy.jsp?startrecord=7&endrecord=51&perpage=15"
    )
    assert nxt.formdata == {
        "col": "1",
        "appid": "1",
        "webid": "9",
        "path": "/",
        "columnid": "555",
        "sourceContentType": "1",
        "unitid": "123",
        "webname": "某市",
        "permissiontype": "0",
    }


def test_gbk_page_gives_the_same_items_as_its_utf8_twin(hanweb):
    utf8 = body("hanweb-column.html")
    gbk = utf8.decode("utf-8").replace("charset=utf-8", "charset=gbk").encode("gbk")
    assert gbk != utf8
    a = hanweb.parse_list(utf8, COLUMN, None, {})
    b = hanweb.parse_list(gbk, COLUMN, {"Content-Type": "text/html"}, {})
    c = hanweb.parse_list(gbk, COLUMN, {"Content-Type": "text/html; charset=utf-8"}, {})  # mislabelled
    assert a.items == b.items == c.items
    assert a.next.formdata == b.next.formdata == c.next.formdata


def test_waf_page_is_a_failed_fetch(hanweb):
    page = hanweb.parse_list(body("hanweb-waf.html"), COLUMN, None, {})
    assert page.ok is False and page.reason == "waf" and page.items == [] and page.next is None


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<html><body><form>请输入密码<input type=password></form></body></html>", "login"),
        ("<html><body><h1>请完成滑动验证</h1></body></html>", "captcha"),
        ("<html><body><ul><li>首页</li></ul></body></html>", "no_datastore"),
        ("", "empty_body"),
    ],
)
def test_pages_that_are_not_lists(hanweb, html, reason):
    page = hanweb.parse_list(html.encode("utf-8"), COLUMN, None, {})
    assert (page.ok, page.reason) == (False, reason)


def test_empty_datastore_is_a_genuine_empty_column(hanweb):
    page = hanweb.parse_list(body("hanweb-empty.html"), COLUMN, None, {})
    assert page.ok is True and page.items == [] and page.next is None
