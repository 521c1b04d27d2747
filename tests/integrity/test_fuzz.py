"""check() never raises, whatever the bytes."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.integrity import check
from crawler.model import Release

TAGS = [
    "<p>",
    "</p>",
    "<div style='display:none'>",
    "</div>",
    "<a href='http://x.cc/'>",
    "</a>",
    "<!DOCTYPE html>",
    "<html>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<marquee>",
    "<meta http-equiv=refresh content='0;url=//z.cc'>",
    "<delect id=a>",
    "\u200b",
    "365bet",
    "日博",
    "document.referrer",
    "location.href='http://q.cc'",
    "{",
    "}",
    "\x00",
]
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.mark.timeout(600)
@SETTINGS
@given(st.binary(max_size=4096), st.booleans())
def test_arbitrary_bytes(data, hosts):
    assert isinstance(
        check(
            data, Release(url="http://www.example.gov.cn/a"), site_hosts={"example.gov.cn"} if hosts else None
        ),
        list,
    )


@pytest.mark.timeout(600)
@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(TAGS), st.text(max_size=40)), max_size=200))
def test_markup_soup(parts):
    html = "".join(parts)
    prev = Release(paragraphs=[html[:50]])
    assert isinstance(
        check(html, Release(url=None, paragraphs=[html]), previous=prev, site_hosts={"example.gov.cn"}), list
    )


@pytest.mark.slow
@pytest.mark.timeout(600)
@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_megabyte_pages(seed):
    import random

    rnd = random.Random(seed)
    raw = bytes(rnd.getrandbits(8) for _ in range(1_000_000))
    assert isinstance(check(raw, None, site_hosts={"example.gov.cn"}), list)
    soup = "".join(rnd.choice(TAGS) + "文" * rnd.randint(0, 30) for _ in range(40_000))[:1_000_000]
    assert isinstance(check(soup, None, site_hosts={"example.gov.cn"}), list)


def test_deeply_nested_markup():
    html = "<div>" * 5000 + "365bet" + "</div>" * 5000
    assert isinstance(check(html, None), list)


def test_empty_inputs():
    for raw in (
        b"",
        "",
        b"\xff\xfe",
        "   ",
        "<",
        "<!--",
        "<?xml version='1.0' encoding='gbk'?><html></html>",
    ):
        assert isinstance(check(raw, None), list)
