"""The low findings of the hostile-site review: a webhook URL with a bad port passed validation (and
its delivery died with a traceback); a gzip bomb was recorded as ``ignored``, not ``too_large``.
(A database that is not SQLite, and a read-only one: tests/hostile/test_storage.py.)"""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run_crawl
from tests.hostile.kit import (
    NOW,
    HostileSite,
    govwatch,
    list_html,
    paragraphs,
    release_html,
    serving,
    site_config,
)

SECRET = "T0KEN-in-the-path"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:{port}:99/hook/" + SECRET, "invalid port"),
        ("http://127.0.0.1:99999/hook/" + SECRET, "invalid port"),
        ("ftp://127.0.0.1:{port}/hook/" + SECRET, "scheme 'ftp' is not allowed"),
        ("http:///hook/" + SECRET, "no host"),
        ("file:///etc/" + SECRET, "scheme 'file' is not allowed"),
    ],
)
def test_a_bad_webhook_url_is_a_configuration_error_naming_file_line_and_key(
    tmp_path: Path, url: str, reason: str
) -> None:
    site, receiver = HostileSite(), HostileSite()
    with serving(site, receiver):
        site.page("/col/index.html", list_html([]))
        receiver.prefix("/", lambda _h: (200, {}, b"ok"))
        sinks = [
            {"type": "webhook", "url": url.format(port=receiver.port)},
            {"type": "jsonl", "path": "events.jsonl"},
        ]
        config = site_config(tmp_path, site, ["/col/index.html"], sinks=sinks)
        proc = govwatch("crawl", "--config", str(config), cwd=tmp_path)
        assert site.hits == {} and receiver.hits == {}
    assert proc.returncode == 2, proc
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "config.yaml:" in lines[0] and "sinks[0].url" in lines[0] and reason in lines[0], lines
    assert SECRET not in proc.stderr  # a webhook URL's path is often its token


def test_a_webhook_url_with_credentials_is_accepted(tmp_path: Path) -> None:
    from crawler.config import load_config

    config = tmp_path / "config.yaml"
    config.write_text("sinks: [{type: webhook, url: 'https://user:pass@hooks.example.org/x'}]\n")
    assert load_config(config).sinks[0].options["url"] == "https://user:pass@hooks.example.org/x"


@pytest.mark.slow
def test_a_gzip_bomb_is_recorded_as_too_large(tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html><body>" + b"\0" * (40 * 1024 * 1024) + b"</body></html>", compresslevel=9)
    assert len(bomb) < 100 * 1024
    site = HostileSite()
    with serving(site):
        site.page("/art/1.html", release_html("关于第1号文件的通知", "GZ-0001", paragraphs(3)))
        site.page("/art/bomb.html", bomb, headers={"Content-Encoding": "gzip"})
        site.page("/col/index.html", list_html([("/art/1.html", "一"), ("/art/bomb.html", "炸弹")]))
        config = site_config(tmp_path, site, ["/col/index.html"])
        result = run_crawl(config, now=NOW)
    assert result.returncode == 0 and result.run["status"] == "partial", result
    conn = sqlite3.connect(tmp_path / "govwatch.db")
    try:
        kinds = conn.execute("SELECT error_kind FROM fetches WHERE url LIKE '%/art/bomb.html'").fetchall()
        keys = conn.execute("SELECT key FROM releases").fetchall()
    finally:
        conn.close()
    assert kinds == [("too_large",)]
    assert keys == [("GZ-0001",)]
