"""The link checker is no SSRF tool (finding 4 of the hostile-site review): links planted on a release
never make govwatch request loopback, private or other non-public addresses unless the site allows
them; every redirect hop is checked again; a check ends by its timeout and the checks of a run by the
run's max_duration, whatever the server does (drip-fed headers)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from crawler.health.checker import LinkChecker
from tests.helpers import run_crawl
from tests.hostile.kit import (
    NOW,
    HostileSite,
    drip_headers,
    list_html,
    paragraphs,
    release_html,
    serving,
    site_config,
)

METADATA = "/latest/meta-data/iam/security-credentials/"


def checks(db: Path) -> dict[str, sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {r["url"]: r for r in conn.execute("SELECT * FROM link_checks ORDER BY id")}
    finally:
        conn.close()


def linked_release(site: HostileSite, links: list[tuple[str, str]]) -> None:
    site.page("/art/1.html", release_html("关于链接的通知", "LINKS-0001", paragraphs(3), links=links))
    site.page("/col/index.html", list_html([("/art/1.html", "一")]))


def internal_service() -> HostileSite:
    internal = HostileSite("127.0.0.2")
    internal.prefix("/", lambda _h: (200, {"Content-Type": "text/plain"}, b'{"AccessKeyId": "AKIA-SECRET"}'))
    return internal


@pytest.mark.slow
def test_links_to_loopback_and_private_addresses_are_refused_by_default(tmp_path: Path) -> None:
    site, internal = HostileSite(), internal_service()
    with serving(site, internal):
        planted = [
            f"http://127.0.0.2:{internal.port}{METADATA}",
            f"http://localhost:{internal.port}/admin",
            f"http://[::1]:{internal.port}/admin",
            site.url("/art/1.html"),  # the site's own page: on loopback too, so refused here
        ]
        linked_release(site, [(f"链接{i}", u) for i, u in enumerate(planted)])
        config = site_config(tmp_path, site, ["/col/index.html"], link_check=None)
        result = run_crawl(config, now=NOW)
        site_hits_after_crawl = dict(site.hits)
    assert result.returncode == 0 and result.run["status"] == "ok", result
    assert internal.hits == {}
    assert site_hits_after_crawl == {"/robots.txt": 1, "/col/index.html": 1, "/art/1.html": 1}
    found = checks(tmp_path / "govwatch.db")
    assert sorted(found) == sorted(planted)
    for row in found.values():
        assert row["ok"] == 0 and row["status"] is None, dict(row)
        assert row["error"].startswith("blocked_address") and "loopback" in row["error"], dict(row)


@pytest.mark.slow
def test_every_redirect_hop_is_checked_again(tmp_path: Path) -> None:
    """The site may reach 127.0.0.1 only: its own links are checked, a hop to 127.0.0.2 is refused."""
    site, internal = HostileSite(), internal_service()
    with serving(site, internal):
        site.page("/ok.html", "<html><body>ok</body></html>")
        site.redirect("/to-metadata", f"http://127.0.0.2:{internal.port}{METADATA}")
        site.redirect("/to-file", "file:///etc/passwd")
        for i in range(7):
            site.redirect(f"/loop{i}", f"/loop{i + 1}")
        links = [("好", "/ok.html"), ("元数据", "/to-metadata"), ("文件", "/to-file"), ("循环", "/loop0")]
        linked_release(site, links)
        config = site_config(tmp_path, site, ["/col/index.html"], link_check={"allow_private": ["127.0.0.1"]})
        result = run_crawl(config, now=NOW)
    assert result.returncode == 0, result
    assert internal.hits == {}
    found = checks(tmp_path / "govwatch.db")
    assert (found[site.url("/ok.html")]["ok"], found[site.url("/ok.html")]["status"]) == (1, 200)
    metadata = found[site.url("/to-metadata")]
    assert metadata["ok"] == 0 and metadata["error"].startswith("blocked_address"), dict(metadata)
    assert "127.0.0.2" in metadata["error"]
    to_file = found[site.url("/to-file")]
    assert to_file["ok"] == 0 and to_file["error"].startswith("blocked_url"), dict(to_file)
    assert found[site.url("/loop0")]["error"] == "redirect_loop"
    assert site.hits["/loop6"] == 0  # five redirects followed, no more


@pytest.mark.slow
def test_a_header_drip_link_is_cut_off_and_link_checks_end_by_max_duration(tmp_path: Path) -> None:
    """Drip-fed headers, 6 links of them: each check ends by its 3 s timeout, and the run's checks end
    at its 12 s max_duration, with the rest left for the next run."""
    site = HostileSite()
    with serving(site):
        site.prefix("/drip", drip_headers(interval=0.3))
        linked_release(site, [(f"慢{i}", f"/drip{i}") for i in range(6)])
        config = site_config(
            tmp_path,
            site,
            ["/col/index.html"],
            max_duration="12s",
            link_check={"allow_private": True},
            top={"link_check": {"timeout": "3s", "per_run": 50}},
        )
        started = time.monotonic()
        result = run_crawl(config, now=NOW, timeout=180)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result
    assert elapsed < 12 + 30, elapsed
    found = checks(tmp_path / "govwatch.db")
    assert 1 <= len(found) < 6, found  # the run's deadline stopped the checks
    for row in found.values():
        assert row["error"] == "timeout" and row["elapsed"] < 3 + 1.5, dict(row)
    assert "link checks stopped at the run's max_duration" in result.proc.stderr


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to() -> None:
    """A resolver that answers differently each time (DNS rebinding) cannot get round the check."""
    answers = [["127.0.0.1"], ["127.0.0.2"]]
    asked: list[str] = []

    def rebinding(host: str, port: int, timeout: float | None) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), len(answers)) - 1]

    site, internal = HostileSite(), internal_service()
    with serving(site, internal):
        site.page("/ok.html", "<html><body>ok</body></html>")
        internal.port  # noqa: B018 - started
        url = f"http://rebind.test:{site.port}/ok.html"
        with LinkChecker(
            "govwatch-test", timeout=5, delay=0, allow_private=["127.0.0.1"], resolver=rebinding
        ) as checker:
            first = checker.check(url)
        assert (first.ok, first.status) == (True, 200), first
        assert asked == ["rebind.test"]  # HEAD answered on the one connection made to the checked address
        assert site.requests[-1][2].get("Host") == f"rebind.test:{site.port}"
        with LinkChecker(
            "govwatch-test", timeout=5, delay=0, allow_private=["127.0.0.1"], resolver=rebinding
        ) as checker:
            second = checker.check(url)  # this time the name points at 127.0.0.2
        assert second.ok is False and second.error.startswith("blocked_address"), second
        assert internal.hits == {}


@pytest.mark.parametrize(
    "addresses",
    [["127.0.0.1"], ["93.184.216.34", "10.0.0.7"], ["169.254.169.254"], ["::ffff:127.0.0.1"], ["fd00::1"]],
)
def test_a_name_with_any_non_public_address_is_refused(addresses: list[str]) -> None:
    with LinkChecker("govwatch-test", timeout=2, delay=0, resolver=lambda h, p, t: addresses) as checker:
        result = checker.check("http://planted.example/x")
    assert result.ok is False and result.status is None
    assert result.error.startswith("blocked_address"), result
