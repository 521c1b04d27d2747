"""`govwatch init` and `govwatch add-site` as a user runs them, against sample sites on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.demo.server import serve
from crawler.demo.site import build_site
from crawler.onboard.cli import TEMPLATE
from tests.helpers import env_with

pytestmark = pytest.mark.slow  # servers and subprocesses


def govwatch(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env_with(),
    )


def test_init_writes_a_config_and_says_what_next(tmp_path: Path) -> None:
    proc = govwatch(tmp_path, "init", "watch")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "watch" / "config.yaml").read_text(encoding="utf-8") == TEMPLATE
    assert (
        "cd watch" in proc.stdout
        and "govwatch add-site URL" in proc.stdout
        and "govwatch crawl" in proc.stdout
    )
    again = govwatch(tmp_path, "init", "watch")
    assert again.returncode == 2 and "already exists (--force replaces it" in again.stderr


def test_a_generic_site_is_added_with_the_selectors_found(tmp_path: Path) -> None:
    site = build_site(30, profile="generic", per_page=10)
    assert govwatch(tmp_path, "init").returncode == 0
    with serve(site) as server:
        url = server.url + site.column_url("1229037214")
        proc = govwatch(tmp_path, "add-site", url, "--name", "news")
    assert proc.returncode == 0, proc.stderr
    assert "profile: generic" in proc.stdout and "item_links: ul.newslist > li a" in proc.stdout
    assert "items on this page: 10" in proc.stdout and "pager: next page GET" in proc.stdout
    config = load_config(tmp_path / "config.yaml")
    [news] = config.sites
    assert news.profile == "generic" and news.profile_options is not None
    assert news.link_check.allow_private is True  # 127.0.0.1: the link checker may go there
    assert "next page" in proc.stdout


def test_a_second_column_joins_its_site_and_dry_run_changes_nothing(tmp_path: Path) -> None:
    site = build_site(20, per_page=5)
    assert govwatch(tmp_path, "init").returncode == 0
    with serve(site) as server:
        first = server.url + site.column_url("1229037214")
        second = server.url + site.column_url("1229037215")
        assert govwatch(tmp_path, "add-site", first, "--name", "quzhou").returncode == 0
        before = (tmp_path / "config.yaml").read_text(encoding="utf-8")
        dry = govwatch(tmp_path, "add-site", second, "--dry-run")
        assert dry.returncode == 0 and "profile: hanweb" in dry.stdout and "- name:" in dry.stdout
        assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == before
        proc = govwatch(tmp_path, "add-site", second, "--column", "通知")
    assert proc.returncode == 0, proc.stderr
    assert "added a column to site 'quzhou'" in proc.stdout
    [quzhou] = load_config(tmp_path / "config.yaml").sites
    assert [c.name for c in quzhou.columns] == ["通知", "发布实录"]


def test_robots_txt_is_respected(tmp_path: Path) -> None:
    site = build_site(10)
    site.robots = "User-agent: *\nDisallow: /col/\n"
    with serve(site) as server:
        url = server.url + site.column_url("1229037214")
        proc = govwatch(tmp_path, "add-site", url, "--dry-run")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"govwatch: error: robots.txt of {server.url} does not allow {url}")
    assert site.hits[site.column_url("1229037214")] == 0  # the column itself was never requested


def test_a_release_url_is_refused_with_its_column_suggested(tmp_path: Path) -> None:
    site = build_site(5)
    page = site.all_pages()[0]
    with serve(site) as server:
        proc = govwatch(tmp_path, "add-site", server.url + site.page_path(page), "--dry-run")
    assert proc.returncode == 2
    assert "this is a release page" in proc.stderr
    assert (
        f"Try: add its column: govwatch add-site {server.url}/col/col{page.column}/index.html" in proc.stderr
    )


def test_without_a_config_it_says_to_run_init(tmp_path: Path) -> None:
    proc = govwatch(tmp_path, "add-site", "http://127.0.0.1:1/col/col1/index.html")
    assert proc.returncode == 2 and "`govwatch init` writes one" in proc.stderr
