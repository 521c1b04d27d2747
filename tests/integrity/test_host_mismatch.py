from crawler.integrity.detectors.host_mismatch import RULE

from .conftest import OWN, flags_for, page

TWIN = OWN / "quzhou-clean-twin.html"


def test_mirror_with_foreign_host_is_info():
    flags = flags_for(
        TWIN.read_bytes(),
        site_hosts=("spam-mirror.example.com",),
        url="http://spam-mirror.example.com/art/x",
        rules=[RULE],
    )
    assert flags and {f.severity for f in flags} == {"info"}
    assert any(f.location == "head meta[name=Url]" and "qz.gov.cn" in f.evidence for f in flags)


def test_served_from_its_own_host_is_clean():
    for hosts in (("www.qz.gov.cn",), ("QZ.GOV.CN:443",), ("qz.gov.cn",)):
        assert flags_for(TWIN.read_bytes(), site_hosts=hosts, rules=[RULE]) == [], hosts


def test_skipped_without_site_hosts():
    assert flags_for(TWIN.read_bytes(), site_hosts=None, rules=[RULE]) == []


def test_canonical_link():
    html = '<html><head><link rel="canonical" href="https://other.example.org/a.html"></head><body></body></html>'
    flags = flags_for(html, rules=[RULE])
    assert [f.location for f in flags] == ["head link[rel=canonical]"]


def test_relative_url_meta_resolves_to_the_served_url():
    html = '<html><head><meta name="Url" content="./t20190918_693227.shtml"></head><body></body></html>'
    assert flags_for(html, rules=[RULE]) == []


def test_site_domain_listing_several_hosts_names_the_site():
    html = page('<meta name="SiteDomain" content="www.whb.example.gov.cn,www.example.gov.cn">')
    assert flags_for(html, rules=[RULE]) == []
    other = page('<meta name="SiteDomain" content="www.a.example.org，www.b.example.org">')
    flags = flags_for(other, rules=[RULE])
    assert flags and "a.example.org" in flags[0].evidence
