"""parse_list never raises, whatever a list response holds: a failed fetch or a list, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.profiles import get_profile

PIECES = [
    "<ul class='list'>",
    "</ul>",
    "<li>",
    "</li>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<a href='./202209/t20220914_1.html'>",
    "<a href='/art/2022/9/1/art_1_2.html' title='x'>",
    "<a href='{{el.url}}' ms-repeat='list'>",
    "</a>",
    "<span>2022-09-14</span>",
    "<marquee>",
    "<div class='page'>",
    "</div>",
    "<script>createPageHTML(",
    "<script>createPageHTML('p', x, 'index', 'html');</script>",
    "var countPage = 99999999999999999999;",
    "var pageChnlInfo = {recordCount: 'x', prepage: 0, maxStaticIndex: -1};",
    "$('#1').jpage({proxyUrl:'/module/jpage/dataproxy.jsp', totalRecord: 1e9, ajaxParam:{webid:[1,{a:2}]}, dataStore:",
    'var InitData1=[\'<li><a href="/art/1.html">',
    "<datastore><recordset><record><![CDATA[",
    "]]></record></recordset></datastore>",
    "<nextgroup><![CDATA[<a href='/module/web/jpage/dataproxy.jsp?page=x'>]]></nextgroup>",
    "<totalpage>-1</totalpage>",
    "当前位置：",
    "\x00",
    "\u200b",
    "'",
    '"',
    "{",
    "[",
]
URLS = {
    "trs": "http://www.example.gov.cn/zwgk/index.html",
    "hanweb": "http://www.example.gov.cn/col/col1/index.html",
}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", sorted(URLS))
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    parts=st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=60),
    junk=st.binary(max_size=64),
    mode=st.sampled_from([None, "get", "post"]),
)
def test_parse_list_never_raises(name: str, parts: list[str], junk: bytes, mode: str | None) -> None:
    profile = get_profile(name)
    body = "".join(parts).encode("utf-8", "surrogatepass") + junk
    context: dict = {"page_no": 2}
    if mode == "post":
        context.update(mode="post", start=16, end=60, perpage=15, group=3, proxy="http://x/d.jsp", form={})
    elif mode == "get":
        context.update(mode="get", page=2)
    page = profile.parse_list(body, URLS[name], None, context)
    assert page.ok in (True, False)
    assert all(item.url.startswith(("http://", "https://")) for item in page.items)


@pytest.mark.parametrize("name", sorted(URLS))
def test_deeply_nested_list_page(name: str) -> None:
    inner = (
        "<ul class='list'><li><a href='./202209/t20220914_1.html'>标题</a><span>2022-09-14</span></li></ul>"
    )
    body = ("<html><body>" + "<div>" * 3000 + inner + "</div>" * 3000 + "</body></html>").encode()
    page = get_profile(name).parse_list(body, URLS[name], None, {})
    assert page.ok in (True, False)
