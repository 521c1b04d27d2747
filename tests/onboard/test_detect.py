"""`add-site`'s detection: the profiles' own readers decide which one reads a column page; a page
that no profile reads is refused with a reason and a hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.demo.site import build_site
from crawler.onboard.detect import detect
from crawler.profiles import get_profile
from crawler.profiles.generic import GenericOptions
from tests.helpers import REFERENCE_PAGE, REFERENCE_URL

FIX = Path(__file__).resolve().parents[1] / "profiles" / "fixtures"
BASE = "http://127.0.0.1:8181"


def keyed(name: str) -> tuple[bytes, str, dict]:
    """A keyed list fixture: its bytes, URL and hand-written key."""
    key = json.loads((FIX / f"{name}.expected.json").read_text(encoding="utf-8"))
    return (FIX / f"{name}.html").read_bytes(), key["url"], key


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("hanweb-column", "hanweb"),
        ("hanweb-get-furnished", "hanweb"),
        ("hanweb-initdata-furnished", "hanweb"),
        ("trs-index", "trs"),
        ("trs-ul-furnished", "trs"),
        ("trs-table-furnished", "trs"),
        ("trs-fujian-pagechnlinfo", "trs"),
        ("trs-divrows-furnished", "trs"),
    ],
)
def test_keyed_column_pages_get_their_profile_and_its_items(name: str, profile: str) -> None:
    body, url, key = keyed(name)
    assert key["profile"] == profile
    found = detect(body, url)
    assert found.profile == profile, (found.reason, found.evidence)
    assert [i.url for i in found.items] == [i["url"] for i in key["items"]]  # what the profile reads
    assert found.evidence


@pytest.mark.parametrize(
    ("profile", "encoding"), [(p, e) for p in ("hanweb", "trs", "generic") for e in ("utf-8", "gbk")]
)
def test_sample_sites_of_every_profile_are_told_apart(profile: str, encoding: str) -> None:
    site = build_site(30, profile=profile, encoding=encoding, per_page=10)
    column = next(iter(site.columns.values()))
    answer = site.handle("GET", site.column_url(column.id))
    url = BASE + site.column_url(column.id)
    found = detect(answer.body, url, answer.headers)
    assert found.profile == profile
    assert len(found.items) == 10
    assert [i.title for i in found.items] == [p.title for p in column.pages[:10]]
    assert found.items[0].date == column.pages[0].day.isoformat()
    assert found.next is not None, "the pager is found"
    assert found.column_name == column.name


def test_generic_selectors_are_accepted_only_as_generic_reads_them() -> None:
    site = build_site(30, profile="generic", per_page=10)
    column = next(iter(site.columns.values()))
    answer = site.handle("GET", site.column_url(column.id))
    found = detect(answer.body, BASE + site.column_url(column.id), answer.headers)
    assert found.generic is not None
    # the selectors it proposes are generic's own options, and generic reads the same items with them
    options = GenericOptions.model_validate(found.generic)
    page = get_profile("generic", options).parse_list(
        answer.body, BASE + site.column_url(column.id), answer.headers
    )
    assert [i.url for i in page.items] == [i.url for i in found.items]
    assert found.next is not None and found.next.url.endswith("list_1.html")


def test_a_plain_list_with_a_next_link_is_described_with_selectors() -> None:
    found = detect((FIX / "generic-list.html").read_bytes(), "http://www.example.gov.cn/gsgg/index.html")
    assert found.profile == "generic"
    assert found.generic == {"item_links": "div.news-list > ul > li a", "next_page": "a.next"}
    assert [i.title for i in found.items] == ["第一条公告", "第二条公告（全文）", "第三条公告"]


def test_a_release_page_is_refused_and_its_column_suggested() -> None:
    site = build_site(3)
    page = site.all_pages()[0]
    answer = site.handle("GET", site.page_path(page))
    found = detect(answer.body, BASE + site.page_path(page), answer.headers)
    assert found.profile is None
    assert "release page" in (found.reason or "")
    assert found.hint == f"add its column: govwatch add-site {BASE}/col/col{page.column}/index.html"


def test_the_defaced_reference_page_is_a_release_not_a_column() -> None:
    found = detect(REFERENCE_PAGE.read_bytes(), REFERENCE_URL)
    assert found.profile is None and "release page" in (found.reason or "")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "the page is empty"),
        ((FIX / "hanweb-waf.html").read_bytes(), "waf page"),
        ("<html><body><p>欢迎访问</p><a href='/a'>首页</a></body></html>".encode(), "no list found"),
    ],
)
def test_a_page_no_profile_reads_says_why_and_what_to_try(body: bytes, reason: str) -> None:
    found = detect(body, "http://www.example.gov.cn/col/col1/index.html")
    assert found.profile is None
    assert reason in (found.reason or "")
    assert found.hint
