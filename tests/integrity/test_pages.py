"""Whole pages: the defaced reference page, genuine government pages, clean pages of our own."""

import re

import pytest

from crawler.integrity import DETECTORS, check, is_tampered
from crawler.model import Flag
from tests.corpus import REAL, require
from tests.helpers import REFERENCE_URL

from .conftest import OWN, critical, release_for

SPAM = "日博365备用网址_365bet娱乐app_365bet备用在线"


def test_registry_has_every_rule():
    assert set(DETECTORS) == {
        "spam_lexicon",
        "junk_preamble",
        "hidden_links",
        "redirect",
        "host_mismatch",
        "spam_added",
    }


def test_reference_page_is_tampered(reference_bytes):
    flags = check(reference_bytes, release_for(reference_bytes, REFERENCE_URL), site_hosts={"www.qz.gov.cn"})
    assert is_tampered(flags)
    spam = critical(flags, "spam_lexicon")
    assert spam and SPAM in spam[0].evidence
    assert spam[0].location.endswith("p[1]")
    pre = critical(flags, "junk_preamble")
    assert pre and pre[0].location == "preamble"
    assert pre[0].evidence.startswith('<legend id="h4sia"></legend><samp id="h4sia">')
    assert "<delect>" in pre[0].evidence


def test_reference_page_flags_without_site_hosts(reference_bytes):
    flags = check(reference_bytes, release_for(reference_bytes, None))
    assert {f.rule for f in critical(flags)} == {"spam_lexicon", "junk_preamble"}


def test_clean_twin_has_no_flags():
    body = (OWN / "quzhou-clean-twin.html").read_bytes()
    flags = check(body, release_for(body, REFERENCE_URL), site_hosts={"www.qz.gov.cn"})
    assert flags == []


def test_spam_added_to_the_clean_twin_is_caught(reference_bytes):
    twin = (OWN / "quzhou-clean-twin.html").read_bytes()
    before = release_for(twin, REFERENCE_URL)
    after = release_for(reference_bytes, REFERENCE_URL)
    if not after.paragraphs:
        pytest.skip("the normalizer gives no paragraphs yet")
    flags = check(reference_bytes, after, previous=before, site_hosts={"www.qz.gov.cn"})
    added = critical(flags, "spam_added")
    assert added and SPAM in added[0].evidence


def test_own_clean_page_with_legitimate_uses():
    body = (OWN / "clean-legitimate-uses.html").read_bytes()
    url = "https://www.example.gov.cn/art/2024/5/20/art_1_2.html"
    flags = check(body, release_for(body, url), site_hosts={"www.example.gov.cn"})
    assert not critical(flags), flags
    # only the anti-gambling reminder (a pitch-like phrase in an enforcement passage) may warn
    assert all(f.severity != "critical" and "警惕网络赌博" in f.evidence for f in flags), flags


def _real(prefix: str):
    found = sorted(require(REAL).glob(prefix + "_*.html"))
    assert found, f"real page {prefix} is not in {REAL}"
    return found[0].read_bytes()


@pytest.mark.parametrize(
    "prefix,url",
    [
        ("02", "https://www.pingtan.gov.cn/zwgk/zfxxgk/gwhwj/hzgfxwj/202510/t20251024_102201.htm"),
        ("04", "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"),
        ("09", "http://chinaneast.xinhuanet.com/jizhe/2005-08/16/content_4894059.htm"),
        ("10", "https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html?docId=1"),
    ],
)
@pytest.mark.parametrize("with_hosts", [True, False])
def test_genuine_pages_have_no_critical_flag(prefix, url, with_hosts):
    body = _real(prefix)
    host = re.match(r"https?://([^/]+)", url).group(1)
    flags: list[Flag] = check(body, release_for(body, url), site_hosts={host} if with_hosts else None)
    assert not critical(flags), flags
