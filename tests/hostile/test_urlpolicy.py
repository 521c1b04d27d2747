"""The URL policy as a table: what the crawl of a site may request, what may be requested at all,
which addresses are public, what may be a link target."""

from __future__ import annotations

import pytest

from crawler.net.urlpolicy import SiteScope, address_problem, check_addresses, join, link_target, url_problem

SCOPE = SiteScope(["https://www.qz.gov.cn", "qz.gov.cn", "127.0.0.1:8080", "https://b.gov.cn:8443"])


@pytest.mark.parametrize(
    ("url", "admitted"),
    [
        ("https://www.qz.gov.cn/col/index.html", True),
        ("http://www.qz.gov.cn/art/1.html", True),  # http and https on one host
        ("http://qz.gov.cn:80/art/1.html", True),  # the default port is no port
        ("https://www.qz.gov.cn:443/art/1.html", True),
        ("http://QZ.GOV.CN./art/1.html", True),  # case and a trailing dot
        ("http://www.qz.gov.cn:8080/art/1.html", False),  # another port of the same host
        ("http://jyt.qz.gov.cn/art/1.html", False),  # a sister site
        ("http://127.0.0.1:8080/x", True),  # an alias with its port
        ("https://127.0.0.1:8080/x", True),
        ("http://127.0.0.1/x", False),
        ("http://127.0.0.1:8081/x", False),
        ("http://127.0.0.2:8080/x", False),
        ("http://b.gov.cn:8443/x", True),
        ("https://b.gov.cn/x", False),
        ("file:///etc/passwd", False),
        ("ftp://www.qz.gov.cn/x.html", False),
        ("data:text/html,<title>x</title>", False),
        ("java\tscript:alert(1)//x.html", False),
        ("http://[::1/x", False),
        ("http://www.qz.gov.cn:99999/x", False),
        ("http://user@www.qz.gov.cn/x", False),
        ("http://www.qz.gov.cn\\@evil.example/x", False),
        ("http://www.qz.gov.cn/\x1b]0;x\x07", False),
        ("/art/1.html", False),
    ],
)
def test_the_crawl_keeps_to_the_sites_hosts_and_ports(url: str, admitted: bool) -> None:
    assert SCOPE.admits(url) is admitted, SCOPE.problem(url)


def test_a_refusal_names_the_url_without_control_characters() -> None:
    problem = SCOPE.problem("http://evil.example:81/a\x1b[2J")
    assert problem is not None and "evil.example:81" in problem and "\x1b" not in problem


def test_join_never_raises() -> None:
    assert join("http://h/col/", "../art/1.html#top") == "http://h/art/1.html"
    assert join("http://h/col/", "http://[::1/x") == "http://[::1/x"
    assert join("http://h/col/", "  /a.html\n") == "http://h/a.html"


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-public"),
        ("fd00::1", "private"),
    ],
)
def test_public_addresses_only(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


def test_every_address_of_a_name_is_checked_and_networks_may_be_allowed() -> None:
    assert check_addresses("h", ["8.8.8.8"], allow_private=False) == ["8.8.8.8"]
    with pytest.raises(Exception, match="10.0.0.7"):
        check_addresses("h", ["8.8.8.8", "10.0.0.7"], allow_private=False)
    assert check_addresses("h", ["10.0.0.7"], allow_private=("10.0.0.0/8",)) == ["10.0.0.7"]
    with pytest.raises(Exception, match="127.0.0.1"):
        check_addresses("h", ["127.0.0.1"], allow_private=("10.0.0.0/8",))
    assert check_addresses("h", ["127.0.0.1"], allow_private=True) == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("https://www.qz.gov.cn/a.html", "https://www.qz.gov.cn/a.html"),
        ("data:text/html,<script>1</script>", None),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        (" java\nscript:alert(1)", None),
        ("vbscript:x", None),
        ("", None),
    ],
)
def test_link_targets_are_http_urls_only(url: str, target: str | None) -> None:
    assert link_target(url) == target
    assert (url_problem(url) is None) is (target is not None)
