"""``govwatch parse URL`` and ``govwatch check URL`` fetch through the URL policy too: http(s) only at
every redirect hop, a deadline for the whole fetch, a size cap."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler.net.fetch import FetchError, fetch_page
from tests.hostile.kit import HostileSite, drip_headers, govwatch, paragraphs, release_html, serving


@pytest.mark.slow
def test_parse_and_check_refuse_a_redirect_off_the_web(tmp_path: Path) -> None:
    site = HostileSite()
    with serving(site):
        site.redirect("/to-file", "file:///etc/passwd")
        for command in ("parse", "check"):
            proc = govwatch(command, site.url("/to-file"), cwd=tmp_path)
            assert proc.returncode == 2, proc
            assert "file:///etc/passwd" in proc.stderr and "root:" not in proc.stdout + proc.stderr
            assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_fetch_ends_by_its_deadline_and_refuses_a_huge_page() -> None:
    site = HostileSite()
    with serving(site):
        site.route("/drip", drip_headers(interval=0.2))
        site.page("/huge", b"<html>" + b"x" * (3 * 1024 * 1024) + b"</html>")
        site.page("/ok", release_html("关于第1号文件的通知", "F-1", paragraphs(2)))
        site.redirect("/moved", "/ok")
        started = time.monotonic()
        with pytest.raises(FetchError, match="no complete answer within 2 s"):
            fetch_page(site.url("/drip"), timeout=2)
        assert time.monotonic() - started < 2 + 1.5
        with pytest.raises(FetchError, match="larger than 1 MB"):
            fetch_page(site.url("/huge"), max_bytes=1024 * 1024)
        page = fetch_page(site.url("/moved"))
        assert page.status == 200 and page.url == site.url("/ok") and b"F-1" in page.body
