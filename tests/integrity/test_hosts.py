from crawler.integrity.hosts import host_of, is_official, is_offsite, norm_host, site_set


def test_norm_host():
    assert norm_host("WWW.QZ.gov.cn:8080") == "qz.gov.cn"
    assert norm_host("qz.gov.cn.") == "qz.gov.cn"
    assert norm_host("") == ""


def test_host_of():
    assert host_of("/a/b.html", "http://www.qz.gov.cn/x") == "qz.gov.cn"
    assert host_of("//Spam.CC/x") == "spam.cc"
    assert host_of("javascript:void(0)") == ""
    assert host_of("mailto:a@b.cn") == ""
    assert host_of("http://[::1]:80/") == "[::1]"
    assert host_of("http://[bad") == ""


def test_official_hosts():
    for host in (
        "www.gov.cn",
        "zj.gov.cn",
        "www.qz.gov.cn",
        "www.gov.mo",
        "www.gov.hk",
        "people.com.cn",
        "www.news.cn",
        "bszs.conac.cn",
    ):
        assert is_official(host), host
    for host in ("gov.cn.spam.com", "fakegov.cn", "example.com", "gov.tw", "xinhuanet.com.evil.cc"):
        assert not is_official(host), host


def test_offsite():
    sites = site_set(["WWW.Example.com:8443"])
    assert not is_offsite("example.com", sites)
    assert not is_offsite("sub.example.com", sites)
    assert not is_offsite("", sites)
    assert not is_offsite("www.zj.gov.cn", sites)
    assert is_offsite("spam.cc", sites)
    assert is_offsite("example.com.spam.cc", sites)
