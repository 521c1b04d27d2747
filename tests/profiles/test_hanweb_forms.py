"""Hanweb's older and newer forms: InitData arrays, nested ajaxParam, GET paging by <totalpage>, what
page=N means, the column's own <datastore> among several."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from crawler.profiles import get_profile

FIX = Path(__file__).parent / "fixtures"
COLUMN = "http://zfcg.yunshan.gov.cn/col/col30067/index.html"
PROXY = "http://zfcg.yunshan.gov.cn/module/jslib/jquery/jpage/dataproxy.jsp"
GET_COLUMN = "https://www.yunshan.gov.cn/col/col1229100001/index.html"


@pytest.fixture
def hanweb():
    return get_profile("hanweb")


def body(name: str) -> bytes:
    return (FIX / name).read_bytes()


def key(name: str) -> dict:
    return json.loads((FIX / name).read_text(encoding="utf-8"))


def records(n: int, start: int = 0) -> bytes:
    rows = "".join(
        f"<record><![CDATA[<li><a href='/art/2022/1/{1 + i % 28}/art_30067_{9000 + i}.html'>第{i}条</a>"
        f"<span>2022-01-{1 + i % 28:02d}</span></li>]]></record>"
        for i in range(start, start + n)
    )
    return f"<?xml version='1.0' encoding='UTF-8'?><datastore><recordset>{rows}</recordset>".encode()


def test_initdata_array_and_nested_ajaxparam(hanweb) -> None:
    page = hanweb.parse_list(
        body("hanweb-initdata-furnished.html"), COLUMN, None, hanweb.first_request(COLUMN).context
    )
    assert page.ok and len(page.items) == 45
    assert page.items[0].url == "http://zfcg.yunshan.gov.cn/art/2022/9/14/art_30067_1661282.html"
    assert page.items[0].date == "2022-09-14"  # '[2022-09-14]' printed after the link
    nxt = page.next
    assert (nxt.method, nxt.url) == ("POST", f"{PROXY}?startrecord=46&endrecord=90&perpage=15")
    # the form is the call's own ajaxParam object: webid, unitid and webname included
    assert {k: nxt.formdata[k] for k in ("webid", "unitid", "webname", "columnid")} == {
        "webid": "60",
        "unitid": "49468",
        "webname": "云山市政府采购网",
        "columnid": "30067",
    }
    assert page.total_records == 128 and page.total_pages == 3


def test_initdata_groups_run_to_totalrecord(hanweb) -> None:
    first = hanweb.parse_list(body("hanweb-initdata-furnished.html"), COLUMN, None, {})
    second = hanweb.parse_list(records(45, 45) + b"</datastore>", first.next.url, None, first.next.context)
    assert len(second.items) == 45
    assert second.next.url == f"{PROXY}?startrecord=91&endrecord=128&perpage=15"
    assert second.next.formdata == first.next.formdata
    last = hanweb.parse_list(records(38, 90) + b"</datastore>", second.next.url, None, second.next.context)
    assert len(last.items) == 38 and last.next is None


def test_inline_datastore_array_and_a_gbk_page_mislabelled(hanweb) -> None:
    utf8 = """<html><head><meta charset="utf-8"></head><body><div id="77"></div><script>
    $('#77').jpage({totalRecord:2,perPage:15,groupSize:3,proxyUrl:'/module/jpage/dataproxy.jsp',
    dataStore:['<li><a href="/art/2022/9/1/art_5_1.html">通知一</a><span>2022-09-01</span></li>',
               '<li><a href="/art/2022/9/2/art_5_2.html">通知二</a><span>2022-09-02</span></li>',''],
    ajaxParam:{col:1,webid:9,columnid:5,unitid:'77',webname:'某县'}});</script></body></html>"""
    url = "http://www.example.gov.cn/col/col5/index.html"
    page = hanweb.parse_list(utf8.encode(), url, None, {})
    assert [(i.title, i.date) for i in page.items] == [("通知一", "2022-09-01"), ("通知二", "2022-09-02")]
    assert page.next is None  # totalRecord 2: the column page shows it all
    gbk = utf8.replace('charset="utf-8"', 'charset="gbk"').encode("gbk")
    again = hanweb.parse_list(gbk, url, {"Content-Type": "text/html; charset=utf-8"}, {})
    assert again.items == page.items


def test_get_paging_counts_on_to_totalpage_without_nextgroup(hanweb) -> None:
    column = hanweb.parse_list(body("hanweb-get-furnished.html"), GET_COLUMN, None, {})
    page2 = hanweb.parse_list(
        body("hanweb-get-page2-totalpage.xml"), column.next.url, None, column.next.context
    )
    assert page2.next.url == key("hanweb-get-page2-totalpage.expected.json")["next"]["url"]
    page3_xml = body("hanweb-get-page2-totalpage.xml").replace(
        b"art_1229100001_591004", b"art_1229100001_591003"
    )
    page3 = hanweb.parse_list(page3_xml, page2.next.url, None, page2.next.context)
    assert dict(parse_qsl(urlsplit(page3.next.url).query))["page"] == "4"
    page4_xml = records(7).replace(
        b"</recordset>", b"</recordset><totalrecord>52</totalrecord><totalpage>4</totalpage>"
    )
    page4 = hanweb.parse_list(page4_xml + b"</datastore>", page3.next.url, None, page3.next.context)
    assert len(page4.items) == 7 and page4.next is None  # page 4 of 4


def test_get_paging_by_totalrecord_and_a_site_that_ignores_page(hanweb) -> None:
    column = hanweb.parse_list(body("hanweb-get-furnished.html"), GET_COLUMN, None, {})
    xml = body("hanweb-get-page2-totalpage.xml").replace(b"<totalpage>4</totalpage>", b"")
    page2 = hanweb.parse_list(xml, column.next.url, None, column.next.context)
    assert page2.total_pages == 4  # ceil(52 / 15)
    assert "page=3" in page2.next.url
    # the site answers page=3 with page 2's records again: paging ends rather than loops
    again = hanweb.parse_list(xml, page2.next.url, None, page2.next.context)
    assert again.next is None


@pytest.mark.parametrize(
    ("shown", "per_page", "first_page"),
    [
        (15, 15, 2),  # the column page shows block 1
        (45, 15, 4),  # it shows a whole group: blocks 1–3
        (10, 15, 1),  # it shows less than a block: block 1 holds records it did not show
    ],
)
def test_page_n_counts_blocks_of_perpage_from_the_top(
    hanweb, shown: int, per_page: int, first_page: int
) -> None:
    rows = ",".join(
        f"'<li><a href=\"/art/2023/1/1/art_8_{i}.html\">第{i}条</a><span>2023-01-01</span></li>'"
        for i in range(shown)
    )
    html = f"""<html><body><div id="88"></div><script>var InitData88=[{rows}];
    $('#88').jpage({{totalRecord:100,perPage:{per_page},groupSize:3,proxyUrl:'/module/web/jpage/dataproxy.jsp',
    dataStore:InitData88,ajaxParam:{{col:1,appid:1,webid:7,path:'/',columnid:8,unitid:'88',webname:'某市',permissiontype:0}}}});
    </script></body></html>"""
    page = hanweb.parse_list(html.encode(), "https://www.example.gov.cn/col/col8/index.html", None, {})
    assert len(page.items) == shown
    query = dict(parse_qsl(urlsplit(page.next.url).query))
    assert page.next.method == "GET" and page.next.url.startswith(
        "https://www.example.gov.cn/module/web/jpage/dataproxy.jsp?"
    )
    assert query["page"] == str(first_page)
    assert (query["webid"], query["unitid"], query["columnid"], query["webname"]) == ("7", "88", "8", "某市")


def test_the_jpage_unit_is_the_column_among_several_datastores(hanweb) -> None:
    text = body("hanweb-column.html").decode()
    sidebar = (
        "<div id='999'><script type='text/xml'><datastore><recordset>"
        "<record><![CDATA[<li><a href='/art/2022/1/1/art_1_1.html'>侧栏</a></li>]]></record>"
        "</recordset></datastore></script></div>"
    )
    text = text.replace('<div class="list_box">', sidebar + '<div class="list_box">')
    page = hanweb.parse_list(text.encode(), "https://www.qz.gov.cn/col/col1229037214/index.html", None, {})
    assert len(page.items) == 15 and "art_1_1" not in " ".join(i.url for i in page.items)
    assert page.next.method == "POST"


def test_initdata_column_beside_a_sidebar_datastore_unit(hanweb) -> None:
    text = body("hanweb-initdata-furnished.html").decode("gbk")
    sidebar = (
        "<div id='49999'><script type='text/xml'><datastore><recordset>"
        "<record><![CDATA[<li><a href='/art/2022/9/1/art_30010_1.html'>办事指南一</a><span>2022-09-01</span></li>]]></record>"
        "<record><![CDATA[<li><a href='/art/2022/9/2/art_30010_2.html'>办事指南二</a><span>2022-09-02</span></li>]]></record>"
        "</recordset></datastore></script></div>"
    )
    text = text.replace(
        '<td width="230" valign="top" class="left">', '<td width="230" valign="top" class="left">' + sidebar
    )
    page = hanweb.parse_list(text.encode("gbk"), COLUMN, None, {})
    want = key("hanweb-initdata-furnished.expected.json")
    assert [i.url for i in page.items] == [i["url"] for i in want["items"]]
    assert page.next.url == want["next"]["url"]
