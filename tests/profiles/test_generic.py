"""The generic profile: CSS or XPath item links, selector or {n}-pattern next pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import config_from_dict
from crawler.profiles import get_profile

FIX = Path(__file__).parent / "fixtures"
COLUMN = "http://www.example.gov.cn/gsgg/list.html"
BODY = (FIX / "generic-list.html").read_bytes()


def site(item_links: str, next_page: str | None = None):
    generic = {"item_links": item_links, "next_page": next_page}
    data = {
        "sites": [
            {
                "name": "ex",
                "base_url": "http://www.example.gov.cn",
                "profile": "generic",
                "generic": generic,
                "columns": [{"name": "c", "url": COLUMN}],
            }
        ]
    }
    return config_from_dict(data, base_dir=Path(".")).sites[0].profile_options


def test_needs_the_site_settings():
    with pytest.raises(ValueError, match="generic"):
        get_profile("generic")


def test_css_items_with_dates_and_selector_next():
    profile = get_profile("generic", site("div.news-list li a", "a.next"))
    page = profile.parse_list(BODY, COLUMN, None, profile.first_request(COLUMN).context)
    assert [(i.url, i.title, i.date) for i in page.items] == [
        ("http://www.example.gov.cn/gsgg/detail/1001.html", "第一条公告", "2023-05-01"),
        ("http://www.example.gov.cn/gsgg/detail/1002.html", "第二条公告（全文）", "2023-05-02"),
        ("http://www.example.gov.cn/gsgg/detail/1003.html", "第三条公告", None),
    ]
    assert page.next.url == "http://www.example.gov.cn/gsgg/list_2.html"
    assert page.next.page_no == 2
    # the same next link from the page it points to ends paging
    again = profile.parse_list(BODY, page.next.url, None, page.next.context)
    assert again.next is None


def test_xpath_items_selecting_rows_and_xpath_next():
    profile = get_profile("generic", site("//table[@class='docs']//tr", "//div[@class='pager']/a[last()]"))
    page = profile.parse_list(BODY, COLUMN, None, {})
    assert [(i.url, i.date) for i in page.items] == [
        ("http://www.example.gov.cn/docs/a.html", "2023-06-01"),
        ("http://www.example.gov.cn/docs/b.html", "2023-06-02"),
    ]
    assert page.next.url == "http://www.example.gov.cn/gsgg/list_2.html"


def test_pattern_next_pages_until_an_empty_page():
    profile = get_profile("generic", site("(//div[@class='news-list']//a)", "list_{n}.html"))
    first = profile.first_request(COLUMN)
    page1 = profile.parse_list(BODY, COLUMN, None, first.context)
    assert page1.next.url == "http://www.example.gov.cn/gsgg/list_1.html"
    page2 = profile.parse_list(BODY, page1.next.url, None, page1.next.context)
    assert page2.page_no == 2
    assert page2.next.url == "http://www.example.gov.cn/gsgg/list_2.html"  # relative to the column URL
    empty = profile.parse_list(
        "<html><body><p>暂无信息</p></body></html>".encode(), page2.next.url, None, page2.next.context
    )
    assert empty.ok and empty.items == [] and empty.next is None


def test_no_next_page_setting_means_one_page():
    profile = get_profile("generic", site("div.news-list a"))
    assert profile.parse_list(BODY, COLUMN, None, {}).next is None


def test_waf_page_is_a_failed_fetch():
    profile = get_profile("generic", site("div.news-list a", "a.next"))
    page = profile.parse_list((FIX / "hanweb-waf.html").read_bytes(), COLUMN, None, {})
    assert (page.ok, page.reason) == (False, "waf")
